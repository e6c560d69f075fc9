"""Overdue and nearly-due open cases, who holds each one now, and how late it is.

The clock is the case's own (``backend.cases.clock``, recomputed from its events on the working
day calendar); the stored ``deadline`` only narrows the search, since a pause for a supplement
can move a deadline later but never earlier. Bundles are followed by their items (children), each
on its own clock, as the window works them. A case's clock stops at the decision (approved,
denied), so only accepted cases, cases in review and cases awaiting a supplement after acceptance
can be overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from backend.cases import clock
from backend.cases.states import Status
from backend.cases.transitions import clock_events
from backend.supervision.schemas import ClockStatus, EscalationLevel, HolderKind
from backend.supervision.tables import Escalation

OPEN_WITH_CLOCK: Final = (
    Status.ACCEPTED.value,
    Status.IN_REVIEW.value,
    Status.AWAITING_SUPPLEMENT.value,
)

_CANDIDATES = (
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
    " WHERE c.closed_at IS NULL AND c.accepted_at IS NOT NULL AND c.status = ANY({})"
    " AND c.deadline IS NOT NULL AND c.deadline <= {}"
    " AND NOT (c.bundle_code IS NOT NULL AND c.parent IS NULL)"
    " AND ({}::text IS NULL OR c.township = {}::text)"
    " ORDER BY c.deadline, c.number"
)
_EVENTS = (
    'SELECT e."case", e.at, e.action, e.from_status, e.to_status, e.actor_id, e.actor_role,'
    " s.display_name AS actor_name FROM case_event e"
    " LEFT JOIN staff_user s ON s.id::text = e.actor_id"
    ' WHERE e."case" = ANY({}::bigint[]) ORDER BY e.id'
)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who the case waits for now."""

    kind: HolderKind
    id: str | None
    name: str


@dataclass(frozen=True, slots=True)
class OverdueCase:
    case_id: int
    number: str
    item: str
    status: ClockStatus
    township: str | None
    township_name: str
    district: str | None
    deadline: date
    working_days_left: int  # negative once overdue
    days_overdue: int  # working days past the deadline (0 while not overdue)
    overdue: bool
    paused: bool
    holder: Holder
    escalated: list[EscalationLevel] = field(default_factory=list)  # levels escalated to


def _holder(row: dict[str, Any], events: list[dict[str, Any]]) -> Holder:
    status = row["status"]
    if status == Status.IN_REVIEW.value:
        return Holder("department", row["department"], row["department_name"] or "")
    if status == Status.AWAITING_SUPPLEMENT.value:
        if row["agent_id"] and row["filed_by_kind"] in ("agent", "bank"):
            return Holder("agent", row["agent_id"], row["agent_name"] or "")
        return Holder("citizen", row["citizen_id"], row["citizen_name"] or "")
    clerks = [e for e in events if e["actor_role"] == "window" and e["actor_id"]]
    if clerks:  # the front desk that accepted it (or acted on it last) keeps it
        last = clerks[-1]
        return Holder("window", str(last["actor_id"]), last["actor_name"] or "")
    return Holder("township", row["township"], row["township_name"] or "")


async def find(
    *,
    today: date,
    calendar: clock.Calendar,
    soon_days: int,
    township: str | None = None,
    overdue_only: bool = False,
) -> list[OverdueCase]:
    """Open cases past their deadline or due within ``soon_days`` working days, most late first.

    ``township`` narrows to one township (None: the whole district).
    """
    horizon = today if overdue_only else calendar.add_working_days(today, soon_days)
    rows = [
        dict(r)
        for r in await Escalation.raw(
            _CANDIDATES, list(OPEN_WITH_CLOCK), horizon, township, township
        ).run()
    ]
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    events: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for event in await Escalation.raw(_EVENTS, ids).run():
        events[event["case"]].append(dict(event))
    levels: dict[int, list[EscalationLevel]] = {}
    for esc in (
        await Escalation.select(Escalation.case, Escalation.level)
        .where(Escalation.case.is_in(ids))
        .order_by(Escalation.id)
        .run()
    ):
        levels.setdefault(esc["case"], []).append(esc["level"])
    out = []
    for row in rows:
        own = events[row["id"]]
        computed = clock.compute(
            clock_events(own), committed_days=row["committed_days"], calendar=calendar, today=today
        )
        deadline = computed.deadline or row["deadline"]
        if deadline > horizon or (overdue_only and not today > deadline):
            continue
        left = computed.working_days_left
        if left is None:
            left = calendar.working_days_between(today, deadline)
        late = today > deadline
        out.append(
            OverdueCase(
                case_id=row["id"],
                number=row["number"],
                item=row["item"],
                status=row["status"],
                township=row["township"],
                township_name=row["township_name"] or "",
                district=row["district"],
                deadline=deadline,
                working_days_left=left,
                days_overdue=calendar.working_days_between(deadline, today) if late else 0,
                overdue=late,
                paused=computed.paused,
                holder=_holder(row, own),
                escalated=levels.get(row["id"], []),
            )
        )
    out.sort(key=lambda c: (c.deadline, c.number))
    return out
