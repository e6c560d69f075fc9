"""Staff password login that can be used neither to lock a clerk out nor to spray passwords.

Failures are counted in PostgreSQL (``login_failure``; a Redis flush cannot reset them) per
username string, whether or not such an account exists, and per client address:

* one username from one address: after ``LOGIN_MAX_FAILURES`` failures that pair is locked for
  ``LOGIN_LOCKOUT_SECONDS``, doubling with every further lock (at most a day) — the clerk at
  their own desk is not affected by someone guessing from elsewhere;
* one username from everywhere: locked for ``LOGIN_LOCKOUT_SECONDS`` only when failures came
  from ``LOGIN_ACCOUNT_LOCK_ADDRESSES`` addresses or ``LOGIN_ACCOUNT_LOCK_FAILURES`` failures
  within ``LOGIN_WINDOW_SECONDS``;
* one address trying many usernames: after ``LOGIN_ADDRESS_MAX_USERNAMES`` usernames failed
  within the window, every login from that address is refused (429) until they age out.

An unknown username, a disabled account and a wrong password get the same answer after the same
password-hash work; a lock answers the same whether or not the account exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import structlog

from backend import db
from backend.errors import RateLimited, Unauthenticated
from backend.identity import texts
from backend.identity.service import StaffAccount, get_staff_account
from backend.identity.store import failures, users
from backend.security.passwords import verify_password
from backend.settings import Settings

log = structlog.get_logger(__name__)

ALL_ADDRESSES: Final = ""
"""``login_failure.address`` of a username's account-wide row."""
FORGET_AFTER: Final = timedelta(days=1)
"""A username/address pair with no failure for this long starts again from zero."""
MAX_LOCK_S: Final = 24 * 3600


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int
    lockout_s: int
    window_s: int
    address_max_usernames: int
    account_lock_addresses: int
    account_lock_failures: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        return cls(
            max_failures=settings.login_max_failures,
            lockout_s=settings.login_lockout_s,
            window_s=settings.login_window_s,
            address_max_usernames=settings.login_address_max_usernames,
            account_lock_addresses=settings.login_account_lock_addresses,
            account_lock_failures=settings.login_account_lock_failures,
        )


def _now() -> datetime:
    return datetime.now(UTC)


def normalise_username(username: str) -> str:
    return username.strip().lower()[:64]


async def authenticate_staff(
    *, username: str, password: str, address: str, settings: Settings
) -> StaffAccount:
    """The staff account whose password this is, or ``Unauthenticated``/``RateLimited``.

    ``address`` is the client address (``backend.http.client.client_address``). The argon2
    check runs in a thread outside any transaction, for locked and unknown names too.
    """
    policy = LoginPolicy.from_settings(settings)
    name = normalise_username(username)
    address = address[:64] or "unknown"
    now = _now()
    await _refuse_spraying_address(address, policy, now)
    row = await users.credentials(username=name)
    key = failure_key(name, known=row is not None, secret=settings.secret_key)
    locked_for = await _locked_for(key, address, now)
    matches = await asyncio.to_thread(verify_password, row.password_hash if row else None, password)
    if locked_for:
        raise _locked(locked_for)
    if row is None or not (matches and row.active):
        wait_s = await _record_failure(key, address, policy, now)
        if wait_s:
            raise _locked(wait_s)
        raise Unauthenticated(texts.CREDENTIALS_INVALID, code="credentials_invalid")
    async with db.engine().transaction():
        await failures.clear_pair(username=key, address=address)
        await users.mark_login(staff_id=row.id, at=now)
    account = await get_staff_account(staff_id=row.id)
    if account is None:  # disabled meanwhile
        raise Unauthenticated(texts.CREDENTIALS_INVALID, code="credentials_invalid")
    return account


def failure_key(name: str, *, known: bool, secret: str) -> str:
    """How a username string is kept in ``login_failure``.

    An account's own username is kept as it is (it is no secret, and an administrator's unlock
    finds it); any other string is kept only as a keyed hash: people type ID numbers, phones and
    passwords into the username box, and those must not sit in the database in plain text.
    """
    if known:
        return name
    digest = hmac.new(secret.encode(), b"login-username|" + name.encode(), hashlib.sha256)
    return "#" + digest.hexdigest()[:48]


