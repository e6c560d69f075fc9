"""Which tokens and portal sessions are still good: one version number per account.

Every bearer token and portal session carries the ``token_version`` its account had when it was
issued; a request is let in only while the account still has that version. Logout, a password
change, disabling an account and a PIPL deletion bump the version (``revoke_all``), which ends
every token and session of that account at once, wherever it was copied to.

Staff accounts are read on every request anyway (role, scope, active), so the version costs
nothing there. Citizens are not: their version is remembered per process for a few seconds
(``KnownCitizens``). ``revoke_all`` forgets it in this process at once and tells every other
process through PostgreSQL ``NOTIFY`` (delivered when the revoking transaction commits, to each
process's ``RevocationListener``); while a process's listener is disconnected it falls back to
holding a version at most ``CITIZEN_CHECK_TTL_S`` (see docs/security.md).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Final, Literal

import asyncpg
import structlog

from backend.identity.ids import is_uuid
from backend.identity.store import citizens, users

log = structlog.get_logger(__name__)

AccountKind = Literal["citizen", "staff"]

CITIZEN_CHECK_TTL_S: Final = 5.0
"""How long a process trusts the token version it read for a citizen (a token's subject).

Every citizen request used to read the citizen row just to check it is there. A citizen whose
record is removed or whose tokens are revoked in another process is refused by this one at most
this long afterwards; a citizen not found is never remembered, so a new record is usable at once.
"""
_CITIZEN_CHECK_MAX: Final = 50_000
REVOKED_CHANNEL: Final = "jiujinban_tokens_revoked"
"""PostgreSQL ``NOTIFY`` channel; the payload is the id of a citizen whose tokens were revoked."""


class KnownCitizens:
    """The per-process memory of citizens' current token versions (see CITIZEN_CHECK_TTL_S)."""

    def __init__(self, ttl_s: float = CITIZEN_CHECK_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._seen: dict[str, tuple[float, int]] = {}
        self._fresh_until: dict[str, float] = {}

    async def version(self, citizen_id: str) -> int | None:
        """The citizen's current token version, or None when there is no such citizen."""
        now = time.monotonic()
        seen = self._seen.get(citizen_id)
        if seen is not None and seen[0] > now:
            return seen[1]
        current = await citizen_token_version(citizen_id=citizen_id)
        if current is None:
            self._seen.pop(citizen_id, None)
            return None
        if self._fresh_until.get(citizen_id, 0.0) > now:
            return current  # revoked recently: read the row until any revoking commit is seen
        self._fresh_until.pop(citizen_id, None)
        if len(self._seen) >= _CITIZEN_CHECK_MAX:
            self._seen.clear()
        self._seen[citizen_id] = (now + self.ttl_s, current)
        return current

    async def exists(self, citizen_id: str) -> bool:
        return await self.version(citizen_id) is not None

    def forget(self, citizen_id: str | None = None) -> None:
        """Drop what is remembered (of one citizen, or of all).

        A forgotten citizen is read from the database on every request for one TTL, so a
        request racing with the revoking transaction cannot put the old version back.
        """
        if citizen_id is None:
            self._seen.clear()
            return
        self._seen.pop(citizen_id, None)
        self._fresh_until[citizen_id] = time.monotonic() + self.ttl_s


known_citizens = KnownCitizens()
"""This process's memory, used by the authentication layer."""


async def citizen_token_version(*, citizen_id: str) -> int | None:
    return await citizens.token_version(citizen_id=citizen_id)


async def revoke_all(*, kind: AccountKind, account_id: str) -> int | None:
    """End every bearer token and portal session of one account at once.

    Runs in the caller's transaction when there is one (the tokens die when it commits).
    Returns the account's new token version, or None when there is no such account. Tokens
    issued afterwards carry the new version and are good.
    """
    if not is_uuid(account_id):
        return None
    if kind == "citizen":
        version = await citizens.bump_token_version(citizen_id=account_id)
        known_citizens.forget(account_id)
        await citizens.notify(channel=REVOKED_CHANNEL, payload=account_id)
    else:
        version = await users.bump_token_version(staff_id=account_id)
    if version is None:
        return None
    log.info("tokens_revoked", kind=kind, account_id=account_id)
    return version


class RevocationListener:
    """Makes every process forget a citizen's remembered version when another revokes it.

    One dedicated connection per process ``LISTEN``s on ``REVOKED_CHANNEL``; it reconnects
    with back-off when lost, and forgets everything it remembered on (re)connecting, since
    notifications sent while it was away are gone.
    """

    def __init__(self, database_url: str, known: KnownCitizens | None = None) -> None:
        self._url = database_url
        self._known = known or known_citizens
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._known.forget(payload)

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            lost = asyncio.Event()
            conn: Any = None
            try:
                conn = await asyncpg.connect(self._url)
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(REVOKED_CHANNEL, self._on_notify)
                self._known.forget()
                self.listening.set()
                backoff = 0.5
                await lost.wait()
                log.warning("revocation_listener_lost")
            except asyncio.CancelledError:
                if conn is not None:
                    await conn.close(timeout=2)
                raise
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("revocation_listener_unavailable", error=str(exc))
            self.listening.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
