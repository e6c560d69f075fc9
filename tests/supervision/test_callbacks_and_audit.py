"""The weekly call-back sample (stable per week, per township), recording a call, agents'
workload, and the audit viewer's filters and who may use it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from backend import db
from backend.audit.service import READ_ID_NUMBER, READ_MATERIAL, Actor, AuditLog
from backend.clock import SHANGHAI, today
from backend.outbox.service import unit_of_work
from backend.settings import Settings
from backend.supervision import callbacks
from backend.supervision.tables import CallbackCall
from tests.api.test_login import assert_problem
from tests.supervision.support import OTHER_TOWNSHIP, make_case, make_citizen
from tests.window.support import TOWNSHIP, staff

pytestmark = pytest.mark.api

WEEK = date(2026, 11, 16)  # a Monday


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


async def closed_cases() -> None:
    for n in range(5):
        await make_case(
            f"XS20261116000{n:02d}",
            accepted_on=date(2026, 11, 10),
            status="delivered",
            closed_at=at(WEEK + timedelta(days=n)),
        )
    for n in range(3):
        await make_case(
            f"XS20261117100{n:02d}",
            accepted_on=date(2026, 11, 10),
            status="denied",
            township=OTHER_TOWNSHIP,
            closed_at=at(WEEK + timedelta(days=1)),
        )
    # closed the week before and the week after (Monday 00:30 Shanghai), and still open
    await make_case(
        "XS2026111500001",
        accepted_on=date(2026, 11, 10),
        status="delivered",
        closed_at=at(WEEK - timedelta(days=1), 23),
    )
    await make_case(
        "XS2026112300001",
        accepted_on=date(2026, 11, 10),
        status="delivered",
        closed_at=datetime.combine(WEEK + timedelta(days=7), time(0, 30), SHANGHAI),
    )
    await make_case("XS2026111600099", accepted_on=date(2026, 11, 10))


async def draw(week: date, size: int = 2) -> callbacks.Sampled:
    async with unit_of_work(None):
        return await callbacks.sample(week=week, size=size)


async def sampled() -> list[tuple[str, str]]:
    rows = await CallbackCall.raw(
        'SELECT k.township, c.number FROM callback_call k JOIN case_record c ON c.id = k."case"'
        " ORDER BY c.number"
    ).run()
    return [(r["township"], r["number"]) for r in rows]


async def test_the_weekly_sample_is_drawn_once_per_township_and_stays_put(api):
    await closed_cases()

    first = await draw(WEEK + timedelta(days=3))  # any day of the week means that week
    assert first.week == WEEK and first.drawn == {TOWNSHIP: 2, OTHER_TOWNSHIP: 2}
    drawn = await sampled()
    assert all(n.startswith(("XS20261116000", "XS20261117100")) for _, n in drawn)

    assert (await draw(WEEK)).total == 0
    assert (await draw(WEEK, size=5)).total == 0  # a larger size later changes nothing
    assert await sampled() == drawn
    assert callbacks.parse_week("2026-W47") == WEEK
    assert callbacks.last_week(date(2026, 11, 25)) == WEEK

    boss = await staff(api, role="supervisor", username="sup-yinong", area_code=TOWNSHIP)
    other = await staff(api, role="supervisor", username="sup-guali", area_code=OTHER_TOWNSHIP)
    mine = (await boss.get("/api/v1/supervision/callbacks?week=2026-W47")).json()
    assert mine["week"] == "2026-11-16" and mine["total"] == 2
    call = mine["items"][0]["id"]
    refused = await boss.post(
        f"/api/v1/supervision/callbacks/{call}", json={"reached": False, "satisfied": 3}
    )
    assert_problem(refused, 422, "callback_not_reached")
    assert_problem(
        await boss.post(
            f"/api/v1/supervision/callbacks/{call}", json={"reached": True, "satisfied": 9}
        ),
        422,
        "validation_failed",  # the body's limits (satisfied 1–5) are in its schema
    )
    recorded = await boss.post(
        f"/api/v1/supervision/callbacks/{call}",
        json={"reached": True, "satisfied": 4, "trips": 1, "note": "窗口一次办好"},
    )
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json()["satisfied"], recorded.json()["trips"]) == (4, 1)
    assert_problem(
        await other.post(f"/api/v1/supervision/callbacks/{call}", json={"reached": True}),
        404,
        "callback_not_found",
    )


async def test_agents_workload_in_the_township(api):
    agent = await staff(api, role="agent", username="agent-a", display_name="李代办")
    await make_case("XS2026112000001", accepted_on=today(), agent=agent.id)
    boss = await staff(api, role="supervisor", username="sup-yinong", area_code=TOWNSHIP)
    other = await staff(api, role="supervisor", username="sup-guali", area_code=OTHER_TOWNSHIP)

    found = (await boss.get("/api/v1/supervision/agents")).json()
    assert found["total"] == 1
    line = found["items"][0]
    assert (line["name"], line["open_errands"], line["filed_this_month"]) == ("李代办", 1, 1)
    assert line["mandates_active"] == 0 and line["originals_held"] == 0
    assert (await other.get("/api/v1/supervision/agents")).json()["total"] == 0


async def test_the_audit_viewer_filters_and_is_for_the_district_only(api, settings: Settings):
    clerk = await staff(api, role="window", username="desk-yinong", area_code=TOWNSHIP)
    wang = await make_citizen("王秀英")
    li = await make_citizen("李建国")
    log = AuditLog(settings.audit_key)
    for actor, citizen, action in (
        (clerk.id, wang, READ_ID_NUMBER),
        (clerk.id, li, READ_MATERIAL),
        ("someone-else", wang, READ_MATERIAL),
    ):
        async with db.engine().transaction():
            await log.record(
                actor=Actor("staff", actor, on_behalf_of=citizen),
                action=action,
                subject_kind="citizen" if action == READ_ID_NUMBER else "upload",
                subject_id=citizen if action == READ_ID_NUMBER else "up-1",
                reason="窗口受理核对身份",
            )
    admin = await staff(api, role="admin", username="admin")
    district = await staff(api, role="supervisor", username="sup-district")
    township = await staff(api, role="supervisor", username="sup-yinong", area_code=TOWNSHIP)

    everything = (await admin.get("/api/v1/supervision/audit")).json()
    assert everything["total"] == 3
    by_clerk = (await district.get("/api/v1/supervision/audit?actor=desk-yinong")).json()
    assert by_clerk["total"] == 2 and {e["actor_name"] for e in by_clerk["items"]} == {
        "desk-yinong"
    }
    about_wang = (await admin.get(f"/api/v1/supervision/audit?citizen={wang}")).json()
    assert about_wang["total"] == 2 and {e["citizen_name"] for e in about_wang["items"]} == {
        "王秀英"
    }
    both = await admin.get(f"/api/v1/supervision/audit?actor={clerk.id}&citizen={li}")
    assert [e["action"] for e in both.json()["items"]] == [READ_MATERIAL]
    day = today().isoformat()
    assert (await admin.get(f"/api/v1/supervision/audit?from={day}&to={day}")).json()["total"] == 3
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert (await admin.get(f"/api/v1/supervision/audit?to={yesterday}")).json()["total"] == 0
    assert_problem(
        await admin.get(f"/api/v1/supervision/audit?from={day}&to={yesterday}"),
        422,
        "date_range_invalid",
    )
    for bad in ({"action": "peek"}, {"citizen": "not-a-citizen-id"}):  # enum and uuid in the schema
        assert_problem(
            await admin.get("/api/v1/supervision/audit", params=bad), 422, "validation_failed"
        )
    assert_problem(await township.get("/api/v1/supervision/audit"), 403, "audit_district_only")
    assert_problem(await clerk.get("/api/v1/supervision/audit"), 403, "not_allowed")
