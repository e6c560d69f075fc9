"""The statutory clock (standard library only): deadlines in working days, from the event log.

The deadline is the Nth working day after the day of acceptance (N = the item's committed
days), moved on by every working day spent awaiting a supplement after acceptance. It is
recomputed from the case's events with the injected working-day calendar, never stored as the
truth.

The five-day rule (行政许可法 art. 32(1)(4)): a supplement notice must reach the applicant
within five working days of receipt; one asked later, before acceptance, means the application
counts as accepted on the day it was received — the clock starts then, paused while the
applicant supplies what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

SUPPLEMENT_NOTICE_DAYS: Final = 5
"""Working days after receipt within which a supplement must be asked (行政许可法 art. 32)."""


class Calendar(Protocol):
    def add_working_days(self, start: date, days: int) -> date: ...
    def working_days_between(self, start: date, end: date) -> int: ...


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One event that matters to the clock, on its local (Asia/Shanghai) day."""

    day: date
    kind: str
    """"receive" (filed), "ask" (supplement asked before acceptance), "accept", "pause"
    (supplement asked after acceptance), "resume", "close"."""


@dataclass(frozen=True, slots=True)
class Clock:
    accepted_on: date | None
    deadline: date | None
    paused_working_days: int
    paused: bool
    working_days_left: int | None  # negative when overdue; None before acceptance or once closed
    overdue: bool


def late_supplement(received_on: date, asked_on: date, calendar: Calendar) -> bool:
    """A supplement asked after the fifth working day from receipt: acceptance dates from
    receipt."""
    return asked_on > calendar.add_working_days(received_on, SUPPLEMENT_NOTICE_DAYS)


def compute(
    events: Sequence[ClockEvent], *, committed_days: int, calendar: Calendar, today: date
) -> Clock:
    received_on: date | None = None
    accepted_on: date | None = None
    paused_since: date | None = None
    paused_days = 0
    closed_on: date | None = None
    for event in sorted(events, key=lambda e: e.day):
        if event.kind == "receive" and received_on is None:
            received_on = event.day
        elif (
            event.kind == "ask"
            and accepted_on is None
            and received_on is not None
            and late_supplement(received_on, event.day, calendar)
        ):
            accepted_on, paused_since = received_on, event.day
        elif event.kind == "accept" and accepted_on is None:
            accepted_on = event.day
        elif event.kind == "pause" and accepted_on is not None and paused_since is None:
            paused_since = event.day
        elif event.kind == "resume" and paused_since is not None:
            paused_days += calendar.working_days_between(paused_since, event.day)
            paused_since = None
        elif event.kind == "close":
            closed_on = event.day
    if accepted_on is None:
        return Clock(None, None, 0, False, None, False)
    end = closed_on or today
    if paused_since is not None:  # still waiting: the days so far count, the deadline keeps moving
        paused_days += calendar.working_days_between(paused_since, max(end, paused_since))
    deadline = calendar.add_working_days(accepted_on, committed_days + paused_days)
    if closed_on is not None:
        return Clock(accepted_on, deadline, paused_days, False, None, closed_on > deadline)
    if today <= deadline:
        left = calendar.working_days_between(today, deadline)
    else:
        left = -calendar.working_days_between(deadline, today)
    return Clock(
        accepted_on, deadline, paused_days, paused_since is not None, left, today > deadline
    )
