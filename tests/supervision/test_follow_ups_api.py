"""A bad rating opens a follow-up for the township's supervisors (contact within 1 working day,
resolve within 15); after it is resolved the citizen may rate once more, and only once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend.clock import SHANGHAI
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.supervision import jobs as supervision_jobs
from backend.supervision.tables import FollowUp
from backend.workdays.calendar import ChinaCalendar
from notifications import supervision as notify
from notifications.tables import StaffNotice
from tests.api.test_login import assert_problem
from tests.support import CitizenClient, citizen
from tests.window.support import OTHER_TOWNSHIP, TOWNSHIP, staff, submitted

pytestmark = pytest.mark.api


async def closed_case(me: CitizenClient) -> str:
    number = await submitted(me)
    assert (await me.post(f"/api/v1/cases/{number}/withdraw")).status_code == 200
    return number


async def run_bad_rating_events() -> list[dict[str, Any]]:
    """What the worker does with ``evaluation.bad`` (twice: delivery is at-least-once)."""
    events = await OutboxEvent.select().where(OutboxEvent.kind == "evaluation.bad").run()
    for event in events:
        for _ in range(2):
            await supervision_jobs.on_bad_rating(
                HandlerContext(event["id"], event["kind"], 1), json.loads(event["payload"])
            )
    return list(events)


async def test_a_bad_rating_is_followed_up_and_may_then_be_rated_once_more(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "fu-bad", name="王秀英")
    number = await closed_case(me)
    boss = await staff(api, role="supervisor", username="sup-yinong", area_code=TOWNSHIP)
    rated = await me.post(
        f"/api/v1/cases/{number}/evaluation", json={"score": 1, "comment": "跑了三趟"}
    )
    assert rated.status_code == 201, rated.text
    assert len(await run_bad_rating_events()) == 1

    follow_ups = await FollowUp.select().run()
    assert len(follow_ups) == 1
    opened = follow_ups[0]
    day = opened["opened_at"].astimezone(SHANGHAI).date()
    calendar = ChinaCalendar()
    assert opened["contact_due"] == calendar.add_working_days(day, 1)
    assert opened["resolve_due"] == calendar.add_working_days(day, 15)
    assert opened["township"] == TOWNSHIP and str(opened["assignee"]) == boss.id

    listed = (await boss.get("/api/v1/supervision/evaluations?bad=true")).json()
    assert listed["total"] == 1
    assert listed["items"][0]["number"] == number
    assert listed["items"][0]["follow_up"]["state"] == "open"

    # before the follow-up is resolved, no second rating
    assert_problem(
        await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": 4}),
        409,
        "evaluation_exists",
    )
    path = f"/api/v1/supervision/follow-ups/{opened['id']}"
    assert_problem(
        await boss.post(path + "/resolve", json={"note": "已整改"}), 409, "follow_up_not_contacted"
    )
    contacted = await boss.post(
        path + "/contact", json={"note": "已电话联系，群众反映材料要求不清"}
    )
    assert contacted.status_code == 200, contacted.text
    assert contacted.json()["state"] == "contacted"
    resolved = await boss.post(path + "/resolve", json={"note": "已在办事指南中写明材料要求"})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert_problem(
        await boss.post(path + "/contact", json={"note": "再联系"}), 409, "follow_up_resolved"
    )

    again = await me.post(
        f"/api/v1/cases/{number}/evaluation", json={"score": 4, "comment": "好多了"}
    )
    assert again.status_code == 201, again.text
    assert_problem(
        await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": 5}),
        409,
        "evaluation_exists",
    )
    everything = (await boss.get("/api/v1/supervision/evaluations")).json()
    assert sorted((e["round"], e["score"]) for e in everything["items"]) == [(1, 1), (2, 4)]

    # the supervisors' bell heard of it once
    for event in (
        await OutboxEvent.select().where(OutboxEvent.kind == "supervision.follow_up_opened").run()
    ):
        await notify.on_follow_up_opened(
            HandlerContext(event["id"], event["kind"], 1), json.loads(event["payload"])
        )
    notices = await StaffNotice.select().run()
    assert [(str(n["staff"]), n["kind"]) for n in notices] == [(boss.id, "follow_up")]


async def test_another_township_sees_nothing_and_other_roles_are_refused(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "fu-scope")
    number = await closed_case(me)
    await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": 2})
    await run_bad_rating_events()
    follow_up = (await FollowUp.select(FollowUp.id).first().run())["id"]
    other = await staff(api, role="supervisor", username="sup-guali", area_code=OTHER_TOWNSHIP)
    district = await staff(api, role="supervisor", username="sup-district")
    clerk = await staff(api, role="window", username="desk-yinong", area_code=TOWNSHIP)

    path = f"/api/v1/supervision/follow-ups/{follow_up}"
    assert_problem(await other.get(path), 404, "follow_up_not_found")
    assert_problem(await other.post(path + "/contact", json={}), 404, "follow_up_not_found")
    assert (await other.get("/api/v1/supervision/follow-ups")).json()["total"] == 0
    assert (await other.get("/api/v1/supervision/evaluations?bad=true")).json()["total"] == 0
    assert (await district.get(path)).status_code == 200
    assert (await district.get("/api/v1/supervision/follow-ups")).json()["total"] == 1
    assert_problem(await clerk.get("/api/v1/supervision/follow-ups"), 403, "not_allowed")
    assert_problem(
        await district.get("/api/v1/supervision/follow-ups", params={"state": "later"}),
        422,
        "validation_failed",
    )
    assert_problem(await me.get("/api/v1/supervision/overdue"), 403, "not_allowed")
    assert_problem(await district.post(path + "/contact", json={"note": " "}), 422, "note_required")
