"""Reads of the case tables for the oversight contexts (supervision, platform, statistics).

Owned by the cases context and written for supervision's lists: each joins a supervision row
with the case it is about (number, item, citizen, township) and pages in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend import db
from backend.cases.store.cases import COLUMNS, CaseRecord, record


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


@dataclass(frozen=True, slots=True)
class RatedCase:
    """A rating (好差评) with its case and the township the case belongs to."""

    id: int
    round: int
    score: int
    created_at: datetime
    case_id: int
    number: str
    township: str | None
    district: str | None


_RATED = (
    "SELECT v.id, v.round, v.score, v.created_at, c.id AS case_id, c.number,"
    " COALESCE(c.township, vil.parent) AS township, t.parent AS district"
    ' FROM evaluation v JOIN case_record c ON c.id = v."case"'
    " JOIN citizen a ON a.id = c.applicant LEFT JOIN area vil ON vil.code = a.village"
    " LEFT JOIN area t ON t.code = COALESCE(c.township, vil.parent)"
    ' WHERE v."case" = $1 AND v.round = $2'
)


async def rated_case(*, case_id: int, round: int) -> RatedCase | None:
    """The rating of ``round`` of the case, or None."""
    row = await db.fetchrow(_RATED, case_id, round)
    return None if row is None else RatedCase(**dict(row))


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    """A follow-up of a bad rating (差评整改) with its rating, case and citizen."""

    id: int
    round: int
    score: int
    township: str | None
    assignee: str | None
    opened_at: datetime
    contact_due: date
    resolve_due: date
    contacted_at: datetime | None
    contact_note: str
    resolved_at: datetime | None
    resolution: str
    number: str
    citizen_id: str
    citizen_name: str | None
    phone_masked: str | None
    comment: str | None
    rated_at: datetime
    item: str
    township_name: str | None
    assignee_name: str | None


_FOLLOW_UP = (
    "SELECT f.id, f.round, f.score, f.township, f.assignee::text AS assignee,"
    " f.opened_at, f.contact_due, f.resolve_due, f.contacted_at, f.contact_note,"
    " f.resolved_at, f.resolution, c.number, c.applicant::text AS citizen_id,"
    " a.name AS citizen_name, a.phone_masked, v.comment, v.created_at AS rated_at,"
    " COALESCE(i.name, c.item_code, c.bundle_code, '') AS item, t.name AS township_name,"
    " s.display_name AS assignee_name"
    ' FROM follow_up f JOIN case_record c ON c.id = f."case"'
    " JOIN evaluation v ON v.id = f.evaluation JOIN citizen a ON a.id = c.applicant"
    " LEFT JOIN item_version i ON i.id = c.item_version LEFT JOIN area t ON t.code = f.township"
    " LEFT JOIN staff_user s ON s.id = f.assignee"
)
_FOLLOW_UPS_WHERE = (
    " WHERE ($2::text IS NULL OR f.township = $2::text) AND CASE $1::text"
    " WHEN 'open' THEN f.resolved_at IS NULL"
    " WHEN 'overdue' THEN f.resolved_at IS NULL AND (f.resolve_due < $3::date"
    " OR (f.contacted_at IS NULL AND f.contact_due < $3::date))"
    " WHEN 'resolved' THEN f.resolved_at IS NOT NULL"
    " ELSE TRUE END"
)
_FOLLOW_UPS = (
    _FOLLOW_UP
    + _FOLLOW_UPS_WHERE
    + " ORDER BY (f.resolved_at IS NULL) DESC, f.resolve_due, f.id LIMIT $4 OFFSET $5"
)
_FOLLOW_UPS_COUNT = "SELECT count(*) AS n FROM follow_up f" + _FOLLOW_UPS_WHERE  # noqa: S608


async def follow_ups_page(
    *, state: str, township: str | None, today: date, page: int, page_size: int
) -> tuple[list[FollowUpRow], int]:
    """Follow-ups ``open``, ``overdue`` (on ``today``), ``resolved`` or ``all`` (in
    ``township`` when given): open first, due first; one page and the count."""
    rows = await db.fetch(_FOLLOW_UPS, state, township, today, page_size, (page - 1) * page_size)
    counted = await db.fetchrow(_FOLLOW_UPS_COUNT, state, township, today)
    return [FollowUpRow(**dict(r)) for r in rows], int(counted["n"]) if counted else 0


async def follow_up(follow_up_id: int, *, lock: bool = False) -> FollowUpRow | None:
    """One follow-up, or None; ``lock`` holds its row until the transaction ends."""
    row = await db.fetchrow(
        _FOLLOW_UP + " WHERE f.id = $1" + (" FOR UPDATE OF f" if lock else ""), follow_up_id
    )
    return None if row is None else FollowUpRow(**dict(row))


@dataclass(frozen=True, slots=True)
class RatingRow:
    """A rating seen by supervisors, with the dates of its follow-up when one was opened."""

    id: int
    round: int
    score: int
    comment: str | None
    rated_at: datetime
    number: str
    item: str
    township: str | None
    follow_up_id: int | None
    contact_due: date | None
    resolve_due: date | None
    contacted_at: datetime | None
    resolved_at: datetime | None
    contact_note: str | None
    resolution: str | None


_RATINGS_FROM = (
    ' FROM evaluation v JOIN case_record c ON c.id = v."case"'
    " JOIN citizen a ON a.id = c.applicant LEFT JOIN area vil ON vil.code = a.village"
    " LEFT JOIN follow_up f ON f.evaluation = v.id"
)
_RATINGS_WHERE = (
    " WHERE (NOT $1::boolean OR v.score <= $2::integer)"
    " AND ($3::text IS NULL OR COALESCE(f.township, c.township, vil.parent) = $3::text)"
)
_RATINGS = (
    "SELECT v.id, v.round, v.score, v.comment, v.created_at AS rated_at, c.number,"
    " COALESCE(i.name, c.item_code, c.bundle_code, '') AS item,"
    " COALESCE(f.township, c.township, vil.parent) AS township, f.id AS follow_up_id,"
    " f.contact_due, f.resolve_due, f.contacted_at, f.resolved_at, f.contact_note, f.resolution"
    + _RATINGS_FROM
    + " LEFT JOIN item_version i ON i.id = c.item_version"
    + _RATINGS_WHERE
    + " ORDER BY v.id DESC LIMIT $4 OFFSET $5"
)
_RATINGS_COUNT = "SELECT count(*) AS n" + _RATINGS_FROM + _RATINGS_WHERE


async def ratings_page(
    *, bad_at_most: int | None, township: str | None, page: int, page_size: int
) -> tuple[list[RatingRow], int]:
    """Ratings (only those scoring ``bad_at_most`` or less when given) of cases in
    ``township`` (None: all), newest first; one page and the count."""
    args = (bad_at_most is not None, bad_at_most or 0, township)
    rows = await db.fetch(_RATINGS, *args, page_size, (page - 1) * page_size)
    counted = await db.fetchrow(_RATINGS_COUNT, *args)
    return [RatingRow(**dict(r)) for r in rows], int(counted["n"]) if counted else 0


@dataclass(frozen=True, slots=True)
class ClockedCase:
    """An open, accepted case whose stored deadline is near: what the overdue list shows."""

    id: int
    number: str
    status: str
    township: str | None
    committed_days: int
    deadline: date
    filed_by_kind: str
    agent_id: str | None
    citizen_id: str
    department: str | None
    township_name: str | None
    district: str | None
    item: str
    citizen_name: str | None
    agent_name: str | None
    department_name: str | None


_CLOCKED = (
    "SELECT c.id, c.number, c.status, c.township, c.committed_days, c.deadline,"
    " c.filed_by_kind, c.filed_by_staff::text AS agent_id, c.applicant::text AS citizen_id,"
    " c.department, t.name AS township_name, t.parent AS district,"
    " COALESCE(i.name, c.item_code, '') AS item, a.name AS citizen_name,"
    " s.display_name AS agent_name, d.name AS department_name"
    " FROM case_record c"
    " LEFT JOIN area t ON t.code = c.township"
    " LEFT JOIN item_version i ON i.id = c.item_version"
    " JOIN citizen a ON a.id = c.applicant"
    " LEFT JOIN staff_user s ON s.id = c.filed_by_staff"
    " LEFT JOIN department d ON d.code = c.department"
    " WHERE c.closed_at IS NULL AND c.accepted_at IS NOT NULL AND c.status = ANY($1::text[])"
    " AND c.deadline IS NOT NULL AND c.deadline <= $2"
    " AND NOT (c.bundle_code IS NOT NULL AND c.parent IS NULL)"
    " AND ($3::text IS NULL OR c.township = $3::text)"
    " ORDER BY c.deadline, c.number"
)
_CLOCK_EVENTS = (
    'SELECT e."case", e.at, e.action, e.from_status, e.to_status, e.actor_id, e.actor_role,'
    " s.display_name AS actor_name FROM case_event e"
    " LEFT JOIN staff_user s ON s.id::text = e.actor_id"
    ' WHERE e."case" = ANY($1::bigint[]) ORDER BY e.id'
)


async def clocked_cases(
    *, statuses: tuple[str, ...], due_by: date, township: str | None
) -> list[ClockedCase]:
    """Open accepted cases in ``statuses`` whose stored deadline is ``due_by`` or earlier (the
    items of a bundle, not its parent), in ``township`` when given; by deadline."""
    rows = await db.fetch(_CLOCKED, list(statuses), due_by, township)
    return [ClockedCase(**dict(r)) for r in rows]


async def clock_events_of(case_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The events of these cases in order, by case, in the shape
    ``backend.cases.transitions.clock_events`` reads (with the acting staff member's name)."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in case_ids}
    for row in await db.fetch(_CLOCK_EVENTS, case_ids):
        found[int(row["case"])].append(dict(row))
    return found


async def cases_filed_by(agent_ids: list[str]) -> list[CaseRecord]:
    """Every case these agents filed, whole rows (as ``delegation.custody`` reads them)."""
    rows = await db.fetch(
        f"SELECT {COLUMNS} FROM case_record WHERE filed_by_staff = ANY($1::uuid[])",  # noqa: S608
        agent_ids,
    )
    return [record(r) for r in rows]


# --- forwarding to external platforms --------------------------------------------------------


_STATUS = "SELECT status FROM case_record WHERE id = $1"
_STATUS_LOCKED = _STATUS + " FOR UPDATE"


async def case_status(case_id: int, *, lock: bool = False) -> str | None:
    """The case's status, or None; ``lock`` holds the case row until the transaction ends."""
    row = await db.fetchrow(_STATUS_LOCKED if lock else _STATUS, case_id)
    return None if row is None else str(row["status"])


