"""Supervision's SQL over its own tables (escalation, callback_call, follow_up).

Lists that join a supervision row with its case are the cases context's reads
(``backend.cases.store.oversight``).
"""

from __future__ import annotations

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
