"""Supervision's SQL over its own tables (escalation, callback_call, follow_up).

Lists that join a supervision row with its case are the cases context's reads
(``backend.cases.store.oversight``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from backend import db
from backend.supervision.tables import CallbackCall, Escalation, FollowUp

_ESCALATE = (
    'INSERT INTO escalation ("case", level, area, at, on_day, deadline, days_overdue, reason)'
    " VALUES ($1, $2, $3, now(), $4, $5, $6, $7)"
    ' ON CONFLICT ("case", level) DO NOTHING RETURNING id'
)


async def insert_escalation(
    *,
    case_id: int,
    level: str,
    area: str,
    on_day: date,
    deadline: date,
    days_overdue: int,
    reason: str,
) -> int | None:
    """Record an escalation; its id, or None when the case was escalated to ``level`` before."""
    row = await db.fetchrow(_ESCALATE, case_id, level, area, on_day, deadline, days_overdue, reason)
    return None if row is None else int(row["id"])


async def lock_sample_week(week: date) -> None:
    """Serialise the draws of one week's call-back sample (until the transaction ends)."""
    await db.fetch(
        "SELECT pg_advisory_xact_lock(hashtext($1))", f"callback-sample:{week.isoformat()}"
    )


async def townships_drawn(week: date) -> set[str]:
    """The townships whose sample of ``week`` has been drawn."""
    rows = await db.fetch("SELECT DISTINCT township FROM callback_call WHERE week = $1", week)
    return {str(r["township"]) for r in rows}


async def insert_call(*, week: date, case_id: int, township: str) -> bool:
    """Add a case to the week's sample; False when it is in it already."""
    row = await db.fetchrow(
        'INSERT INTO callback_call (week, "case", township, drawn_at, note)'
        " VALUES ($1, $2, $3, now(), '') ON CONFLICT (week, \"case\") DO NOTHING RETURNING id",
        week,
        case_id,
        township,
    )
    return row is not None


async def record_call(
    *,
    call_id: int,
    at: datetime,
    by: str,
    reached: bool,
    satisfied: int | None,
    trips: int | None,
    note: str,
) -> None:
    """What a call-back found (replacing what an earlier try recorded)."""
    await (
        CallbackCall.update(
            {
                CallbackCall.called_at: at,
                CallbackCall.called_by: by,
                CallbackCall.reached: reached,
                CallbackCall.satisfied: satisfied,
                CallbackCall.trips: trips,
                CallbackCall.note: note,
            }
        )
        .where(CallbackCall.id == call_id)
        .run()
    )


_OPEN_FOLLOW_UP = (
    'INSERT INTO follow_up ("case", evaluation, round, score, township, assignee, opened_at,'
    " contact_due, resolve_due, contact_note, resolution)"
    " VALUES ($1, $2, $3, $4, $5, $6::uuid, now(), $7, $8, '', '')"
    " ON CONFLICT (evaluation) DO NOTHING RETURNING id"
)


async def open_follow_up(
    *,
    case_id: int,
    evaluation_id: int,
    round: int,
    score: int,
    township: str | None,
    assignee: str | None,
    contact_due: date,
    resolve_due: date,
) -> int | None:
    """Open the follow-up of a rating; its id, or None when the rating has one already."""
    row = await db.fetchrow(
        _OPEN_FOLLOW_UP,
        case_id,
        evaluation_id,
        round,
        score,
        township,
        assignee,
        contact_due,
        resolve_due,
    )
    return None if row is None else int(row["id"])


async def record_contact(*, follow_up_id: int, at: datetime, by: str, note: str) -> None:
    """The call-back to the citizen (回访) of a follow-up."""
    await (
        FollowUp.update(
            {FollowUp.contacted_at: at, FollowUp.contacted_by: by, FollowUp.contact_note: note}
        )
        .where(FollowUp.id == follow_up_id)
        .run()
    )


