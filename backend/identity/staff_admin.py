"""Staff accounts over their life: list, disable, re-enable, unlock, reset and change passwords.

Every change is one transaction that writes an audit row (``backend.audit``) whose reason holds
the administrator's note and the account's state before and after, as compact JSON. Disabling,
a reset and a password change end every session and token of the account (``sessions``).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from backend import db
from backend.audit.service import Actor, AuditLog
from backend.catalogue.store import departments
from backend.errors import Conflict, InvalidInput, NotFound
from backend.idempotency import service as idempotency
from backend.identity import roles, texts
from backend.identity.ids import is_uuid
from backend.identity.login import clear_failures, locked_usernames, verify_current_password
from backend.identity.password_policy import PasswordRules, password_problems
from backend.identity.present import staff_me
from backend.identity.schemas import StaffMe
from backend.identity.service import (
    StaffAccount,
    assignment_problems,
    create_staff,
    get_staff_account,
)
from backend.identity.sessions import revoke_all
from backend.identity.store import users
from backend.identity.store.users import StaffListed as StaffListed
from backend.outbox.service import Doorbell
from backend.security.passwords import hash_password
from backend.settings import Settings
from backend.textrules import has_hidden_chars

STATES: Final = ("active", "disabled", "locked", "password_change_required")
SUBJECT: Final = "staff"

STAFF_DISABLE: Final = "staff_disable"
STAFF_ENABLE: Final = "staff_enable"
STAFF_UNLOCK: Final = "staff_unlock"
STAFF_RESET_PASSWORD: Final = "staff_reset_password"  # noqa: S105 - an audit action name
STAFF_CHANGE_PASSWORD: Final = "staff_change_password"  # noqa: S105 - an audit action name
STAFF_CREATE: Final = "staff_create"
STAFF_REASSIGN: Final = "staff_reassign"
STAFF_END_SESSIONS: Final = "staff_end_sessions"

_TEMP_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class PasswordReset:
    account: StaffAccount
    temporary_password: str


def _now() -> datetime:
    return datetime.now(UTC)


async def list_staff(
    *,
    page: int,
    page_size: int,
    role: str | None = None,
    area_code: str | None = None,
    state: str | None = None,
    staff_id: str | None = None,
    text: str | None = None,
) -> tuple[list[StaffListed], int]:
    """Staff accounts by username, filtered by role, area (and the areas under it), state and
    part of the username or name (``staff_id``: that one account, or ``staff_not_found``)."""
    if role is not None and role not in roles.ROLES:
        raise InvalidInput("角色须为 " + "、".join(roles.ROLES) + " 之一。", code="filter_invalid")
    if state is not None and state not in STATES:
        raise InvalidInput("状态须为 " + "、".join(STATES) + " 之一。", code="filter_invalid")
    if staff_id is not None and not is_uuid(staff_id):
        raise NotFound(texts.STAFF_NOT_FOUND, code="staff_not_found")
    if area_code and not area_code.isdigit():
        raise InvalidInput("区划代码须为数字。", code="filter_invalid")
    listed, total = await users.page(
        where=users.StaffFilter(
            staff_id, role or None, area_code or None, state, (text or "").strip()[:64] or None
        ),
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    if staff_id is not None and not listed:
        raise NotFound(texts.STAFF_NOT_FOUND, code="staff_not_found")
    return listed, total


def _state(account: StaffAccount, locked: bool | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "active": account.active,
        "must_change_password": account.must_change_password,
        "token_version": account.token_version,
    }
    if locked is not None:
        state["locked"] = locked
    return state


def _reason(note: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    return json.dumps(
        {"note": note.strip(), "before": before, "after": after},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


async def _load(staff_id: str) -> StaffAccount:
    account = (
        await get_staff_account(staff_id=staff_id, include_inactive=True)
        if is_uuid(staff_id)
        else None
    )
    if account is None:
        raise NotFound(texts.STAFF_NOT_FOUND, code="staff_not_found")
    return account


def _need_reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput(texts.ADMIN_REASON_REQUIRED, code="reason_required")
    if has_hidden_chars(reason, multiline=True):
        raise InvalidInput(texts.HIDDEN_CHARS.format(label="操作理由"), code="validation_failed")
    return reason.strip()


async def set_active(
    *, audit: AuditLog, actor: Actor, staff_id: str, active: bool, reason: str
) -> StaffAccount:
    """Disable (ending every session and token at once) or re-enable a staff account."""
    note = _need_reason(reason)
    if not active and actor.kind == "staff" and actor.id == staff_id:
        raise Conflict(texts.CANNOT_DISABLE_SELF, code="cannot_disable_self")
    async with db.engine().transaction():
        before = await _load(staff_id)
        await users.set_active(staff_id=staff_id, active=active)
        if not active:
            await revoke_all(kind="staff", account_id=staff_id)
        after = await _load(staff_id)
        await audit.record(
            actor=actor,
            action=STAFF_ENABLE if active else STAFF_DISABLE,
            subject_kind=SUBJECT,
            subject_id=staff_id,
            reason=_reason(note, _state(before), _state(after)),
        )
    return after


async def unlock(*, audit: AuditLog, actor: Actor, staff_id: str, reason: str) -> StaffAccount:
    """Forget every login failure and lock of the account's username, from every address."""
    note = _need_reason(reason)
    async with db.engine().transaction():
        account = await _load(staff_id)
        was_locked = bool(await locked_usernames(usernames=[account.username]))
        await clear_failures(username=account.username)
        await audit.record(
            actor=actor,
            action=STAFF_UNLOCK,
            subject_kind=SUBJECT,
            subject_id=staff_id,
            reason=_reason(note, _state(account, was_locked), _state(account, False)),
        )
    return account


