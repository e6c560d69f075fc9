"""Staff accounts (``staff_user``): the typed rows other contexts read, and their writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg

from backend import db
from backend.identity import roles
from backend.identity.ids import is_uuid
from backend.identity.tables import StaffUser


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A staff account as handlers and other contexts see it (never its password hash)."""

    id: str
    username: str
    display_name: str
    role: roles.Role
    area_code: str
    area_name: str
    department_code: str | None
    active: bool = True
    token_version: int = 0
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return roles.LABELS.get(self.role, self.role)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a password login checks."""

    id: str
    password_hash: str
    active: bool


@dataclass(frozen=True, slots=True)
class StaffName:
    id: str
    display_name: str


_COLUMNS: Final = (
    "s.id::text AS id, s.username, s.display_name, s.role, s.area AS area_code,"
    " a.name AS area_name, s.department AS department_code, s.active, s.token_version,"
    " s.must_change_password"
)
_FROM: Final = " FROM staff_user s LEFT JOIN area a ON a.code = s.area"
_ACCOUNT_SQL: Final = f"SELECT {_COLUMNS}{_FROM}"


def _account(row: asyncpg.Record) -> StaffAccount:
    return StaffAccount(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        area_code=row["area_code"],
        area_name=row["area_name"],
        department_code=row["department_code"],
        active=row["active"],
        token_version=row["token_version"],
        must_change_password=row["must_change_password"],
    )


async def account(*, staff_id: str) -> StaffAccount | None:
    """The account ``staff_id`` (active or not), or None."""
    if not is_uuid(staff_id):
        return None
    row = await db.fetchrow(_ACCOUNT_SQL + " WHERE s.id = $1::uuid", staff_id)
    return None if row is None else _account(row)


async def accounts(*, staff_ids: list[str]) -> dict[str, StaffAccount]:
    """The accounts among ``staff_ids`` (disabled ones too), by id."""
    ids = [i for i in staff_ids if is_uuid(i)]
    if not ids:
        return {}
    rows = await db.fetch(_ACCOUNT_SQL + " WHERE s.id = ANY($1::uuid[])", ids)
    return {r["id"]: _account(r) for r in rows}


async def display_names(*, staff_ids: list[str]) -> dict[str, str]:
    """The display names of the accounts among ``staff_ids``, by id."""
    ids = [i for i in staff_ids if is_uuid(i)]
    if not ids:
        return {}
    rows = await db.fetch(
        "SELECT id::text AS id, display_name FROM staff_user WHERE id = ANY($1::uuid[])", ids
    )
    return {r["id"]: r["display_name"] for r in rows}


async def usernames() -> set[str]:
    """Every username in use."""
    rows = await StaffUser.select(StaffUser.username).run()
    return {r["username"] for r in rows}


async def username_taken(*, username: str) -> bool:
    return bool(await StaffUser.exists().where(StaffUser.username == username).run())


async def insert(
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    area_code: str,
    department_code: str | None,
) -> str:
    """A new account; its id. Raises asyncpg's ``UniqueViolationError`` for a taken username."""
    staff = StaffUser(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        area=area_code,
        department=department_code,
    )
    await staff.save().run()
    return str(staff.id)


async def credentials(*, username: str) -> Credentials | None:
    row = await db.fetchrow(
        "SELECT id::text AS id, password_hash, active FROM staff_user WHERE username = $1",
        username,
    )
    return None if row is None else Credentials(row["id"], row["password_hash"], row["active"])


async def set_own_password_ever(*, staff_id: str) -> bool:
    """Whether the account's holder has ever set their own password (not just a temporary
    one an administrator gave them)."""
    row = (
        await StaffUser.select(StaffUser.password_changed_at)
        .where(StaffUser.id == staff_id)
        .first()
        .run()
    )
    return row is not None and row["password_changed_at"] is not None


async def password_hash(*, staff_id: str) -> str | None:
    row = (
        await StaffUser.select(StaffUser.password_hash)
        .where(StaffUser.id == staff_id)
        .first()
        .run()
    )
    return None if row is None else str(row["password_hash"])


async def mark_login(*, staff_id: str, at: datetime) -> None:
    await StaffUser.update({StaffUser.last_login_at: at}).where(StaffUser.id == staff_id).run()


async def set_active(*, staff_id: str, active: bool) -> None:
    await StaffUser.update({StaffUser.active: active}).where(StaffUser.id == staff_id).run()