async def locked_case_row(case_id: int) -> CaseRecord | None:
    """The whole case row, locked until the transaction ends (as ``cases.formreveal`` and the
    platform push read it), or None."""
    row = await db.fetchrow(
        f"SELECT {COLUMNS} FROM case_record WHERE id = $1 FOR UPDATE",  # noqa: S608
        case_id,
    )
    return None if row is None else record(row)


async def submitted_children(case_id: int) -> list[int]:
    """The ids of a bundle's items still ``submitted``."""
    rows = await db.fetch(
        "SELECT id FROM case_record WHERE parent = $1 AND status = 'submitted'", case_id
    )
    return [int(r["id"]) for r in rows]


async def case_by_number(number: str) -> tuple[int, str] | None:
    """``(id, status)`` of the case with this number, or None."""
    row = await db.fetchrow("SELECT id, status FROM case_record WHERE number = $1", number)
    return None if row is None else (int(row["id"]), str(row["status"]))


@dataclass(frozen=True, slots=True)
class ChildLine:
    number: str
    item_code: str | None
    department: str | None


async def children_of(case_id: int) -> list[ChildLine]:
    """A bundle's items by number."""
    rows = await db.fetch(
        "SELECT number, item_code, department FROM case_record WHERE parent = $1 ORDER BY number",
        case_id,
    )
    return [ChildLine(**dict(r)) for r in rows]


@dataclass(frozen=True, slots=True)
class MaterialLine:
    material_type: str
    source: str
    upload_id: str | None
    shared_ref: str | None


async def materials_of(case_id: int) -> list[MaterialLine]:
    """The case's materials in the order they were given."""
    rows = await db.fetch(
        "SELECT material_type, source, upload_id, shared_ref"
        ' FROM case_material WHERE "case" = $1 ORDER BY id',
        case_id,
    )
    return [MaterialLine(**dict(r)) for r in rows]
