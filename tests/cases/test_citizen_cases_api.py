"""Citizen cases over HTTP: submission rules, one-time notices, idempotency, authorization."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from backend.cases import actions as cases
from backend.cases import views as case_views
from backend.cases.states import Action
from backend.cases.tables import Case, CaseMaterial
from backend.cases.transitions import Actor, Change, apply
from backend.outbox.service import unit_of_work
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from backend.workdays.calendar import ChinaCalendar
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.workers.conftest import running_worker

pytestmark = pytest.mark.api

WINDOW = Actor("staff", None, "window", channel="window")
BIRTH = {
    "delivery": {"method": "window"},
    "form": {
        "baby_name": "王小宝",
        "birth_date": "2026-11-20",
        "relationship": "子",
        "guardian_phone": "13800001111",
    },
}


async def test_missing_materials_are_all_named_at_once(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-missing")
    elicense.types = set()  # nothing shared: every material must be uploaded
    id_card = await me.upload("身份证")
    response = await me.post(
        "/api/v1/cases",
        json={
            **BIRTH,
            "item_code": "GA-CSDJ",
            "materials": [{"type": "身份证", "upload_id": id_card}],
        },
    )
    body = assert_problem(response, 422, "materials_missing")
    assert {m["type"] for m in body["missing"]} == {"出生医学证明", "户口簿"}
    assert "出生医学证明" in body["detail"] and "户口簿" in body["detail"]
    assert await Case.count().run() == 0


async def test_shared_data_satisfies_exempt_materials(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "c-shared")
    response = await me.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ"})
    assert response.status_code == 201, response.text
    case = response.json()
    assert re.match(r"^XS\d{8}\d{6,}$", case["number"])
    assert case["status"] == "submitted" and case["public_status"] == "open"
    assert {m["source"] for m in case["materials"]} == {"shared"}
    assert case["filed_by"]["kind"] == "self" and case["deadline"] is None
    assert elicense.received and all("id_number" not in r for r in elicense.received)


async def test_same_idempotency_key_creates_nothing_new(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-idem")
    body = {**BIRTH, "item_code": "GA-CSDJ"}
    first = await me.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "submit-1"})
    again = await me.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "submit-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert await Case.count().run() == 1
    other = await me.post(
        "/api/v1/cases",
        json={**body, "delivery": {"method": "mail", "address": "x"}},
        headers={"Idempotency-Key": "submit-1"},
    )
    assert_problem(other, 422, "idempotency_key_reused")


async def test_form_identity_and_channel_rules(api, small_catalogue: Path, elicense, wechat):
    stranger = await citizen(api, "c-unbound", bind=False)
    assert_problem(
        await stranger.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ"}),
        409,
        "identity_not_bound",
    )
    me = await citizen(api, "c-form")
    bad_form = {
        **BIRTH,
        "item_code": "GA-CSDJ",
        "form": {"baby_name": "", "relationship": "叔叔", "guardian_phone": "123"},
    }
    body = assert_problem(await me.post("/api/v1/cases", json=bad_form), 422, "form_invalid")
    assert {e["field"] for e in body["errors"]} == {
        "baby_name",
        "birth_date",
        "relationship",
        "guardian_phone",
    }
    assert_problem(
        await me.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-SFZ-HL", "form": {}}),
        422,
        "channel_not_offered",
    )
    assert_problem(
        await me.post("/api/v1/cases", json={**BIRTH, "item_code": "NOPE"}), 422, "item_unknown"
    )
    assert_problem(await me.post("/api/v1/cases", json={**BIRTH}), 422, "item_or_bundle_required")
    assert_problem(
        await me.post(
            "/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ", "delivery": {"method": "mail"}}
        ),
        422,
        "delivery_method_invalid",
    )
    assert await Case.count().run() == 0


async def test_bundle_has_children_routed_to_their_departments(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-bundle")
    photo = await me.upload("照片")
    response = await me.post(
        "/api/v1/cases",
        json={**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]},
    )
    assert response.status_code == 201, response.text
    case = response.json()
    children = case["children"]
    assert [c["number"] for c in children] == [f"{case['number']}-0{i}" for i in (1, 2, 3)]
    assert [c["department_code"] for c in children] == ["GA", "YB", "RS"]
    assert [c["status_label"] for c in children] == ["已提交"] * 3  # never null
    again = (await me.get(f"/api/v1/cases/{case['number']}")).json()
    assert [c["status_label"] for c in again["children"]] == ["已提交"] * 3
    child = await me.get(f"/api/v1/cases/{children[1]['number']}")
    assert child.status_code == 200 and child.json()["item_code"] == "YB-CBDJ"
    mine = (await me.get("/api/v1/cases")).json()
    assert mine["total"] == 1 and mine["items"][0]["name"] == "出生一件事"


async def test_forwarding_puts_the_case_in_its_township_queue(
    api, small_catalogue: Path, elicense, wechat, settings: Settings
):
    me = await citizen(api, "c-forward")
    photo = await me.upload("照片")
    body = {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    number = (await me.post("/api/v1/cases", json=body)).json()["number"]
    async with running_worker(settings, {}):
        for _ in range(100):
            if (await me.get(f"/api/v1/cases/{number}")).json()["status"] == "queued":
                break
            await asyncio.sleep(0.05)
    case = (await me.get(f"/api/v1/cases/{number}")).json()
    assert case["status"] == "queued" and case["township_code"] == "330109110"
    assert all(c["status"] == "queued" for c in case["children"])
    assert [e["action"] for e in case["timeline"]] == ["submit", "forward"]
    done = await OutboxEvent.select().where(OutboxEvent.kind == "case.forward").run()
    assert [r["status"] for r in done] == ["done"]


async def test_withdraw_supplement_and_rating(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "c-life")
    number = (await me.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ"})).json()[
        "number"
    ]
    row = await case_views.case_row(number=number)
    assert row is not None
    calendar = ChinaCalendar()
    async with unit_of_work(None):  # what the window's routes do
        await apply(row.id, Change(Action.FORWARD, WINDOW), calendar=calendar)
        await cases.request_supplement(
            row=row,
            missing=["户口簿", "照片"],
            note="户口簿页面不清晰",
            actor=WINDOW,
            calendar=calendar,
        )
    waiting = (await me.get(f"/api/v1/cases/{number}")).json()
    assert waiting["status"] == "awaiting_supplement"
    assert waiting["supplement"]["missing"] == ["户口簿", "照片"]
    one = await me.upload("户口簿")
    partial = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": one}], "note": ""},
    )
    assert "照片" in assert_problem(partial, 422, "materials_missing")["detail"]
    photo = await me.upload("照片")
    answered = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={
            "materials": [
                {"type": "户口簿", "upload_id": one},
                {"type": "照片", "upload_id": photo},
            ],
            "note": "已重新拍摄",
        },
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "queued"
    assert await CaseMaterial.count().where(CaseMaterial.supplement.is_not_null()).run() == 2

    assert_problem(
        await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": 5}),
        409,
        "case_not_closed",
    )
    withdrawn = await me.post(f"/api/v1/cases/{number}/withdraw")
    assert (
        withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["public_status"] == "closed"
    )
    assert_problem(await me.post(f"/api/v1/cases/{number}/withdraw"), 409, "transition_not_allowed")
    assert (
        await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": 1, "comment": "太慢"})
    ).status_code == 201
    assert_problem(
        await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": 5}),
        409,
        "evaluation_exists",
    )
    bad = await OutboxEvent.select().where(OutboxEvent.kind == "evaluation.bad").run()
    assert len(bad) == 1 and bad[0]["payload"]


async def test_no_withdrawal_after_acceptance_and_the_deadline_appears(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-accepted")
    number = (await me.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ"})).json()[
        "number"
    ]
    row = await case_views.case_row(number=number)
    assert row is not None
    calendar = ChinaCalendar()
    async with unit_of_work(None):
        await apply(row.id, Change(Action.FORWARD, WINDOW), calendar=calendar)
        await apply(row.id, Change(Action.ACCEPT, WINDOW), calendar=calendar)
    case = (await me.get(f"/api/v1/cases/{number}")).json()
    assert case["deadline"] is not None and case["working_days_left"] == 5
    assert_problem(await me.post(f"/api/v1/cases/{number}/withdraw"), 409, "transition_not_allowed")


async def test_another_citizen_sees_nothing_on_any_case_route(
    api, small_catalogue: Path, elicense, wechat
):
    owner = await citizen(api, "c-owner")
    number = (await owner.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ"})).json()[
        "number"
    ]
    other = await citizen(api, "c-other", seq=2)
    routes = [
        ("get", f"/api/v1/cases/{number}", None),
        ("post", f"/api/v1/cases/{number}/withdraw", None),
        ("post", f"/api/v1/cases/{number}/supplements", {"nonsense": True}),
        ("post", f"/api/v1/cases/{number}/evaluation", {"score": 99}),
        ("get", f"/api/v1/cases/{number}-01", None),
        ("get", "/api/v1/cases/XS20260101999999", None),
    ]
    for method, path, body in routes:
        response = await (other.get(path) if method == "get" else other.post(path, json=body))
        assert_problem(response, 404, "case_not_found")
    assert (await other.get("/api/v1/cases")).json() == {"items": [], "total": 0}
    theirs = await other.upload("身份证")
    stolen = await owner.post(
        "/api/v1/cases",
        json={
            **BIRTH,
            "item_code": "GA-CSDJ",
            "materials": [{"type": "身份证", "upload_id": theirs}],
        },
    )
    assert_problem(stolen, 404, "upload_not_found")
    assert (await owner.get(f"/api/v1/cases/{number}")).json()["status"] == "submitted"


async def test_material_links_are_audited_and_only_for_the_applicant(
    api, small_catalogue: Path, elicense, wechat
):
    from backend.audit.tables import AuditEvent

    me = await citizen(api, "c-links")
    photo = await me.upload("照片")
    body = {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    number = (await me.post("/api/v1/cases", json=body)).json()["number"]
    before = await AuditEvent.count().where(AuditEvent.action == "read_material").run()
    link = await me.post(f"/api/v1/cases/{number}/materials/{photo}/link")
    assert link.status_code == 200, link.text
    assert await AuditEvent.count().where(AuditEvent.action == "read_material").run() == before + 1
    fetched = await api.get(link.json()["url"])
    assert fetched.status_code == 200 and fetched.headers["content-type"].startswith("image/")
    assert_problem(
        await me.post(f"/api/v1/cases/{number}/materials/up_nope/link"), 404, "material_not_found"
    )
    other = await citizen(api, "c-links-2", seq=3)
    assert_problem(
        await other.post(f"/api/v1/cases/{number}/materials/{photo}/link"), 404, "case_not_found"
    )
    exported = (await me.get("/api/v1/me/export")).json()
    assert [c["number"] for c in exported["cases"]][:1] == [number]
    assert [u["id"] for u in exported["uploads"]] == [photo]


async def test_withdrawing_every_child_closes_the_bundle(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "c-children")
    photo = await me.upload("照片")
    body = {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    case = (await me.post("/api/v1/cases", json=body)).json()
    for child in case["children"]:
        assert (await me.post(f"/api/v1/cases/{child['number']}/withdraw")).status_code == 200
    bundle = (await me.get(f"/api/v1/cases/{case['number']}")).json()
    assert bundle["status"] == "withdrawn"
    assert bundle["public_status"] == "closed"
