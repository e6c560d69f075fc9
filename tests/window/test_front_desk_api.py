"""Front desk and back office over HTTP: the whole path, refusals, reasons, scope."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from backend.cases.tables import CaseEvent
from backend.clock import today
from backend.outbox.tables import OutboxEvent
from backend.workdays.calendar import ChinaCalendar
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import (
    INSURANCE,
    act,
    approver,
    at_window,
    clerk,
    ok,
    queued,
    row,
    staff,
)

pytestmark = pytest.mark.api

SUPPLEMENT = {"missing": ["户口簿"], "note": "户口簿照片不清晰"}
BODIES = {
    "accept": {},
    "reject": {"reason": "不符合受理条件"},
    "supplement": SUPPLEMENT,
    "transfer": {},
    "handoff": {"township_code": "330109105"},
    "result": {"note": "已制证"},
    "deliver": {
        "method": "mail",
        "tracking_no": "SF1",
        "delivery_address": "杭州市萧山区益农镇利围村 3 组 12 号",
    },
    "finish": {},
}


async def _backdate(number: str, days: int) -> None:
    """Pretend everything so far happened ``days`` days ago (the clock reads event days)."""
    case_id = (await row(number)).id
    await CaseEvent.raw(
        'UPDATE case_event SET at = at - make_interval(days => {}) WHERE "case" = {}',
        days,
        case_id,
    ).run()


async def test_the_whole_path_from_queue_to_delivery(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "wf-path", name="王秀英")
    number = await queued(me)
    desk = await clerk(api)
    ga = await approver(api, "GA")
    assert (await desk.post("/api/v1/window/queue/claim")).json()["number"] == number

    # 补正 before acceptance: no clock yet; the citizen answers in the mini-program.
    asked = await ok(desk, number, "supplement", SUPPLEMENT)
    assert asked["status"] == "awaiting_supplement" and asked["deadline"] is None
    assert asked["supplement"]["missing"] == ["户口簿"] and asked["claim"] is None
    assert (await me.get(f"/api/v1/cases/{number}")).json()["supplement"]["missing"] == ["户口簿"]
    book = await me.upload("户口簿")
    supplied = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": book}], "note": "已重拍"},
    )
    assert supplied.status_code == 200 and supplied.json()["status"] == "queued"

    accepted = await ok(desk, number, "accept")
    assert accepted["status"] == "accepted" and accepted["working_days_left"] == 5
    assert accepted["applicant"] == {
        "name": "王秀英",
        "id_number_masked": me.id_number[:3] + "*" * 11 + me.id_number[-4:],
    }
    assert "transfer" in accepted["allowed_actions"] and "accept" not in accepted["allowed_actions"]
    assert {m["type"]: m["source"] for m in accepted["materials"]}["户口簿"] in {"upload", "shared"}
    link = await desk.post(f"/api/v1/window/cases/{number}/materials/{book}/link")
    assert link.status_code == 200 and (await api.get(link.json()["url"])).status_code == 200

    transferred = await ok(desk, number, "transfer")
    assert transferred["status"] == "in_review" and transferred["department_code"] == "GA"
    listed = (await ga.get("/api/v1/review/cases")).json()
    assert [e["number"] for e in listed["items"]] == [number]
    assert listed["items"][0]["applicant_name"] == "王*英"

    # 补正 from the back office pauses the clock: the deadline moves on by the working days
    # spent waiting. Pretend the case was accepted and the request made 14 days ago.
    paused = await ok(ga, number, "supplement", SUPPLEMENT, prefix="review")
    assert paused["status"] == "awaiting_supplement" and paused["clock_paused"] is True
    await _backdate(number, 14)
    start = today() - timedelta(days=14)
    calendar = ChinaCalendar()
    waited = calendar.working_days_between(start, today())
    assert waited >= 8
    book2 = await me.upload("户口簿")
    back = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": book2}], "note": ""},
    )
    assert back.status_code == 200 and back.json()["status"] == "in_review"
    resumed = (await ga.get(f"/api/v1/review/cases/{number}")).json()
    assert resumed["paused_working_days"] == waited and resumed["clock_paused"] is False
    assert resumed["deadline"] == calendar.add_working_days(start, 5 + waited).isoformat()
    assert calendar.add_working_days(start, 5) < today()  # without the pause: overdue
    assert (await row(number)).deadline.isoformat() == resumed["deadline"]

    approved = await ok(ga, number, "approve", {"note": "符合条件"}, prefix="review")
    assert approved["status"] == "approved"
    issued = await ok(desk, number, "result", {"note": "户口已登记"})
    assert issued["status"] == "result_ready" and issued["result"]["note"] == "户口已登记"
    assert_problem(
        await act(desk, number, "deliver", {"method": "mail"}), 422, "tracking_no_required"
    )
    pigeon = assert_problem(
        await act(desk, number, "deliver", {"method": "pigeon"}), 422, "validation_failed"
    )
    assert [e["field"] for e in pigeon["errors"]] == ["method"]  # the schema's enumeration
    mail = {
        "method": "mail",
        "tracking_no": "SF1234567",
        "delivery_address": "杭州市萧山区益农镇利围村 3 组 12 号",
    }
    refused = assert_problem(
        await act(desk, number, "deliver", mail), 422, "delivery_method_invalid"
    )
    assert "“出生登记”不能邮寄送达" in refused["detail"]  # the item: window or agent only
    delivered = await ok(desk, number, "deliver", at_window(me))
    assert delivered["status"] == "delivered" and delivered["public_status"] == "closed"
    assert delivered["result"]["delivery_method"] == "window"
    assert delivered["allowed_actions"] == []

    seen = (await me.get(f"/api/v1/cases/{number}")).json()
    assert seen["status"] == "delivered" and seen["public_status"] == "closed"
    assert [(e["action"], e["actor_role"]) for e in seen["timeline"]] == [
        ("submit", "citizen"),
        ("forward", "system"),
        ("request_supplement", "window"),
        ("supply", "citizen"),
        ("accept", "window"),
        ("transfer", "window"),
        ("request_supplement", "approver"),
        ("supply", "citizen"),
        ("approve", "approver"),
        ("issue_result", "window"),
        ("deliver", "window"),
    ]
    assert seen["timeline"][-2]["note"] == "户口已登记"
    assert seen["result"]["delivery_method"] == "window"


async def test_every_action_the_status_does_not_allow_is_409_and_changes_nothing(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wf-409")
    number = await queued(me, INSURANCE)
    desk = await clerk(api)
    yb = await approver(api, "YB")

    async def refused(actions: list[str], *, reviewer: bool = False) -> None:
        before = (await desk.get(f"/api/v1/window/cases/{number}")).json()
        for action in actions:
            who = yb if reviewer else desk
            body = {"reason": "理由"} if action == "deny" else BODIES.get(action, {})
            response = await act(who, number, action, body)
            assert_problem(response, 409, "transition_not_allowed")
        after = (await desk.get(f"/api/v1/window/cases/{number}")).json()
        assert after["status"] == before["status"]
        assert len(after["timeline"]) == len(before["timeline"])

    await refused(["transfer", "result", "deliver"])  # queued
    await ok(desk, number, "accept")
    await refused(["accept", "reject", "handoff", "result", "deliver"])  # accepted
    await ok(desk, number, "transfer")
    await refused(["accept", "reject", "transfer", "handoff", "result", "deliver", "finish"])
    await ok(yb, number, "approve", prefix="review")
    await refused(["approve", "deny"], reviewer=True)  # approved
    await refused(["accept", "reject", "supplement", "transfer", "handoff", "deliver"])
    await ok(desk, number, "result")
    await refused(["accept", "reject", "supplement", "transfer", "handoff", "result"])
    await ok(desk, number, "deliver", at_window(me))
    await refused(list(BODIES))  # delivered: nothing more
    await refused(["approve", "deny"], reviewer=True)
    assert_problem(await me.post(f"/api/v1/cases/{number}/withdraw"), 409, "transition_not_allowed")


async def test_a_supplement_names_only_the_cases_materials(
    api, small_catalogue: Path, elicense, wechat
):
    """Free text in ``missing`` would reach the citizen's message and the kept outbox row."""
    me = await citizen(api, "wf-missing")
    number = await queued(me)
    desk = await clerk(api)
    before = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    events_before = await OutboxEvent.count().run()
    for missing in (["330109195603120143"], ["户口簿", "13912345678"]):
        response = await act(desk, number, "supplement", {"missing": missing, "note": ""})
        assert_problem(response, 422, "supplement_material_unknown")
        assert "3301" not in response.text and "1391" not in response.text
    after = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert after["status"] == before["status"] == "queued"
    assert len(after["timeline"]) == len(before["timeline"])
    assert await OutboxEvent.count().run() == events_before