async def verify_current_password(
    *, username: str, password_hash: str, password: str, address: str, settings: Settings
) -> None:
    """A signed-in clerk's current password, checked under the same counters and locks as a
    login: a stolen session cannot be used to guess the password without limit."""
    policy = LoginPolicy.from_settings(settings)
    name = normalise_username(username)
    address = address[:64] or "unknown"
    now = _now()
    locked_for = await _locked_for(name, address, now)
    matches = await asyncio.to_thread(verify_password, password_hash, password)
    if locked_for:
        raise _locked(locked_for)
    if not matches:
        wait_s = await _record_failure(name, address, policy, now)
        if wait_s:
            raise _locked(wait_s)
        raise Unauthenticated(texts.CURRENT_PW_WRONG, code="current_password_wrong")


async def _refuse_spraying_address(address: str, policy: LoginPolicy, now: datetime) -> None:
    """429 while this address has failed with too many usernames within the window."""
    since = now - timedelta(seconds=policy.window_s)
    failed_at = await failures.failing_since(address=address, since=since)
    excess = len(failed_at) - policy.address_max_usernames
    if excess < 0:
        return
    # Allowed again once enough of its failing usernames have aged out of the window.
    frees_at = failed_at[excess] + timedelta(seconds=policy.window_s)
    wait_s = max(1, int((frees_at - now).total_seconds()) + 1)
    log.warning("login_address_limited", address=address, usernames=len(failed_at))
    raise RateLimited(
        texts.login_rate_limited(wait_s), code="login_rate_limited", retry_after_s=wait_s
    )


async def _locked_for(name: str, address: str, now: datetime) -> int:
    """Seconds this username stays locked for this address (its pair or account-wide lock)."""
    until = await failures.locked_until(username=name, addresses=(address, ALL_ADDRESSES), now=now)
    return 0 if until is None else int((until - now).total_seconds()) + 1


async def _record_failure(name: str, address: str, policy: LoginPolicy, now: datetime) -> int:
    """Count one failure; returns the seconds of a lock it started (0 when none)."""
    wait_s = 0
    async with db.engine().transaction():
        counted = await failures.count_failure(
            username=name, address=address, now=now, forget_before=now - FORGET_AFTER
        )
        if counted % policy.max_failures == 0:
            locks = counted // policy.max_failures
            wait_s = min(policy.lockout_s * 2 ** min(locks - 1, 20), MAX_LOCK_S)
            await _lock(name, address, now, now + timedelta(seconds=wait_s))
            log.warning("login_pair_locked", username=name, address=address, seconds=wait_s)
        if await _account_under_attack(name, policy, now):
            await _lock(name, ALL_ADDRESSES, now, now + timedelta(seconds=policy.lockout_s))
            wait_s = max(wait_s, policy.lockout_s)
            log.warning("login_account_locked", username=name, seconds=policy.lockout_s)
        await failures.forget_old(before=now - FORGET_AFTER, now=now)
    return wait_s


async def _account_under_attack(name: str, policy: LoginPolicy, now: datetime) -> bool:
    addresses, failed = await failures.spread(
        username=name, besides=ALL_ADDRESSES, since=now - timedelta(seconds=policy.window_s)
    )
    return addresses >= policy.account_lock_addresses or failed >= policy.account_lock_failures


async def _lock(name: str, address: str, now: datetime, until: datetime) -> None:
    await failures.lock(username=name, address=address, now=now, until=until)


async def clear_failures(*, username: str) -> int:
    """Forget every failure and lock of ``username`` (an administrator's unlock)."""
    return await failures.clear(username=normalise_username(username))


async def locked_usernames(*, usernames: list[str]) -> set[str]:
    """Which of ``usernames`` have a lock running (from any address)."""
    if not usernames:
        return set()
    return await failures.locked(usernames=usernames)


def _locked(wait_s: int) -> RateLimited:
    return RateLimited(texts.login_locked(wait_s), code="login_locked", retry_after_s=wait_s)
