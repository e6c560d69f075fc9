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
    *,
    by: str,
    township: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UrgeCount]:
    """Urges per ``township`` or per ``department`` (``by``), most first; ``township`` narrows
    to one township (None: the district); ``since``/``until``: urges made in [since, until)."""
    column = "department" if by == "department" else "township"
    rows = await db.fetch(
        f'SELECT {column} AS code, count(*) AS urges, count(DISTINCT "case") AS cases'  # noqa: S608 - a fixed column name
        " FROM case_urge WHERE ($1::text IS NULL OR township = $1::text)"
        " AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)"
        " AND ($3::timestamptz IS NULL OR at < $3::timestamptz)"
        f" AND {column} IS NOT NULL GROUP BY {column} ORDER BY count(*) DESC, {column}",
        township,
        since,
        until,
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


# --- 整改通知 (rectification orders) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewOrder:
    target_kind: str  # township | department
    township: str | None
    department: str | None
    case_number: str | None
    requirement: str
    deadline: date
    issued_by: str


async def insert_order(order: NewOrder) -> int:
    """Record an order (its first step is the caller's); the order's id."""
    row = await db.fetchrow(
        "INSERT INTO rectification_order (target_kind, township, department, case_number,"
        " requirement, deadline, state, issued_by, issued_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, 'open', $7::uuid, now()) RETURNING id",
        order.target_kind,
        order.township,
        order.department,
        order.case_number,
        order.requirement,
        order.deadline,
        order.issued_by,
    )
    assert row is not None  # INSERT … RETURNING always returns the row
    return int(row["id"])


async def add_order_step(order_id: int, *, by: str, action: str, note: str) -> int:
    """Record a step of an order; the step's id."""
    row = await db.fetchrow(
        'INSERT INTO rectification_step ("order", at, by, action, note)'
        " VALUES ($1, now(), $2::uuid, $3, $4) RETURNING id",
        order_id,
        by,
        action,
        note,
    )
    assert row is not None  # INSERT … RETURNING always returns the row
    return int(row["id"])


async def order_step_note(step_id: int) -> str:
    """The text of a step (the requirement of an issue), '' when none or no such step."""
    row = await db.fetchrow(
        "SELECT CASE WHEN p.action = 'issue' THEN o.requirement ELSE p.note END AS note"
        ' FROM rectification_step p JOIN rectification_order o ON o.id = p."order"'
        " WHERE p.id = $1",
        step_id,
    )
    return str(row["note"]) if row is not None else ""


async def set_order_state(order_id: int, *, state: str, closed_on: date | None = None) -> None:
    """Move an order on: ``responded`` stamps the response, ``closed`` the day it closed."""
    await db.execute(
        "UPDATE rectification_order SET state = $2::text,"
        " responded_at = CASE WHEN $2::text = 'responded' THEN now() ELSE responded_at END,"
        " closed_at = CASE WHEN $2::text = 'closed' THEN now() END, closed_on = $3::date"
        " WHERE id = $1",
        order_id,
        state,
        closed_on,
    )


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order as the lists and its page show it; ``overdue``: past its deadline and not
    closed; ``late``: closed after its deadline."""

    id: int
    target_kind: str
    township: str | None
    township_name: str
    department: str | None
    department_name: str
    case_number: str | None
    requirement: str
    deadline: date
    state: str
    issued_by: str
    issuer_name: str
    issued_at: datetime
    responded_at: datetime | None
    closed_on: date | None
    overdue: bool
    late: bool


@dataclass(frozen=True, slots=True)
class OrderStep:
    at: datetime
    by_name: str
    action: str
    note: str


@dataclass(frozen=True, slots=True)
class OrderScope:
    """Whose orders a list shows. A supervisor (``issuer``): those of ``township`` (None: the
    district's). An addressee: a township's desk (``desk_township``) or a department's
    approvers (``department``; ``approver_area`` their township, None when district-level)."""

    township: str | None = None
    desk_township: str | None = None
    department: str | None = None
    approver_area: str | None = None
    addressee: bool = False


_ORDER_COLUMNS = """
  o.id, o.target_kind, o.township, COALESCE(t.name, o.township, '') AS township_name,
  o.department, COALESCE(d.name, o.department, '') AS department_name, o.case_number,
  o.requirement, o.deadline, o.state, o.issued_by::text AS issued_by,
  COALESCE(s.display_name, '') AS issuer_name, o.issued_at, o.responded_at, o.closed_on,
  (o.state <> 'closed' AND o.deadline < $1::date) AS overdue,
  (o.state = 'closed' AND o.closed_on > o.deadline) AS late
"""

_ORDER_FROM = """
FROM rectification_order o
LEFT JOIN area t ON t.code = o.township
LEFT JOIN department d ON d.code = o.department
LEFT JOIN staff_user s ON s.id = o.issued_by
"""

_ORDER_SCOPE = """
  CASE WHEN $2::bool THEN
    (o.target_kind = 'township' AND o.township = $4::text)
    OR (o.target_kind = 'department' AND o.department = $5::text
        AND ($6::text IS NULL OR o.township IS NULL OR o.township = $6::text))
  ELSE ($3::text IS NULL OR o.township = $3::text) END
"""

ORDER_STATES: dict[str, str] = {
    "open": "o.state <> 'closed'",
    "overdue": "o.state <> 'closed' AND o.deadline < $1::date",
    "closed": "o.state = 'closed'",
    "all": "true",
}


def _scope_args(scope: OrderScope) -> tuple[object, ...]:
    return (
        scope.addressee,
        scope.township,
        scope.desk_township or "",
        scope.department or "",
        scope.approver_area,
    )


def _order(r: dict[str, object]) -> OrderRow:
    return OrderRow(**r)  # type: ignore[arg-type]


async def orders_page(
    *, scope: OrderScope, state: str, today: date, limit: int, offset: int
) -> tuple[list[OrderRow], int]:
    """Orders in the scope, the unclosed first (the earliest deadline, then the oldest first),
    then the closed ones, the last closed first; ``state``: a key of :data:`ORDER_STATES`."""
    where = ORDER_STATES.get(state, ORDER_STATES["all"])
    rows = await db.fetch(
        f"SELECT {_ORDER_COLUMNS}, count(*) OVER () AS total {_ORDER_FROM}"
        f" WHERE ({_ORDER_SCOPE}) AND {where}"
        " ORDER BY (o.state = 'closed'), CASE WHEN o.state <> 'closed' THEN o.deadline END,"
        " CASE WHEN o.state <> 'closed' THEN o.id END, o.closed_at DESC, o.id DESC"
        " LIMIT $7 OFFSET $8",
        today,
        *_scope_args(scope),
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        found = await db.fetchrow(
            f"SELECT count(*) AS n FROM rectification_order o"  # noqa: S608 - constant fragments
            f" WHERE $1::date IS NOT NULL AND ({_ORDER_SCOPE}) AND {where}",
            today,
            *_scope_args(scope),
        )
        total = int(found["n"]) if found is not None else 0
    return [_order({k: v for k, v in r.items() if k != "total"}) for r in rows], total


async def order(
    order_id: int, *, scope: OrderScope, today: date, lock: bool = False
) -> OrderRow | None:
    """One order if the scope sees it; ``lock`` holds it until the transaction ends."""
    row = await db.fetchrow(
        f"SELECT {_ORDER_COLUMNS} {_ORDER_FROM} WHERE o.id = $7 AND ({_ORDER_SCOPE})"
        + (" FOR UPDATE OF o" if lock else ""),
        today,
        *_scope_args(scope),
        order_id,
    )
    return None if row is None else _order(dict(row))


async def order_steps(order_id: int) -> list[OrderStep]:
    """The order's steps, oldest first, with who took them."""
    rows = await db.fetch(
        "SELECT p.at, COALESCE(s.display_name, '') AS by_name, p.action, p.note"
        " FROM rectification_step p LEFT JOIN staff_user s ON s.id = p.by"
        ' WHERE p."order" = $1 ORDER BY p.id',
        order_id,
    )
    return [OrderStep(**dict(r)) for r in rows]


@dataclass(frozen=True, slots=True)
class OrderCounts:
    """A township's orders: open (not yet due), closed on time, closed late, overdue."""

    township: str
    open: int
    closed_on_time: int
    closed_late: int
    overdue: int


async def order_counts(
    *,
    today: date,
    township: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[OrderCounts]:
    """Orders to townships counted per township (``township`` narrows to one; ``since`` and
    ``until`` to orders issued on those Asia/Shanghai days or between), by township code."""
    rows = await db.fetch(
        "SELECT township,"
        " count(*) FILTER (WHERE state <> 'closed' AND deadline >= $1::date) AS open,"
        " count(*) FILTER (WHERE state = 'closed' AND closed_on <= deadline) AS closed_on_time,"
        " count(*) FILTER (WHERE state = 'closed' AND closed_on > deadline) AS closed_late,"
        " count(*) FILTER (WHERE state <> 'closed' AND deadline < $1::date) AS overdue"
        " FROM rectification_order WHERE target_kind = 'township'"
        " AND ($2::text IS NULL OR township = $2::text)"
        " AND ($3::date IS NULL OR (issued_at AT TIME ZONE 'Asia/Shanghai')::date >= $3::date)"
        " AND ($4::date IS NULL OR (issued_at AT TIME ZONE 'Asia/Shanghai')::date <= $4::date)"
        " GROUP BY township ORDER BY township",
        today,
        township,
        since,
        until,
    )
    return [OrderCounts(**dict(r)) for r in rows]


async def order_addressees() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The townships and the departments an order can go to: ``(code, name)`` each."""
    towns = await db.fetch("SELECT code, name FROM area WHERE level = 'township' ORDER BY code")
    depts = await db.fetch("SELECT code, name FROM department ORDER BY code")
    return (
        [(str(r["code"]), str(r["name"])) for r in towns],
        [(str(r["code"]), str(r["name"])) for r in depts],
    )
