"""Overdue cases and their escalation, on the real 2026 calendar: National Day is 1–7 October
off and Saturday 10 October a make-up working day. A case accepted on Monday 28 September with
2 committed days is due on Wednesday 30 September."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from backend.outbox.runner import HandlerContext
from backend.outbox.service import unit_of_work
from backend.outbox.tables import OutboxEvent
from backend.supervision import escalation, overdue
from backend.supervision.tables import Escalation
from backend.workdays.calendar import ChinaCalendar
from notifications import supervision as notify
from notifications.tables import StaffNotice
from tests.factories import DISTRICT, TOWNSHIP, make_department, make_staff
from tests.supervision.support import OTHER_TOWNSHIP, make_case

pytestmark = pytest.mark.integration

ACCEPTED = date(2026, 9, 28)
DEADLINE = date(2026, 9, 30)
CAL = ChinaCalendar()


async def run(day: date) -> escalation.Escalated:
    async with unit_of_work(None):
        return await escalation.escalate(
            today=day, calendar=CAL, township_after=1, district_after=5
        )


async def levels(number: str) -> list[tuple[str, str, int]]:
    rows = await Escalation.raw(
        "SELECT e.level, e.area, e.days_overdue FROM escalation e"
        ' JOIN case_record c ON c.id = e."case" WHERE c.number = {} ORDER BY e.id',
        number,
    ).run()
    return [(r["level"], r["area"], r["days_overdue"]) for r in rows]


async def test_an_overdue_case_escalates_to_the_township_then_the_district_on_working_days():
    await make_case("XS2026092800001", accepted_on=ACCEPTED)

    assert (await run(DEADLINE)).total == 0  # due today: not late yet
    assert (await run(date(2026, 10, 1))).total == 0  # holiday: no working day has passed
    assert (await run(date(2026, 10, 7))).total == 0

    first = await run(date(2026, 10, 8))  # first working day after the deadline
    assert first.created == {"township": 1}
    assert await levels("XS2026092800001") == [("township", TOWNSHIP, 1)]

    assert (await run(date(2026, 10, 8))).total == 0  # again the same day: nothing new
    assert (await run(date(2026, 10, 12))).total == 0  # 8, 9, 10 (make-up Saturday), 12: four

    second = await run(date(2026, 10, 13))  # the fifth working day late
    assert second.created == {"district": 1}
    assert await levels("XS2026092800001") == [
        ("township", TOWNSHIP, 1),
        ("district", DISTRICT, 5),
    ]
    assert (await run(date(2026, 10, 20))).total == 0
    events = await OutboxEvent.select().where(OutboxEvent.kind == "supervision.escalated").run()
    assert sorted(e["dedup_key"] for e in events) == [
        "escalated:XS2026092800001:district",
        "escalated:XS2026092800001:township",
    ]


async def test_the_cron_running_twice_at_once_escalates_once_per_level():
    for n in range(4):
        await make_case(f"XS20260928000{n:02d}", accepted_on=ACCEPTED)

    a, b = await asyncio.gather(run(date(2026, 10, 13)), run(date(2026, 10, 13)))

    assert a.total + b.total == 8
    assert await Escalation.count().run() == 8
    assert await OutboxEvent.count().where(OutboxEvent.kind == "supervision.escalated").run() == 8


async def test_the_bell_tells_each_supervisor_of_the_area_once():
    mine = await make_staff(role="supervisor", area_code=TOWNSHIP, username="sup-town")
    await make_staff(role="supervisor", area_code=OTHER_TOWNSHIP, username="sup-other")
    district = await make_staff(role="supervisor", area_code=DISTRICT, username="sup-district")
    await make_staff(role="window", area_code=TOWNSHIP, username="desk")
    await make_case("XS2026092800009", accepted_on=ACCEPTED)
    await run(date(2026, 10, 13))

    for event in (
        await OutboxEvent.select().where(OutboxEvent.kind == "supervision.escalated").run()
    ):
        payload = json.loads(event["payload"])
        for _ in range(2):  # at-least-once delivery
            await notify.on_escalated(HandlerContext(event["id"], event["kind"], 1), payload)

    notices = await StaffNotice.select().run()
    assert sorted((str(n["staff"]), n["kind"]) for n in notices) == sorted(
        [(district.id, "escalated"), (mine.id, "escalated")]
    )
    assert all("XS2026092800009" in n["text"] and n["township"] is None for n in notices)


async def test_the_list_shows_who_holds_each_case_and_how_late_it_is():
    clerk = await make_staff(
        role="window", area_code=TOWNSHIP, username="desk", display_name="王晓燕"
    )
    agent = await make_staff(role="agent", username="agent", display_name="李代办")
    await make_department("GA", "区公安分局")
    accepted = await make_case("XS2026092800001", accepted_on=ACCEPTED)
    await Escalation.raw(
        'UPDATE case_event SET actor_id = {} WHERE "case" = {}', clerk.id, accepted["id"]
    ).run()
    review = await make_case("XS2026092800002", accepted_on=ACCEPTED, status="in_review")
    await Escalation.raw(
        "UPDATE case_record SET department = 'GA' WHERE id = {}", review["id"]
    ).run()
    await make_case(
        "XS2026092800003", accepted_on=ACCEPTED, status="awaiting_supplement", agent=agent.id
    )
    await make_case("XS2026100800001", accepted_on=date(2026, 10, 8), committed_days=3)
    await make_case("XS2026100800002", accepted_on=date(2026, 10, 8), committed_days=10)
    await make_case("XS2026092800004", accepted_on=ACCEPTED, township=OTHER_TOWNSHIP)

    found = await overdue.find(
        today=date(2026, 10, 9), calendar=CAL, soon_days=2, township=TOWNSHIP
    )

    by_number = {c.number: c for c in found}
    assert list(by_number) == [
        "XS2026092800001",
        "XS2026092800002",
        "XS2026092800003",
        "XS2026100800001",
    ]
    first = by_number["XS2026092800001"]
    assert first.overdue and first.days_overdue == 2 and first.deadline == DEADLINE
    assert (first.holder.kind, first.holder.name) == ("window", "王晓燕")
    assert (by_number["XS2026092800002"].holder.kind, by_number["XS2026092800002"].holder.name) == (
        "department",
        "区公安分局",
    )
    assert by_number["XS2026092800003"].holder.kind == "agent"
    assert by_number["XS2026092800003"].holder.name == "李代办"
    soon = by_number["XS2026100800001"]  # 9, 10 (make-up Saturday), 12 October: due Monday
    assert not soon.overdue and soon.deadline == date(2026, 10, 12) and soon.working_days_left == 2