async def set_password(
    *, staff_id: str, password_hash: str, must_change: bool, changed_at: datetime | None = None
) -> None:
    """A new password hash; ``must_change`` for an administrator's temporary one."""
    values: dict[Any, Any] = {
        StaffUser.password_hash: password_hash,
        StaffUser.must_change_password: must_change,
    }
    if changed_at is not None:
        values[StaffUser.password_changed_at] = changed_at
    await StaffUser.update(values).where(StaffUser.id == staff_id).run()


async def set_assignment(
    *, staff_id: str, role: str, area_code: str, department_code: str | None
) -> None:
    """A new role, area and department (None unless an approver) for the account."""
    await (
        StaffUser.update(
            {
                StaffUser.role: role,
                StaffUser.area: area_code,
                StaffUser.department: department_code,
            }
        )
        .where(StaffUser.id == staff_id)
        .run()
    )


async def bump_token_version(*, staff_id: str) -> int | None:
    """End every token of the account; its new token version (None: no such account)."""
    row = await db.fetchrow(
        "UPDATE staff_user SET token_version = token_version + 1 WHERE id = $1::uuid"
        " RETURNING token_version",
        staff_id,
    )
    return None if row is None else int(row["token_version"])


@dataclass(frozen=True, slots=True)
class StaffFilter:
    """Which accounts an administrator lists (``state``: one of ``staff_admin.STATES``)."""

    staff_id: str | None = None
    role: str | None = None
    area_prefix: str | None = None
    state: str | None = None
    text: str | None = None
    """Part of the username or the name, matched without regard to case."""


def _like_pattern(text: str) -> str:
    """``text`` anywhere, its ``%``, ``_`` and backslashes taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_LOCKED: Final = (
    "EXISTS (SELECT 1 FROM login_failure f WHERE f.username = s.username"
    " AND f.locked_until > now())"
)
_STATE_SQL: Final[dict[str | None, str]] = {
    None: "TRUE",
    "active": "s.active",
    "disabled": "NOT s.active",
    "locked": _LOCKED,
    "password_change_required": "s.must_change_password",
}


@dataclass(frozen=True, slots=True)
class StaffListed:
    """One row of the administrators' staff list (``locked``: a login lock is running)."""

    account: StaffAccount
    locked: bool
    last_login_at: datetime | None


async def page(*, where: StaffFilter, limit: int, offset: int) -> tuple[list[StaffListed], int]:
    """Accounts by username, one page of them, and how many match in all."""
    conditions = [_STATE_SQL[where.state]]
    args: list[Any] = []
    if where.staff_id is not None:
        args.append(where.staff_id)
        conditions.append(f"s.id = ${len(args)}::uuid")
    if where.role:
        args.append(where.role)
        conditions.append(f"s.role = ${len(args)}")
    if where.area_prefix:
        args.append(where.area_prefix + "%")
        conditions.append(f"s.area LIKE ${len(args)}")
    if where.text:
        args.append(_like_pattern(where.text))
        conditions.append(
            f"(s.username ILIKE ${len(args)} ESCAPE '\\' OR s.display_name ILIKE ${len(args)}"
            " ESCAPE '\\')"
        )
    condition = " AND ".join(conditions)
    total = await db.fetchrow(
        f"SELECT count(*) AS n FROM staff_user s WHERE {condition}",  # noqa: S608 - fixed fragments
        *args,
    )
    rows = await db.fetch(
        f"SELECT {_COLUMNS}, s.last_login_at, {_LOCKED} AS locked{_FROM}"
        f" WHERE {condition} ORDER BY s.username"
        f" LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args,
        limit,
        offset,
    )
    assert total is not None
    listed = [StaffListed(_account(r), r["locked"], r["last_login_at"]) for r in rows]
    return listed, int(total["n"])


async def id_of(*, username: str, role: str | None = None, active_only: bool = False) -> str | None:
    """The id of the account ``username`` (of ``role``, active, when asked), or None."""
    query = StaffUser.select(StaffUser.id).where(StaffUser.username == username)
    if role is not None:
        query = query.where(StaffUser.role == role)
    if active_only:
        query = query.where(StaffUser.active == True)  # noqa: E712 - a SQL comparison
    row = await query.first().run()
    return None if row is None else str(row["id"])