async def test_reject_deny_and_withdraw(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "wf-close")
    desk = await clerk(api)
    ga = await approver(api, "GA")

    rejected_no = await queued(me)
    assert_problem(await act(desk, rejected_no, "reject", {"reason": "  "}), 422, "reason_required")
    assert_problem(await act(desk, rejected_no, "reject", {}), 422, "validation_failed")
    rejected = await ok(desk, rejected_no, "reject", {"reason": "申请人不在本辖区"})
    assert rejected["status"] == "rejected" and rejected["closed_at"]
    shown = (await me.get(f"/api/v1/cases/{rejected_no}")).json()
    assert shown["timeline"][-1]["note"] == "申请人不在本辖区"
    assert shown["public_status"] == "closed"

    denied_no = await queued(me)
    await ok(desk, denied_no, "accept")
    await ok(desk, denied_no, "transfer")
    assert_problem(await act(ga, denied_no, "deny", {"reason": ""}), 422, "validation_failed")
    denied = await ok(
        ga, denied_no, "deny", {"reason": "出生医学证明与申报不一致"}, prefix="review"
    )
    assert denied["status"] == "denied" and denied["working_days_left"] is None
    assert (await me.get(f"/api/v1/cases/{denied_no}")).json()["timeline"][-1]["note"] == (
        "出生医学证明与申报不一致"
    )
    assert (await ga.get("/api/v1/review/cases")).json()["total"] == 0
    assert (await ga.get("/api/v1/review/cases?status=denied")).json()["total"] == 1
    assert_problem(await ga.get("/api/v1/review/cases?status=nope"), 422, "validation_failed")

    withdrawn_no = await queued(me)
    await desk.post("/api/v1/window/queue/claim")
    withdrawn = await me.post(f"/api/v1/cases/{withdrawn_no}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await desk.get("/api/v1/window/queue")).json()["total"] == 0
    assert_problem(await act(desk, withdrawn_no, "accept"), 409, "transition_not_allowed")
    listed = (await desk.get("/api/v1/window/cases?status=withdrawn")).json()
    assert [e["number"] for e in listed["items"]] == [withdrawn_no]


async def test_approvers_see_only_what_was_transferred_to_their_department(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wf-dept")
    number = await queued(me)
    desk = await clerk(api)
    ga = await approver(api, "GA")
    yb = await approver(api, "YB")
    ga_elsewhere = await approver(api, "GA", area_code="330109105")
    photo = await me.upload("照片")
    assert_problem(await ga.get(f"/api/v1/review/cases/{number}"), 404, "case_not_found")
    await ok(desk, number, "accept")
    assert_problem(  # the item's department, but not transferred yet
        await act(ga, number, "approve"), 404, "case_not_found"
    )
    await ok(desk, number, "transfer")
    routes = [
        f"/api/v1/review/cases/{number}",
        f"/api/v1/review/cases/{number}/approve",
        f"/api/v1/review/cases/{number}/deny",
        f"/api/v1/review/cases/{number}/supplement",
        f"/api/v1/review/cases/{number}/materials/{photo}/link",
    ]
    for who in (yb, ga_elsewhere):
        for path in routes:
            response = await (who.get(path) if path == routes[0] else who.post(path, json=[1]))
            assert_problem(response, 404, "case_not_found")
        assert (await who.get("/api/v1/review/cases")).json()["total"] == 0
    assert (await ga.get(f"/api/v1/review/cases/{number}")).status_code == 200
    assert_problem(await act(desk, number, "approve"), 403, "not_allowed")


async def test_transfer_follows_the_routing_table(api, small_catalogue: Path, elicense, wechat):
    admin = await staff(api, role="admin", username="admin-a")
    me = await citizen(api, "wf-route")
    desk = await clerk(api)
    rule = await api.put(
        "/api/v1/admin/routing-rules",
        json={"item_code": "GA-CSDJ", "department_code": "RS", "send_method": "external"},
        headers=admin.headers,
    )
    # No adapter sends a case to a department's own platform: not offered, nothing saved.
    refused = assert_problem(rule, 422, "validation_failed")
    assert [e["field"] for e in refused["errors"]] == ["send_method"]
    rule = await api.put(
        "/api/v1/admin/routing-rules",
        json={"item_code": "GA-CSDJ", "department_code": "RS"},
        headers=admin.headers,
    )
    assert rule.status_code == 200, rule.text
    township_rule = await api.put(
        "/api/v1/admin/routing-rules",
        json={"item_code": "GA-CSDJ", "department_code": "YB", "township_code": "330109110"},
        headers=admin.headers,
    )
    assert township_rule.json()["send_method"] == "builtin"
    bad = await api.put(
        "/api/v1/admin/routing-rules",
        json={"item_code": "NOPE", "department_code": "XX"},
        headers=admin.headers,
    )
    body = assert_problem(bad, 422, "routing_rule_invalid")
    assert "NOPE" in body["detail"] and "XX" in body["detail"]
    listed = await admin.get("/api/v1/admin/routing-rules?item=GA-CSDJ")
    assert listed.json()["total"] == 2

    first = await queued(me)
    await ok(desk, first, "accept")
    routed = await ok(desk, first, "transfer")
    assert routed["department_code"] == "YB"  # the township's own rule wins
    assert routed["timeline"][-1]["data"]["routed_by"] == "township"

    await api.delete(
        f"/api/v1/admin/routing-rules/{township_rule.json()['id']}", headers=admin.headers
    )
    second = await queued(me)
    await ok(desk, second, "accept")
    assert (await ok(desk, second, "transfer"))["department_code"] == "RS"  # district default
    assert not await OutboxEvent.exists().where(OutboxEvent.kind.like("case.transfer%")).run()

    third = await queued(me)
    await ok(desk, third, "accept")
    assert_problem(
        await act(desk, third, "transfer", {"department_code": "NOPE"}), 422, "department_unknown"
    )
    chosen = await ok(desk, third, "transfer", {"department_code": "GA"})
    assert chosen["department_code"] == "GA"
    refused = await api.put(
        "/api/v1/admin/routing-rules",
        json={"item_code": "GA-CSDJ", "department_code": "GA"},
        headers=desk.headers,
    )
    assert_problem(refused, 403, "not_allowed")
