"""The state machine and the statutory clock, against the official calendars."""

from __future__ import annotations

from datetime import date

import pytest

from backend.cases.clock import Clock, ClockEvent, compute, late_supplement
from backend.cases.states import Action, NotAllowed, Status, allowed_actions, decide, public_status
from backend.workdays.calendar import ChinaCalendar

pytestmark = pytest.mark.unit

CAL = ChinaCalendar()


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


def test_the_happy_path():
    status = Status.SUBMITTED
    for action in (
        Action.FORWARD,
        Action.ACCEPT,
        Action.TRANSFER,
        Action.APPROVE,
        Action.ISSUE_RESULT,
        Action.DELIVER,
    ):
        status = decide(status, action).to
    assert status == Status.DELIVERED
    assert public_status(status) == "closed"


def test_supplement_returns_where_it_came_from_and_pauses_only_after_acceptance():
    before = decide(Status.QUEUED, Action.REQUEST_SUPPLEMENT)
    assert before.to == Status.AWAITING_SUPPLEMENT and before.resume_to == Status.QUEUED
    assert not before.pauses_clock
    assert (
        decide(Status.AWAITING_SUPPLEMENT, Action.SUPPLY, resume_to=Status.QUEUED).to
        == Status.QUEUED
    )
    after = decide(Status.IN_REVIEW, Action.REQUEST_SUPPLEMENT)
    assert after.pauses_clock and after.resume_to == Status.IN_REVIEW
    back = decide(Status.AWAITING_SUPPLEMENT, Action.SUPPLY, resume_to=Status.IN_REVIEW)
    assert back.to == Status.IN_REVIEW and back.resumes_clock


def test_withdrawal_only_before_acceptance():
    assert decide(Status.QUEUED, Action.WITHDRAW).to == Status.WITHDRAWN
    assert (
        decide(Status.AWAITING_SUPPLEMENT, Action.WITHDRAW, resume_to=Status.QUEUED).to
        == Status.WITHDRAWN
    )
    for status, resume in ((Status.ACCEPTED, None), (Status.AWAITING_SUPPLEMENT, Status.ACCEPTED)):
        with pytest.raises(NotAllowed, match=r"不能撤回|已受理"):
            decide(status, Action.WITHDRAW, resume_to=resume)


def test_closed_cases_allow_nothing():
    for status in (Status.DENIED, Status.REJECTED, Status.DELIVERED, Status.WITHDRAWN):
        assert allowed_actions(status) == []


def test_every_status_is_reachable():
    reached = {Status.SUBMITTED}
    frontier = [(Status.SUBMITTED, None)]
    while frontier:
        status, resume = frontier.pop()
        for action in allowed_actions(status, resume_to=resume):
            move = decide(status, action, resume_to=resume)
            if (move.to, move.resume_to) not in {
                (s, None) for s in reached
            } or move.to not in reached:
                if move.to not in reached:
                    frontier.append((move.to, move.resume_to))
                reached.add(move.to)
    assert reached == set(Status)


def deadline(
    events: list[tuple[str, str]], days: int, today: str
) -> tuple[date | None, int | None]:
    clock = compute(
        [ClockEvent(date.fromisoformat(d), kind) for d, kind in events],
        committed_days=days,
        calendar=CAL,
        today=date.fromisoformat(today),
    )
    return clock.deadline, clock.working_days_left


def test_accepted_just_before_mid_autumn_and_national_day_2026():
    # Accepted Thursday 2026-09-24; 9-25 Mid-Autumn, 10-01..07 National Day, 9-20 a make-up day.
    assert deadline([("2026-09-24", "accept")], 5, "2026-09-24") == (date(2026, 10, 9), 5)
    # Saturday 2026-10-10 is a make-up workday: a 0-day (即办件) item accepted then is due then.
    assert deadline([("2026-10-10", "accept")], 0, "2026-10-10") == (date(2026, 10, 10), 0)


def test_three_working_day_supplement_pause_moves_the_deadline():
    # Accepted Monday 2026-11-02, 10 working days -> 2026-11-16 without a pause.
    assert deadline([("2026-11-02", "accept")], 10, "2026-11-03")[0] == date(2026, 11, 16)
    # Supplement asked on Wed 11-04, answered Mon 11-09: Thu, Fri, Mon = 3 working days waiting.
    events = [("2026-11-02", "accept"), ("2026-11-04", "pause"), ("2026-11-09", "resume")]
    assert deadline(events, 10, "2026-11-09")[0] == date(2026, 11, 19)
    # While still waiting, the days so far already count.
    waiting = [("2026-11-02", "accept"), ("2026-11-04", "pause")]
    assert deadline(waiting, 10, "2026-11-06")[0] == date(2026, 11, 18)


def test_a_deadline_crossing_into_2027():
    # 2027-01-01 is New Year's Day (computed: 2027's notice is not out yet).
    assert deadline([("2026-12-28", "accept")], 5, "2026-12-28")[0] == date(2027, 1, 5)


def test_overdue_counts_negative_and_before_acceptance_no_deadline():
    assert deadline([("2026-11-02", "accept")], 1, "2026-11-05") == (date(2026, 11, 3), -2)
    assert deadline([], 5, "2026-11-05") == (None, None)


def clock_of(events: list[tuple[str, str]], days: int, today: str) -> Clock:
    return compute(
        [ClockEvent(date.fromisoformat(d), kind) for d, kind in events],
        committed_days=days,
        calendar=CAL,
        today=date.fromisoformat(today),
    )


def test_a_supplement_asked_on_the_sixth_working_day_dates_acceptance_from_receipt():
    # Received Monday 2026-11-02; the fifth working day after it is Monday 11-09.
    assert not late_supplement(date(2026, 11, 2), date(2026, 11, 9), CAL)
    assert late_supplement(date(2026, 11, 2), date(2026, 11, 10), CAL)
    # Asked on Tuesday 11-10 (day 6), supplied and accepted on Thursday 11-12: acceptance dates
    # from receipt, and the two working days spent waiting for the applicant do not count.
    late = [
        ("2026-11-02", "receive"),
        ("2026-11-10", "ask"),
        ("2026-11-12", "resume"),
        ("2026-11-12", "accept"),
    ]
    clock = clock_of(late, 10, "2026-11-12")
    assert clock.accepted_on == date(2026, 11, 2)
    assert clock.paused_working_days == 2
    assert clock.deadline == date(2026, 11, 18)


def test_a_supplement_asked_on_the_third_working_day_leaves_acceptance_where_it_happens():
    early = [
        ("2026-11-02", "receive"),
        ("2026-11-05", "ask"),
        ("2026-11-09", "resume"),
        ("2026-11-09", "accept"),
    ]
    clock = clock_of(early, 10, "2026-11-09")
    assert clock.accepted_on == date(2026, 11, 9)
    assert clock.paused_working_days == 0
    assert clock.deadline == date(2026, 11, 23)