async def record_resolution(*, follow_up_id: int, at: datetime, by: str, note: str) -> None:
    """Close a follow-up with what was put right."""
    await (
        FollowUp.update(
            {FollowUp.resolved_at: at, FollowUp.resolved_by: by, FollowUp.resolution: note}
        )
        .where(FollowUp.id == follow_up_id)
        .run()
    )


async def first_rating_resolved(case_id: int) -> bool:
    """Whether the follow-up of the case's first rating has been resolved."""
    return bool(
        await FollowUp.exists()
        .where(
            (FollowUp.case == case_id) & (FollowUp.round == 1) & FollowUp.resolved_at.is_not_null()
        )
        .run()
    )


async def escalated_levels(case_ids: list[int]) -> dict[int, list[str]]:
    """The levels each of these cases was escalated to, in the order it happened."""
    found: dict[int, list[str]] = {}
    for row in (
        await Escalation.select(Escalation.case, Escalation.level)
        .where(Escalation.case.is_in(case_ids))
        .order_by(Escalation.id)
        .run()
    ):
        found.setdefault(row["case"], []).append(row["level"])
    return found


async def lock_case_urges(case_id: int) -> None:
    """Serialise urges of one case (until the transaction ends): two clicks urge once."""
    await db.fetch("SELECT pg_advisory_xact_lock(hashtext($1))", f"case-urge:{case_id}")


async def last_urge_at(case_id: int) -> datetime | None:
    """When the case was last urged, if ever."""
    row = await db.fetchrow('SELECT max(at) AS at FROM case_urge WHERE "case" = $1', case_id)
    return None if row is None else row["at"]


@dataclass(frozen=True, slots=True)
class NewUrge:
    case_id: int
    by: str
    township: str | None
    department: str | None
    holder_kind: str
    holder_id: str | None
    note: str


async def insert_urge(urge: NewUrge) -> int:
    """Record an urge; its id."""
    row = await db.fetchrow(
        'INSERT INTO case_urge ("case", at, by, township, department, holder_kind, holder_id,'
        " note) VALUES ($1, now(), $2::uuid, $3, $4, $5, $6, $7) RETURNING id",
        urge.case_id,
        urge.by,
        urge.township,
        urge.department,
        urge.holder_kind,
        urge.holder_id,
        urge.note,
    )
    assert row is not None  # INSERT … RETURNING always returns the row
    return int(row["id"])


@dataclass(frozen=True, slots=True)
class UrgeCount:
    """Urges of one township's or department's cases, in all and those made since a day."""

    code: str
    urges: int
    cases: int  # distinct cases urged


async def urge_counts(
    *, by: str, township: str | None, since: datetime | None = None
) -> list[UrgeCount]:
    """Urges per ``township`` or per ``department`` (``by``), most first; ``township`` narrows
    to one township (None: the district); ``since`` to urges from that moment on."""
    column = "department" if by == "department" else "township"
    rows = await db.fetch(
        f'SELECT {column} AS code, count(*) AS urges, count(DISTINCT "case") AS cases'  # noqa: S608 - a fixed column name
        " FROM case_urge WHERE ($1::text IS NULL OR township = $1::text)"
        " AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)"
        f" AND {column} IS NOT NULL GROUP BY {column} ORDER BY count(*) DESC, {column}",
        township,
        since,
    )
    return [UrgeCount(str(r["code"]), int(r["urges"]), int(r["cases"])) for r in rows]


async def urge_note(urge_id: int) -> str:
    """The supervisor's note of an urge ('' when none, or no such urge)."""
    row = await db.fetchrow("SELECT note FROM case_urge WHERE id = $1", urge_id)
    return str(row["note"]) if row is not None else ""


async def urges_of(case_ids: list[int]) -> dict[int, int]:
    """How many times each of these cases was urged (those never urged are absent)."""
    if not case_ids:
        return {}
    rows = await db.fetch(
        'SELECT "case", count(*) AS n FROM case_urge WHERE "case" = ANY($1::bigint[])'
        ' GROUP BY "case"',
        case_ids,
    )
    return {int(r["case"]): int(r["n"]) for r in rows}
