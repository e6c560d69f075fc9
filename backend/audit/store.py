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