def temporary_password() -> str:
    """16 random characters in four groups, easy to read out over the phone."""
    while True:
        raw = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(16))
        candidate = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        if not password_problems(candidate, username=""):
            return candidate


async def reset_password(
    *, audit: AuditLog, actor: Actor, staff_id: str, reason: str
) -> PasswordReset:
    """A temporary password the account must change at its next login; every session ends."""
    note = _need_reason(reason)
    password = temporary_password()
    hashed = await asyncio.to_thread(hash_password, password)
    async with db.engine().transaction():
        before = await _load(staff_id)
        await users.set_password(staff_id=staff_id, password_hash=hashed, must_change=True)
        await revoke_all(kind="staff", account_id=staff_id)
        await clear_failures(username=before.username)
        after = await _load(staff_id)
        await audit.record(
            actor=actor,
            action=STAFF_RESET_PASSWORD,
            subject_kind=SUBJECT,
            subject_id=staff_id,
            reason=_reason(note, _state(before), _state(after)),
        )
    return PasswordReset(after, password)


async def temporary_password_origin(*, staff_id: str) -> str:
    """Why the account must change its password: ``"reset"`` when its holder had set their own
    password before (so an administrator has reset it since), ``"temporary"`` when they never
    have (a new account, or an old one given a temporary password before its first change:
    the data cannot tell these apart)."""
    return "reset" if await users.set_own_password_ever(staff_id=staff_id) else "temporary"


async def change_own_password(
    *,
    audit: AuditLog,
    staff_id: str,
    current_password: str,
    new_password: str,
    address: str,
    settings: Settings,
) -> StaffAccount:
    """A staff member's own change; ends every other session and token of theirs.

    Returns the account under its new token version (the caller issues a fresh token/session).
    """
    account = await _load(staff_id)
    current_hash = await users.password_hash(staff_id=staff_id)
    assert current_hash is not None
    await verify_current_password(
        username=account.username,
        password_hash=current_hash,
        password=current_password,
        address=address,
        settings=settings,
    )
    rules = PasswordRules(settings.dev_mode, settings.demo_password)
    problems = password_problems(new_password, username=account.username, rules=rules)
    if new_password == current_password:
        problems.append(texts.PW_SAME_AS_OLD)
    if problems:
        raise InvalidInput(
            texts.PW_INVALID.format(problems="；".join(problems)), code="password_invalid"
        )
    hashed = await asyncio.to_thread(hash_password, new_password)
    async with db.engine().transaction():
        await users.set_password(
            staff_id=staff_id, password_hash=hashed, must_change=False, changed_at=_now()
        )
        await revoke_all(kind="staff", account_id=staff_id)
        after = await _load(staff_id)
        await audit.record(
            actor=Actor("staff", staff_id),
            action=STAFF_CHANGE_PASSWORD,
            subject_kind=SUBJECT,
            subject_id=staff_id,
            reason=_reason("本人修改密码", _state(account), _state(after)),
        )
    return after


