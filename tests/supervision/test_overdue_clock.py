"""The overdue list (stored deadline, counted in SQL) and the supervisor's case page (the clock
recomputed from the timeline) agree on how late a real case is: filed, accepted, asked for a
supplement and answered through the API as the window tests do, with time made to pass by
moving everything recorded so far back by whole weeks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from backend.cases.store.overdue_list import OverdueFilter
from backend.cases.tables import Case
from backend.clock import today
from backend.supervision import service
from backend.supervision.scope import Scope
from backend.workdays.service import load_calendar
from tests.support import citizen
from tests.window.support import approver, clerk, ok, queued, row

pytestmark = pytest.mark.api

DISTRICT = Scope("00000000-0000-0000-0000-000000000001", "supervisor", "330109", None)
SUPPLEMENT = {"missing": ["户口簿"], "note": "户口簿照片不清晰"}
SPAN_WEEKS = 6


async def plain_weeks() -> bool:
    """Whether the weeks around today have no holiday or swapped working day (moving a case
    back by whole weeks then keeps its working days what they were)."""
    calendar = await load_calendar()
    day = today() - timedelta(weeks=SPAN_WEEKS, days=7)
    while day <= today() + timedelta(days=21):
        if calendar.is_working_day(day) != (day.weekday() < 5):
            return False
        day += timedelta(days=1)
    return True


async def back(number: str, weeks: int) -> None:
    """Pretend everything recorded about the case so far happened ``weeks`` weeks earlier."""
    case_id = (await row(number)).id
    shift = timedelta(weeks=weeks)
    await Case.raw(
        'UPDATE case_event SET at = at - {}::interval WHERE "case" = {}', shift, case_id
    ).run()
    await Case.raw(
        "UPDATE case_supplement SET requested_at = requested_at - {}::interval,"
        ' answered_at = answered_at - {}::interval WHERE "case" = {}',
        shift,
        shift,
        case_id,
    ).run()
    await Case.raw(
        "UPDATE case_record SET created_at = created_at - {}::interval,"
        " accepted_at = accepted_at - {}::interval,"
        " deadline = deadline - {}::int WHERE id = {}",
        shift,
        shift,
        shift.days,
        case_id,
    ).run()


async def answer(me, number: str) -> None:  # type: ignore[no-untyped-def]
    book = await me.upload("户口簿")
    answered = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": book}], "note": ""},
    )
    assert answered.status_code == 200, answered.text


async def lateness(number: str) -> tuple[int, int, date]:
    """(days late by the list, by the case page — minus the days left when not late — and the
    stored deadline)."""
    listed, _ = await service.overdue_list(
        scope=DISTRICT, where=OverdueFilter(soon_days=10), sort="late", page=None, page_size=0
    )
    line = {c.line.number: c.line for c in listed}[number]
    by_list = line.days_overdue or -line.days_left  # late: positive; due: minus the days left
    view, _ = await service.case(scope=DISTRICT, number=number, doorbell=None, audit=None)
    assert view.working_days_left is not None
    by_page = -view.working_days_left
    return by_list, by_page, (await row(number)).deadline


async def test_the_list_and_the_case_page_count_the_same_days_late(
    api, small_catalogue: Path
) -> None:
    if not await plain_weeks():
        pytest.skip("a holiday near today: whole-week shifts would change the working days")
    me = await citizen(api, "late-clock", name="王秀英")
    desk = await clerk(api)

    running = await queued(me)  # accepted five weeks ago, never paused
    await ok(desk, running, "accept")
    await back(running, 5)

    answered = await queued(me)  # accepted 5 weeks ago, waited a week for a supplement
    await ok(desk, answered, "accept")
    await back(answered, 2)
    await ok(desk, answered, "supplement", SUPPLEMENT)
    await back(answered, 1)
    await answer(me, answered)
    await back(answered, 2)

    waiting = await queued(me)  # accepted 5 weeks ago, waiting for a supplement for a week
    await ok(desk, waiting, "accept")
    await back(waiting, 4)
    await ok(desk, waiting, "supplement", SUPPLEMENT)
    await back(waiting, 1)

    reviewed = await queued(me)  # the back office asked, a week's wait, answered
    ga = await approver(api, "GA")
    await ok(desk, reviewed, "accept")
    await ok(desk, reviewed, "transfer")
    await back(reviewed, 2)
    await ok(ga, reviewed, "supplement", SUPPLEMENT, prefix="review")
    await back(reviewed, 1)
    await answer(me, reviewed)
    await back(reviewed, 2)

    early = await queued(me)  # asked at once, waiting two weeks: 5 working days still left
    await ok(desk, early, "accept")
    await ok(desk, early, "supplement", SUPPLEMENT)
    await back(early, 2)

    found = {n: await lateness(n) for n in (running, answered, waiting, reviewed, early)}
    for number, (by_list, by_page, _) in found.items():
        assert by_list == by_page, (number, found[number])
    # five weeks is 25 working days; the clock is 5 working days; a week's pause adds 5
    assert found[running][0] == 20
    assert found[answered][0] == 15
    assert found[waiting][0] == 15
    assert found[reviewed][0] == 15
    assert found[early][0] == -5
