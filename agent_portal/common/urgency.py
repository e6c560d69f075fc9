"""How urgent a case looks on a staff page: a colour class *and* a text label (never colour alone).

With a deadline (after acceptance) it is the working days left: overdue is red, today or one
working day left is amber. Before acceptance there is no deadline yet, so a queued case is judged
by how long it has waited: two working days or more is red, one is amber. This only decides how
a line looks; the deadline itself is always the domain's (``CaseForStaff.deadline``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from agent_portal.common import texts
from backend.cases.clock import Calendar

OVERDUE: Final = "overdue"
SOON: Final = "soon"
NORMAL: Final = "normal"
PAUSED: Final = "paused"

SOON_DAYS: Final = 1
WAIT_SOON_DAYS: Final = 1
WAIT_LONG_DAYS: Final = 2


@dataclass(frozen=True, slots=True)
class Urgency:
    level: str  # overdue | soon | normal | paused
    label: str


def by_days_left(left: int | None, *, paused: bool = False) -> Urgency | None:
    """From the working days left the domain computed (``None``: no running clock)."""
    if left is None:
        return None
    label = texts.days_left(left)
    if paused:
        return Urgency(PAUSED, label + "（补正中，已暂停计时）")
    if left < 0:
        return Urgency(OVERDUE, label)
    if left <= SOON_DAYS:
        return Urgency(SOON, label)
    return Urgency(NORMAL, label)


def left_until(deadline: date, *, today: date, calendar: Calendar) -> int:
    """Working days from today to the deadline, negative once past (as ``cases.clock``)."""
    if today <= deadline:
        return calendar.working_days_between(today, deadline)
    return -calendar.working_days_between(deadline, today)


def of_entry(*, deadline: str | None, submitted: date, today: date, calendar: Calendar) -> Urgency:
    """A line of a staff list: by its deadline when it has one, else by its waiting time."""
    if deadline:
        left = left_until(date.fromisoformat(deadline), today=today, calendar=calendar)
        found = by_days_left(left)
        assert found is not None
        return found
    waited = calendar.working_days_between(submitted, today) if submitted < today else 0
    label = texts.waited(waited)
    if waited >= WAIT_LONG_DAYS:
        return Urgency(OVERDUE, label)
    if waited >= WAIT_SOON_DAYS:
        return Urgency(SOON, label)
    return Urgency(NORMAL, label)
