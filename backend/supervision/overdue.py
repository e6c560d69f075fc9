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
from datetime import date, timedelta
from typing import Any, Final

from backend.cases import clock
from backend.cases.states import Status
from backend.cases.store import overdue_list, oversight
from backend.cases.store.oversight import ClockedCase
from backend.cases.transitions import clock_events
from backend.supervision import store
from backend.supervision.schemas import ClockStatus, EscalationLevel, HolderKind

OPEN_WITH_CLOCK: Final = (
    Status.ACCEPTED.value,
    Status.IN_REVIEW.value,
    Status.AWAITING_SUPPLEMENT.value,
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


def _holder(row: ClockedCase, events: list[dict[str, Any]]) -> Holder:
    status = row.status
    if status == Status.IN_REVIEW.value:
        return Holder("department", row.department, row.department_name or "")
    if status == Status.AWAITING_SUPPLEMENT.value:
        if row.agent_id and row.filed_by_kind in ("agent", "bank"):
            return Holder("agent", row.agent_id, row.agent_name or "")
        return Holder("citizen", row.citizen_id, row.citizen_name or "")
    clerks = [e for e in events if e["actor_role"] == "window" and e["actor_id"]]
    if clerks:  # the front desk that accepted it (or acted on it last) keeps it
        last = clerks[-1]
        return Holder("window", str(last["actor_id"]), last["actor_name"] or "")
    return Holder("township", row.township, row.township_name or "")


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
    rows = await oversight.clocked_cases(
        statuses=OPEN_WITH_CLOCK, due_by=horizon, township=township
    )
    if not rows:
        return []
    ids = [r.id for r in rows]
    events = await oversight.clock_events_of(ids)
    levels = await store.escalated_levels(ids)
    out = []
    for row in rows:
        own = events[row.id]
        computed = clock.compute(
            clock_events(own), committed_days=row.committed_days, calendar=calendar, today=today
        )
        deadline = computed.deadline or row.deadline
        if deadline > horizon or (overdue_only and not today > deadline):
            continue
        left = computed.working_days_left
        if left is None:
            left = calendar.working_days_between(today, deadline)
        late = today > deadline
        out.append(
            OverdueCase(
                case_id=row.id,
                number=row.number,
                item=row.item,
                status=row.status,  # type: ignore[arg-type]
                township=row.township,
                township_name=row.township_name or "",
                district=row.district,
                deadline=deadline,
                working_days_left=left,
                days_overdue=calendar.working_days_between(deadline, today) if late else 0,
                overdue=late,
                paused=computed.paused,
                holder=_holder(row, own),
                escalated=levels.get(row.id, []),  # type: ignore[arg-type]
            )
        )
    out.sort(key=lambda c: (c.deadline, c.number))
    return out


# --- the portal's list: filtered, sorted and paged in SQL ------------------------------------

LATE_FILTERS: Final = {"": None, "soon": 0, "1": 1, "5": 5, "10": 10}
"""How late (``late=``): late or due soon (default), due soon only, at least n working days."""
HOLDER_KINDS: Final = ("window", "township", "department", "agent", "citizen")
WORKDAYS_BACK: Final = 3 * 366  # lateness is counted at most this many days back


@dataclass(frozen=True, slots=True)
class ListedCase:
    """A line of the list with the levels it was escalated to and how often it was urged."""

    line: overdue_list.OverdueLine
    escalated: list[str]
    urges: int


def workdays(calendar: Any, *, today: date, soon_days: int) -> list[date]:
    """The working days from :data:`WORKDAYS_BACK` days ago to past the soon horizon."""
    end = calendar.add_working_days(today, soon_days + 1)
    day = today - timedelta(days=WORKDAYS_BACK)
    out = []
    while day <= end:
        if calendar.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


async def listed(
    *,
    today: date,
    calendar: Any,
    where: overdue_list.OverdueFilter,
    sort: str,
    limit: int | None,
    offset: int,
) -> tuple[list[ListedCase], int]:
    lines, total = await overdue_list.overdue_page(
        statuses=OPEN_WITH_CLOCK,
        today=today,
        workdays=workdays(calendar, today=today, soon_days=where.soon_days),
        where=where,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    ids = [line.id for line in lines]
    levels = await store.escalated_levels(ids) if ids else {}
    urges = await store.urges_of(ids)
    return [ListedCase(x, levels.get(x.id, []), urges.get(x.id, 0)) for x in lines], total
