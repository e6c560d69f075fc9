"""Filing on a citizen's behalf, errands, custody batches and the hand-over to the citizen."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from backend.cases.tables import Case, CaseEvent
from backend.clock import today
from backend.delegation.tables import Handover, Mandate
from tests.api.test_login import assert_problem
from tests.delegation.support import (
    FILING,
    OTHER_VILLAGE,
    VILLAGER,
    agent,
    days,
    filed,
    paper_mandate,
    villager,
)
from tests.support import citizen
from tests.window.support import TOWNSHIP, clerk, forward, ok, staff

pytestmark = pytest.mark.api

WITH_PAPER = {**FILING, "paper_originals": ["出生医学证明"]}


async def test_a_case_filed_under_a_mandate_is_the_citizens(
    api, small_catalogue: Path, elicense, wechat
):
    me = await agent(api)
    person = await citizen(api, "openid-grandma", seq=81)
    mandate = await me.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": person.id, "item_codes": ["GA-CSDJ"], "expires_on": days(30)},
    )
    pending = mandate.json()["id"]
    response = await me.post("/api/v1/agent/cases", json={**FILING, "mandate_id": pending})
    assert_problem(response, 403, "mandate_required")
    assert response.json()["reason"] == "pending"
    assert (await person.post(f"/api/v1/mandates/{pending}/confirm")).status_code == 200

    key = {"Idempotency-Key": "agent-file-1"}
    first = await me.post(
        "/api/v1/agent/cases", json={**WITH_PAPER, "mandate_id": pending}, headers=key
    )
    assert first.status_code == 201, first.text
    case = first.json()
    assert case["filed_by"] == {"kind": "agent", "name": "陈代办"}
    assert case["channel"] == "agent" and case["delivery_method"] == "agent"
    assert {(m["type"], m["source"]) for m in case["materials"]} >= {("出生医学证明", "paper")}
    again = await me.post(
        "/api/v1/agent/cases", json={**WITH_PAPER, "mandate_id": pending}, headers=key
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await Case.count().run() == 1

    mine = (await person.get("/api/v1/cases")).json()
    assert [c["number"] for c in mine["items"]] == [case["number"]]
    detail = (await person.get(f"/api/v1/cases/{case['number']}")).json()
    assert detail["filed_by"]["kind"] == "agent"
    event = await CaseEvent.select().where(CaseEvent.action == "submit").first().run()
    assert event["actor_role"] == "agent" and event["on_behalf_of"] == person.id
    assert event["channel"] == "agent"


async def test_filing_is_refused_without_a_live_mandate_covering_the_item(
    api, small_catalogue: Path, elicense
):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    other = await agent(api, username="agent-b", area_code=OTHER_VILLAGE, name="李代办")

    async def refused(who, mandate_id: str, status: int, code: str, reason: str | None, body=None):
        response = await who.post(
            "/api/v1/agent/cases", json={**(body or FILING), "mandate_id": mandate_id}
        )
        assert_problem(response, status, code)
        if reason:
            assert response.json()["reason"] == reason
        assert await Case.count().run() == 0

    await refused(other, mandate["id"], 404, "mandate_not_found", None)
    await refused(
        me,
        mandate["id"],
        403,
        "mandate_required",
        "out_of_scope",
        {"item_code": "GA-SWZX", "form": {}, "delivery": {"method": "window"}},
    )
    await (
        Mandate.update({Mandate.expires_on: today() - timedelta(days=1)})
        .where(Mandate.id == mandate["id"])
        .run()
    )
    await refused(me, mandate["id"], 403, "mandate_required", "expired")
    await (
        Mandate.update({Mandate.expires_on: today(), Mandate.status: "revoked"})
        .where(Mandate.id == mandate["id"])
        .run()
    )
    await refused(me, mandate["id"], 403, "mandate_required", "revoked")
    listed = (await me.get("/api/v1/agent/mandates")).json()["items"]
    assert listed[0]["status"] == "revoked"


async def test_originals_go_to_the_township_and_results_come_back(
    api, small_catalogue: Path, elicense
):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    case = await filed(me, mandate["id"], WITH_PAPER)
    number = case["number"]
    await forward(number)

    errands = (await me.get("/api/v1/agent/cases")).json()
    assert errands["total"] == 1
    needs = [(n["kind"], n["detail"]) for n in errands["items"][0]["needs"]]
    assert needs == [("bring_originals", ["出生医学证明"])]
    assert errands["items"][0]["citizen_name"] == "张阿大"

    batch = await me.post("/api/v1/agent/handovers", json={"case_numbers": [number]})
    assert batch.status_code == 201, batch.text
    sent = batch.json()
    assert sent["direction"] == "to_township" and sent["township_code"] == TOWNSHIP
    assert sent["qr_payload"] == "JJB-HO:" + sent["code"] and sent["qr_svg"].startswith("<svg")
    assert sent["lines"][0]["items"] == ["出生医学证明"]
    again = await me.post("/api/v1/agent/handovers", json={"case_numbers": [number]})
    assert_problem(again, 422, "handover_nothing_to_send")
    errand = (await me.get("/api/v1/agent/cases")).json()["items"][0]
    assert errand["needs"] == [] and errand["custody"]["originals_in_transit"] == ["出生医学证明"]

    desk = await clerk(api)
    other_desk = await clerk(api, "window-b", area_code="330109105")
    assert (await other_desk.get(f"/api/v1/window/handovers/{sent['id']}")).status_code == 404
    incoming = (await desk.get("/api/v1/window/handovers", params={"status": "sent"})).json()
    assert [b["id"] for b in incoming["items"]] == [sent["id"]]
    scanned = (
        await desk.get("/api/v1/window/handovers", params={"code": sent["qr_payload"]})
    ).json()
    assert scanned["total"] == 1
    bad = await desk.post(
        f"/api/v1/window/handovers/{sent['id']}/receive",
        json={"missing": [{"case_number": number, "items": ["户口簿"]}]},
    )
    assert_problem(bad, 422, "handover_missing_invalid")
    got = await desk.post(
        f"/api/v1/window/handovers/{sent['id']}/receive",
        json={"missing": [{"case_number": number, "items": ["出生医学证明"]}]},
    )
    assert got.status_code == 200, got.text
    assert got.json()["status"] == "received" and got.json()["lines"][0]["missing"] == [
        "出生医学证明"
    ]
    assert_problem(
        await desk.post(f"/api/v1/window/handovers/{sent['id']}/receive", json={}),
        409,
        "handover_already_received",
    )
    errand = (await me.get("/api/v1/agent/cases")).json()["items"][0]
    assert [n["kind"] for n in errand["needs"]] == ["bring_missing"]
    resent = await me.post("/api/v1/agent/handovers", json={"case_numbers": [number]})
    assert resent.status_code == 201
    await desk.post(f"/api/v1/window/handovers/{resent.json()['id']}/receive", json={})
    errand = (await me.get("/api/v1/agent/cases")).json()["items"][0]
    assert errand["needs"] == [] and errand["custody"]["originals_missing"] == []

    await desk.post("/api/v1/window/queue/claim")
    await ok(desk, number, "accept")
    approver = await staff(api, role="approver", username="approver-ga", department_code="GA")
    await ok(desk, number, "transfer", {"department_code": "GA"})
    await ok(approver, number, "approve", prefix="review")
    await ok(desk, number, "result", {"note": "户口簿已打印"})
    refused = await desk.post(f"/api/v1/window/cases/{number}/deliver", json={"method": "agent"})
    assert_problem(refused, 409, "deliver_through_agent")

    back = await desk.post("/api/v1/window/handovers", json={"case_numbers": [number]})
    assert back.status_code == 201, back.text
    assert back.json()["direction"] == "to_village" and back.json()["agent_name"] == "陈代办"
    errand = (await me.get("/api/v1/agent/cases")).json()["items"][0]
    assert [n["kind"] for n in errand["needs"]] == ["pick_up_result"]
    photo = await me.upload("交付照片")
    early = await me.post(
        f"/api/v1/agent/cases/{number}/handover-to-citizen", json={"photo_upload_id": photo}
    )
    assert_problem(early, 409, "result_not_received")
    mine = (await me.get("/api/v1/agent/handovers")).json()
    assert {b["direction"] for b in mine["items"]} == {"to_township", "to_village"}
    received = await me.post(f"/api/v1/agent/handovers/{back.json()['id']}/receive", json={})
    assert received.status_code == 200, received.text
    errand = (await me.get("/api/v1/agent/cases")).json()["items"][0]
    assert [n["kind"] for n in errand["needs"]] == ["hand_over"]

    done = await me.post(
        f"/api/v1/agent/cases/{number}/handover-to-citizen", json={"photo_upload_id": photo}
    )
    assert done.status_code == 200, done.text
    assert done.json()["case"]["status"] == "delivered"
    assert done.json()["custody"]["result_handed_over"] is True
    steps = [(e["action"], e["actor_role"]) for e in done.json()["case"]["timeline"]]
    assert steps.count(("handover_sent", "agent")) == 2
    assert ("handover_received", "window") in steps and ("handover_received", "agent") in steps
    assert steps[-1] == ("deliver", "agent")
    assert (await me.get("/api/v1/agent/cases")).json()["total"] == 0
    assert (await me.get("/api/v1/agent/cases", params={"open_only": False})).json()["total"] == 1
    assert await Handover.count().run() == 3


async def test_a_revoked_mandate_leaves_read_only_access_while_the_agent_holds_originals(
    api, small_catalogue: Path, elicense
):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    number = (await filed(me, mandate["id"], WITH_PAPER))["number"]
    await forward(number)
    await Mandate.update({Mandate.status: "revoked"}).where(Mandate.id == mandate["id"]).run()

    seen = await me.get(f"/api/v1/agent/cases/{number}")
    assert seen.status_code == 200 and seen.json()["mandate_live"] is False
    desk = await clerk(api)
    await desk.post("/api/v1/window/queue/claim")
    await ok(desk, number, "supplement", {"missing": ["户口簿"], "note": "请补户口簿"})
    upload = await me.upload("户口簿")
    answer = await me.post(
        f"/api/v1/agent/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": upload}]},
    )
    assert_problem(answer, 403, "mandate_required")
    assert (await Case.select(Case.status).first().run())["status"] == "awaiting_supplement"

    sent = await me.post("/api/v1/agent/handovers", json={"case_numbers": [number]})
    assert sent.status_code == 201  # handing back what they hold is still allowed
    await desk.post(f"/api/v1/window/handovers/{sent.json()['id']}/receive", json={})
    assert_problem(await me.get(f"/api/v1/agent/cases/{number}"), 404, "case_not_found")
    stranger = await agent(api, username="agent-c", area_code=OTHER_VILLAGE)
    assert (await stranger.get(f"/api/v1/agent/cases/{number}")).status_code == 404


async def test_an_agent_answers_a_supplement_under_a_live_mandate(
    api, small_catalogue: Path, elicense
):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    number = (await filed(me, mandate["id"]))["number"]
    await forward(number)
    desk = await clerk(api)
    await desk.post("/api/v1/window/queue/claim")
    await ok(desk, number, "supplement", {"missing": ["户口簿"], "note": "请补户口簿"})
    errand = (await me.get("/api/v1/agent/cases")).json()["items"][0]
    assert [(n["kind"], n["detail"]) for n in errand["needs"]] == [("supply_materials", ["户口簿"])]
    upload = await me.upload("户口簿")
    answer = await me.post(
        f"/api/v1/agent/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": upload}], "note": "已补"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["case"]["status"] == "queued"


async def test_a_bank_clerk_files_as_the_bank_and_the_citizens_visit_counts(
    api, small_catalogue: Path, elicense
):
    from tests.delegation.support import bank_clerk

    clerk = await bank_clerk(api)
    person = await villager(clerk, {**VILLAGER, "village_code": OTHER_VILLAGE})
    mandate = await paper_mandate(clerk, person["id"], items=["YB-CBDJ"])
    case = await filed(
        clerk, mandate["id"], {"item_code": "YB-CBDJ", "form": {}, "delivery": {"method": "window"}}
    )
    assert case["filed_by"]["kind"] == "bank" and case["channel"] == "bank"
    submit = (
        await CaseEvent.select(CaseEvent.data).where(CaseEvent.action == "submit").first().run()
    )
    data = submit["data"] if isinstance(submit["data"], dict) else json.loads(submit["data"])
    assert data == {"in_person": True}  # the citizen came to the outlet: one trip


async def test_a_scanned_batch_is_found_behind_a_hundred_newer_ones(
    api, small_catalogue: Path, elicense
):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    case = await filed(me, mandate["id"], WITH_PAPER)
    await forward(case["number"])
    sent = (
        await me.post("/api/v1/agent/handovers", json={"case_numbers": [case["number"]]})
    ).json()
    oldest = await Handover.select(Handover.agent, Handover.created_at).first().run()
    assert oldest is not None
    await Handover.insert(
        *[
            Handover(
                id=str(uuid.uuid4()),
                code=f"NEWER{n:03d}",
                direction="to_township",
                agent=oldest["agent"],
                township=TOWNSHIP,
                created_by=oldest["agent"],
                created_at=oldest["created_at"] + timedelta(minutes=n + 1),
            )
            for n in range(100)
        ]
    ).run()

    desk = await clerk(api)
    scanned = await desk.get("/api/v1/window/handovers", params={"code": sent["qr_payload"]})
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["total"] == 1
    assert [b["id"] for b in scanned.json()["items"]] == [sent["id"]]
    typed = await desk.get("/api/v1/window/handovers", params={"code": sent["code"].lower()})
    assert [b["id"] for b in typed.json()["items"]] == [sent["id"]]
    elsewhere = await clerk(api, "window-b", area_code="330109105")
    theirs = await elsewhere.get("/api/v1/window/handovers", params={"code": sent["code"]})
    assert theirs.json() == {"items": [], "total": 0}
