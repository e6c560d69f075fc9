"""The audit log's reads for its viewer: entries by filter, newest first, one page in SQL.

Written only by :class:`backend.audit.service.AuditLog`; the names shown beside an entry come
from the staff and citizen it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from backend import db

if TYPE_CHECKING:
    from backend.audit.service import ActorKind

_NAMES = (
    " LEFT JOIN staff_user s ON e.actor_kind = 'staff' AND s.id::text = e.actor_id"
    " LEFT JOIN citizen ac ON e.actor_kind = 'citizen' AND ac.id::text = e.actor_id"
    " LEFT JOIN citizen cz ON cz.id::text = COALESCE(e.on_behalf_of::text,"
    " CASE WHEN e.subject_kind = 'citizen' THEN e.subject_id END)"
)
_WHERE = (
    " WHERE ($1::text[] IS NULL OR e.actor_id = ANY($1::text[]))"
    " AND ($2::uuid IS NULL OR e.on_behalf_of = $2::uuid"
    " OR (e.subject_kind = 'citizen' AND e.subject_id = $3::text))"
    " AND ($4::timestamptz IS NULL OR e.at >= $4::timestamptz)"
    " AND ($5::timestamptz IS NULL OR e.at < $5::timestamptz)"
    " AND ($6::text IS NULL OR e.action = $6::text)"
)
_SELECT = (
    "SELECT e.id, e.at, e.actor_kind, e.actor_id, e.on_behalf_of::text AS on_behalf_of,"
    " e.action, e.subject_kind, e.subject_id, e.reason,"
    " COALESCE(s.display_name, ac.name) AS actor_name, s.username AS actor_username,"
    " cz.name AS citizen_name, count(*) OVER () AS total FROM audit_event e"
)
_ENTRIES = _SELECT + _NAMES + _WHERE + " ORDER BY e.id DESC LIMIT $7 OFFSET $8"
_COUNT = "SELECT count(*) AS n FROM audit_event e" + _WHERE  # noqa: S608 - constants


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit entry with the names of who acted and of the citizen concerned."""

    id: int
    at: datetime
    actor_kind: ActorKind
    actor_id: str
    on_behalf_of: str | None
    action: str
    subject_kind: str
    subject_id: str
    reason: str
    actor_name: str | None
    actor_username: str | None
    citizen_name: str | None


async def entries_page(
    *,
    actor_ids: list[str] | None,
    citizen: str | None,
    start: datetime | None,
    end: datetime | None,
    action: str | None,
    page: int,
    page_size: int,
) -> tuple[list[AuditEntry], int]:
    """Entries matching every filter given (None: any), newest first; one page and the count.

    ``start`` is included, ``end`` excluded.
    """
    citizen_id = UUID(citizen) if citizen is not None else None
    args: tuple[Any, ...] = (actor_ids, citizen_id, citizen, start, end, action)
    rows = await db.fetch(_ENTRIES, *args, page_size, (page - 1) * page_size)
    if rows:
        total = int(rows[0]["total"])
    else:  # past the last page: the count still says how many there are
        counted = await db.fetchrow(_COUNT, *args)
        total = int(counted["n"]) if counted else 0
    return [AuditEntry(**{k: v for k, v in dict(r).items() if k != "total"}) for r in rows], total


# The chain's writer (backend.audit.service.AuditLog) and its verifier (backend.audit.verify).


async def lock_chain(key: int) -> str | None:
    """Take the transaction's advisory lock ``key`` that serialises appends; returns the hash of
    the chain's last row (None for an empty chain)."""
    async with db.connection() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", key)
        head: str | None = await conn.fetchval(
            "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1"
        )
    return head


async def next_id() -> int:
    """A fresh id for the next row of the chain."""
    row = await db.fetchrow("SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) AS id")
    assert row is not None
    return int(row["id"])


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One row of the chain as it is stored: the hashed fields, its link and its hash."""

    id: int
    at: datetime
    actor_kind: str
    actor_id: str
    on_behalf_of: str | None
    action: str
    subject_kind: str
    subject_id: str
    reason: str
    prev_hash: str
    hash: str


async def append(row: ChainRow) -> None:
    """Insert one row of the chain."""
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO audit_event (id, at, actor_kind, actor_id, on_behalf_of, action,"
            " subject_kind, subject_id, reason, prev_hash, hash)"
            " VALUES ($1, $2, $3, $4, $5::uuid, $6, $7, $8, $9, $10, $11)",
            row.id,
            row.at,
            row.actor_kind,
            row.actor_id,
            row.on_behalf_of,
            row.action,
            row.subject_kind,
            row.subject_id,
            row.reason,
            row.prev_hash,
            row.hash,
        )


async def chain_extent() -> tuple[int, int | None]:
    """How many rows the chain has and its last id (None when empty)."""
    row = await db.fetchrow("SELECT count(*) AS n, max(id) AS last FROM audit_event")
    assert row is not None
    return int(row["n"]), row["last"]


async def chain_rows(*, after: int, upto: int, limit: int) -> list[ChainRow]:
    """The chain's rows with an id in ``after`` (excluded) .. ``upto``, by id, at most ``limit``."""
    rows = await db.fetch(
        "SELECT id, at, actor_kind, actor_id, on_behalf_of::text AS on_behalf_of, action,"
        " subject_kind, subject_id, reason, prev_hash, hash FROM audit_event"
        " WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
        after,
        upto,
        limit,
    )
    return [ChainRow(**dict(r)) for r in rows]


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One audit row as its subject may see it (in the PIPL export)."""

    at: datetime
    action: str
    actor_kind: str
    on_behalf_of: str | None
    reason: str


async def events_about(*, subject_kind: str, subject_id: str) -> list[AccessRecord]:
    """Every recorded read of one subject's data, oldest first."""
    rows = await db.fetch(
        "SELECT at, action, actor_kind, on_behalf_of::text AS on_behalf_of, reason"
        " FROM audit_event WHERE subject_kind = $1 AND subject_id = $2 ORDER BY id",
        subject_kind,
        subject_id,
    )
    return [AccessRecord(**dict(r)) for r in rows]
