"""``notice`` and ``notice_counter``: the notices issued, and each department's numbers per year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import asyncpg

from backend import db
from backend.notices.schemas import NoticeKind
from backend.notices.tables import Notice


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """A notice as issued: what it is, its number and the non-personal facts it states."""

    id: int
    case: int
    root_case: int
    event: int
    kind: NoticeKind
    token: str
    department: str
    department_name: str
    acting_for: str
    year: int
    sequence: int
    number: str
    item_code: str
    item_name: str
    item_kind: str
    issued_at: datetime
    valid: bool


@dataclass(frozen=True, slots=True)
class NewNotice:
    case: int
    root_case: int
    event: int
    kind: str
    token: str
    department: str
    department_name: str
    acting_for: str
    year: int
    item_code: str
    item_name: str
    item_kind: str
    issued_at: datetime


COLUMNS: Final = (
    'id, "case", root_case, event, kind, token, department, department_name, acting_for, year,'
    " sequence, number, item_code, item_name, item_kind, issued_at, valid"
)
_NEXT: Final = (
    "INSERT INTO notice_counter (department, year, last) VALUES ($1, $2, 1)"
    " ON CONFLICT (department, year) DO UPDATE SET last = notice_counter.last + 1"
    " RETURNING last"
)
_INSERT: Final = (
    'INSERT INTO notice ("case", root_case, event, kind, token, department, department_name,'  # noqa: S608 - a constant column list
    " acting_for, year, sequence, number, item_code, item_name, item_kind, issued_at, valid)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, true)"
    f" RETURNING {COLUMNS}"
)
_OF_ROOT: Final = f"SELECT {COLUMNS} FROM notice WHERE root_case = $1 ORDER BY issued_at, id"  # noqa: S608
_OF_CASE: Final = f'SELECT {COLUMNS} FROM notice WHERE "case" = $1 ORDER BY issued_at, id'  # noqa: S608
_BY_TOKEN: Final = f"SELECT {COLUMNS} FROM notice WHERE token = $1"  # noqa: S608
_BY_ID: Final = f"SELECT {COLUMNS} FROM notice WHERE id = $1"  # noqa: S608
_PENDING: Final = (
    "SELECT EXISTS (SELECT 1 FROM outbox_event o"
    " WHERE o.kind = 'case.notice' AND o.status = 'pending'"
    " AND ((o.payload->>'case_id')::bigint IN"
    " (SELECT c.id FROM case_record c WHERE c.id = $1 OR c.parent = $1)"
    " OR ((o.payload->>'case_id')::bigint = $2::bigint AND o.payload->>'action' = ANY($3))))"
)


def _row(r: asyncpg.Record) -> NoticeRow:
    return NoticeRow(**dict(r))


async def next_sequence(*, department: str, year: int) -> int:
    """The department's next number this year. The counter row stays locked until the caller's
    transaction ends, so concurrent issues queue and a rolled-back one leaves no gap."""
    return int(await db.fetchval(_NEXT, department, year))


async def issued_for(event_id: int, *, case_id: int) -> bool:
    """Whether the step ``event_id`` issued its notice for the case ``case_id`` already (a
    bundle's 补正 issues one per item from the parent's one step)."""
    return bool(
        await Notice.exists().where((Notice.event == event_id) & (Notice.case == case_id)).run()
    )


async def insert(new: NewNotice, *, sequence: int, number: str) -> NoticeRow:
    row = await db.fetchrow(
        _INSERT,
        new.case,
        new.root_case,
        new.event,
        new.kind,
        new.token,
        new.department,
        new.department_name,
        new.acting_for,
        new.year,
        sequence,
        number,
        new.item_code,
        new.item_name,
        new.item_kind,
        new.issued_at,
    )
    assert row is not None
    return _row(row)


async def of_root_case(root_case: int) -> list[NoticeRow]:
    """The notices of a case and, for a bundle, of its items, in the order they were issued."""
    return [_row(r) for r in await db.fetch(_OF_ROOT, root_case)]


async def of_case(case_id: int) -> list[NoticeRow]:
    """The notices of one case only (a bundle's item without its siblings'), in order."""
    return [_row(r) for r in await db.fetch(_OF_CASE, case_id)]


async def by_token(token: str) -> NoticeRow | None:
    row = await db.fetchrow(_BY_TOKEN, token)
    return None if row is None else _row(row)


async def by_id(notice_id: int) -> NoticeRow | None:
    row = await db.fetchrow(_BY_ID, notice_id)
    return None if row is None else _row(row)


async def pending_for(
    case_id: int, *, parent: int | None = None, parent_actions: tuple[str, ...] = ()
) -> bool:
    """Whether a step of the case (or of a bundle's items) still waits for the worker to issue
    its notice: its ``case.notice`` outbox row is not handled yet (the payload names the case by
    id only). For a bundle's item, a step of its ``parent`` among ``parent_actions`` (those
    that issue a notice per item) counts too. A row that died is not pending: the page then
    links nothing rather than promise."""
    return bool(await db.fetchval(_PENDING, case_id, parent, list(parent_actions)))