async def add_account(
    *,
    claim: idempotency.Claim | None,
    ttl_s: int,
    doorbell: Doorbell | None,
    username: str,
    password: str,
    role: str,
    area_code: str,
    department_code: str | None,
    display_name: str | None,
    rules: PasswordRules,
) -> idempotency.Answer:
    """An administrator creates a staff account, once per idempotency key (201, the account)."""

    async def create() -> StaffMe:
        account = await create_staff(
            username=username,
            password=password,
            role=role,
            area_code=area_code,
            department_code=department_code,
            display_name=display_name,
            rules=rules,
        )
        return staff_me(account)

    return await idempotency.run_once(claim, ttl_s=ttl_s, doorbell=doorbell, create=create)


def _assignment(account: StaffAccount) -> dict[str, Any]:
    return {
        "role": account.role,
        "area_code": account.area_code,
        "department_code": account.department_code,
    }


async def create_account(
    *,
    audit: AuditLog,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    area_code: str,
    department_code: str | None,
) -> PasswordReset:
    """An administrator's new account with a temporary password, to be changed at first login.

    The password is shown once to the administrator and never stored in plain text; the
    creation is audited with the account as it was made.
    """
    if has_hidden_chars(display_name):
        raise InvalidInput(texts.HIDDEN_CHARS.format(label="姓名"), code="staff_invalid")
    password = temporary_password()
    hashed = await asyncio.to_thread(hash_password, password)
    async with db.engine().transaction():
        made = await create_staff(
            username=username,
            password="",
            password_hash=hashed,
            role=role,
            area_code=area_code,
            department_code=department_code,
            display_name=display_name,
        )
        await users.set_password(staff_id=made.id, password_hash=hashed, must_change=True)
        after = await _load(made.id)
        await audit.record(
            actor=actor,
            action=STAFF_CREATE,
            subject_kind=SUBJECT,
            subject_id=made.id,
            reason=_reason(
                texts.STAFF_CREATED_NOTE,
                {},
                {
                    "username": after.username,
                    "display_name": after.display_name,
                    **_assignment(after),
                    **_state(after),
                },
            ),
        )
    return PasswordReset(after, password)


async def reassign(
    *,
    audit: AuditLog,
    actor: Actor,
    staff_id: str,
    role: str,
    area_code: str,
    department_code: str | None,
    reason: str,
) -> StaffAccount:
    """A new role and area (and department, for an approver); it applies from the account's
    next request, since every request reads the account."""
    note = _need_reason(reason)
    if actor.kind == "staff" and actor.id == staff_id:
        raise Conflict(texts.CANNOT_REASSIGN_SELF, code="cannot_reassign_self")
    department = department_code or None
    problems = await assignment_problems(role=role, area_code=area_code, department_code=department)
    if problems:
        raise InvalidInput("；".join(problems) + "。", code="staff_invalid")
    async with db.engine().transaction():
        before = await _load(staff_id)
        await users.set_assignment(
            staff_id=staff_id, role=role, area_code=area_code, department_code=department
        )
        after = await _load(staff_id)
        await audit.record(
            actor=actor,
            action=STAFF_REASSIGN,
            subject_kind=SUBJECT,
            subject_id=staff_id,
            reason=_reason(note, _assignment(before), _assignment(after)),
        )
    return after


async def end_sessions(
    *, audit: AuditLog, actor: Actor, staff_id: str, reason: str
) -> StaffAccount:
    """End every portal session and bearer token of the account; it may log in again."""
    note = _need_reason(reason)
    async with db.engine().transaction():
        before = await _load(staff_id)
        await revoke_all(kind="staff", account_id=staff_id)
        after = await _load(staff_id)
        await audit.record(
            actor=actor,
            action=STAFF_END_SESSIONS,
            subject_kind=SUBJECT,
            subject_id=staff_id,
            reason=_reason(note, _state(before), _state(after)),
        )
    return after


async def department_names() -> dict[str, str]:
    """The departments an approver may belong to, code to name (for the account forms)."""
    return await departments.names()
