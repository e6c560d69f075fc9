"""Reads of the case tables for the oversight contexts (supervision, platform, statistics).

Owned by the cases context and written for supervision's lists: each joins a supervision row
with the case it is about (number, item, citizen, township) and pages in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from backend import db


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """An escalation (督办) of an overdue case, with the case's number and status."""

    id: int
    level: str
    area: str
    at: datetime
    on_day: date
    deadline: date
    days_overdue: int
    reason: str
    number: str
    status: str
    township: str | None


_ESCALATIONS = (
    "SELECT e.id, e.level, e.area, e.at, e.on_day, e.deadline, e.days_overdue, e.reason,"
    " c.number, c.status, c.township, count(*) OVER () AS total"
    ' FROM escalation e JOIN case_record c ON c.id = e."case"'
    " WHERE ($1::text IS NULL OR c.township = $1::text)"
    " ORDER BY e.id DESC LIMIT $2 OFFSET $3"
)


async def escalations_page(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[EscalationRow], int]:
    """Escalations of cases in ``township`` (None: all), newest first; a page and the count."""
    rows = await db.fetch(_ESCALATIONS, township, page_size, (page - 1) * page_size)
    total = int(rows[0]["total"]) if rows else 0
    return [EscalationRow(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total


@dataclass(frozen=True, slots=True)
class CallRow:
    """A call-back of the weekly sample (电话回访) with the case and citizen it is about."""

    id: int
    week: date
    township: str | None
    drawn_at: datetime
    called_at: datetime | None
    reached: bool | None
    satisfied: int | None
    trips: int | None
    note: str
    number: str
    status: str
    closed_at: datetime | None
    channel: str
    citizen_name: str | None
    phone_masked: str | None
    item: str
    township_name: str | None
    called_by_name: str | None


_CALL = (
    "SELECT k.id, k.week, k.township, k.drawn_at, k.called_at, k.reached, k.satisfied,"
    " k.trips, k.note, c.number, c.status, c.closed_at, c.channel, a.name AS citizen_name,"
    " a.phone_masked, COALESCE(i.name, c.item_code, c.bundle_code, '') AS item,"
    " t.name AS township_name, s.display_name AS called_by_name"
    ' FROM callback_call k JOIN case_record c ON c.id = k."case"'
    " JOIN citizen a ON a.id = c.applicant LEFT JOIN item_version i ON i.id = c.item_version"
    " LEFT JOIN area t ON t.code = k.township LEFT JOIN staff_user s ON s.id = k.called_by"
)
_CALLS_WHERE = " WHERE k.week = $1 AND ($2::text IS NULL OR k.township = $2::text)"
_CALLS = _CALL + _CALLS_WHERE + " ORDER BY (k.called_at IS NULL) DESC, c.number LIMIT $3 OFFSET $4"
_CALLS_COUNT = "SELECT count(*) AS n FROM callback_call k" + _CALLS_WHERE  # noqa: S608


async def calls_page(
    *, week: date, township: str | None, page: int, page_size: int
) -> tuple[list[CallRow], int]:
    """The week's sample (in ``township`` when given): calls still to make first, by number."""
    rows = await db.fetch(_CALLS, week, township, page_size, (page - 1) * page_size)
    counted = await db.fetchrow(_CALLS_COUNT, week, township)
    return [CallRow(**dict(r)) for r in rows], int(counted["n"]) if counted else 0


async def call(call_id: int) -> CallRow | None:
    """One call of a sample, or None."""
    row = await db.fetchrow(_CALL + " WHERE k.id = $1", call_id)
    return None if row is None else CallRow(**dict(row))


_CLOSED = (
    "SELECT c.id, c.township FROM case_record c WHERE c.parent IS NULL"
    " AND c.restricted_at IS NULL"
    " AND c.closed_at >= $1 AND c.closed_at < $2 AND c.status = ANY($3::text[])"
    " AND c.township IS NOT NULL ORDER BY c.township, c.id"
)


async def closed_cases_by_township(
    *, start: datetime, end: datetime, statuses: tuple[str, ...]
) -> dict[str, list[int]]:
    """Top-level, unrestricted cases closed in [start, end) with one of ``statuses``: their
    ids by township."""
    found: dict[str, list[int]] = {}
    for row in await db.fetch(_CLOSED, start, end, list(statuses)):
        found.setdefault(str(row["township"]), []).append(int(row["id"]))
    return found
