"""Walk-ins (前台综合受理): a citizen without WeChat, filed and accepted at the window at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.cases.tables import Case
from backend.identity.tables import Citizen
from tests.api.test_login import assert_problem
from tests.factories import make_id_number
from tests.support import VILLAGE, citizen
from tests.window.support import BIRTH, OTHER_TOWNSHIP, TOWNSHIP, clerk

pytestmark = pytest.mark.api

ID_NUMBER = make_id_number(seq=41, birth="19580704", male=True)
APPLICANT = {"name": "李建国", "id_number": ID_NUMBER, "village_code": VILLAGE}
WALK_IN = {**BIRTH, "item_code": "GA-CSDJ", "applicant": APPLICANT}


async def test_a_walk_in_creates_a_wechatless_citizen_and_is_accepted_once(
    api, small_catalogue: Path, elicense, wechat
):
    desk = await clerk(api)
    key = {"Idempotency-Key": "walk-in-1"}
    first = await desk.post("/api/v1/window/cases", json=WALK_IN, headers=key)
    assert first.status_code == 201, first.text
    case = first.json()
    assert case["status"] == "accepted" and case["channel"] == "window"
    assert case["township_code"] == TOWNSHIP and case["working_days_left"] == 5
    assert case["filed_by"] == {"kind": "window", "name": "window-a"}
    assert case["applicant"] == {
        "name": "李建国",
        "id_number_masked": ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:],
    }
    steps = [(e["action"], e["actor_role"], e["channel"]) for e in case["timeline"]]
    assert steps == [
        ("submit", "window", "window"),
        ("forward", "window", "window"),
        ("accept", "window", "window"),
    ]
    assert case["timeline"][0]["on_behalf_of"]

    again = await desk.post("/api/v1/window/cases", json=WALK_IN, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == case["number"]
    assert await Case.count().run() == 1
    people = await Citizen.select().run()
    assert len(people) == 1
    person = people[0]
    assert person["openid"] is None and person["identity_bound"] is True
    assert person["name"] == "李建国" and person["village"] == VILLAGE
    assert ID_NUMBER not in str(person["id_number_enc"])
    assert person["id_number_masked"] == case["applicant"]["id_number_masked"]

    reused = await desk.post(
        "/api/v1/window/cases", json=WALK_IN, headers={"Idempotency-Key": "k2"}
    )
    assert reused.status_code == 201 and reused.json()["number"] != case["number"]
    assert await Citizen.count().run() == 1  # found by the ID number's lookup hash
    changed = {**WALK_IN, "delivery": {"method": "agent"}}
    assert_problem(
        await desk.post("/api/v1/window/cases", json=changed, headers=key),
        422,
        "idempotency_key_reused",
    )


async def test_walk_in_of_a_citizen_known_from_wechat_and_with_staff_uploads(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "ww-known", name="王秀英")
    desk = await clerk(api)
    card = await desk.upload("身份证")
    body = {
        "item_code": "GA-SFZ-HL",
        "delivery": {"method": "window"},
        "materials": [{"type": "身份证", "upload_id": card}],
        "applicant": {"name": "王秀英", "id_number": me.id_number, "village_code": VILLAGE},
    }
    filed = await desk.post("/api/v1/window/cases", json=body)
    assert filed.status_code == 201, filed.text
    assert [m["upload_id"] for m in filed.json()["materials"]] == [card]
    assert await Citizen.count().run() == 1
    mine = (await me.get("/api/v1/cases")).json()
    assert [c["number"] for c in mine["items"]] == [filed.json()["number"]]
    wrong_name = {**body, "materials": [], "applicant": {**body["applicant"], "name": "王秀兰"}}
    assert_problem(
        await desk.post("/api/v1/window/cases", json=wrong_name), 409, "applicant_name_mismatch"
    )


async def test_walk_in_input_is_checked_before_anything_is_written(
    api, small_catalogue: Path, elicense, wechat
):
    desk = await clerk(api)
    bad_id = {**WALK_IN, "applicant": {**APPLICANT, "id_number": ID_NUMBER[:-1] + "0"}}
    if bad_id["applicant"]["id_number"] == ID_NUMBER:
        bad_id["applicant"]["id_number"] = ID_NUMBER[:-1] + "1"
    assert_problem(await desk.post("/api/v1/window/cases", json=bad_id), 422, "id_number_invalid")
    bad_all = {**WALK_IN, "applicant": {"name": "x", "id_number": "1", "village_code": "nope"}}
    body = assert_problem(
        await desk.post("/api/v1/window/cases", json=bad_all), 422, "applicant_invalid"
    )
    assert len(body["errors"]) == 3
    elsewhere = await clerk(api, "window-glx", OTHER_TOWNSHIP)
    far = {**WALK_IN, "item_code": "GA-SWZX", "form": {}}
    far["materials"] = []
    assert_problem(
        await elsewhere.post("/api/v1/window/cases", json=far), 422, "item_not_handled_here"
    )
    assert await Case.count().run() == 0
    assert await Citizen.count().run() == 0


async def test_a_walk_in_cannot_choose_delivery_through_an_agent(
    api, small_catalogue: Path, elicense, wechat
):
    desk = await clerk(api)
    body = {**WALK_IN, "delivery": {"method": "agent"}}  # 出生登记 allows it, a walk-in has none
    refused = assert_problem(
        await desk.post("/api/v1/window/cases", json=body), 422, "delivery_method_invalid"
    )
    assert "代办员送达" in refused["detail"] and "窗口收件" in refused["detail"]
    assert await Case.count().run() == 0
    assert await Citizen.count().run() == 0


async def test_paper_originals_checked_at_the_window_satisfy_materials(
    api, small_catalogue: Path, elicense, wechat
):
    elicense.types = set()  # nothing shared: the originals on the counter must do
    desk = await clerk(api)
    body = {**WALK_IN, "paper_originals": ["出生医学证明", "户口簿", "身份证"]}
    filed = await desk.post("/api/v1/window/cases", json=body)
    assert filed.status_code == 201, filed.text
    assert {(m["type"], m["source"]) for m in filed.json()["materials"]} == {
        ("出生医学证明", "paper"),
        ("户口簿", "paper"),
        ("身份证", "paper"),
    }
    missing = await desk.post(
        "/api/v1/window/cases", json={**WALK_IN, "paper_originals": ["身份证"]}
    )
    assert {m["type"] for m in assert_problem(missing, 422, "materials_missing")["missing"]} == {
        "出生医学证明",
        "户口簿",
    }
    me = await citizen(api, "c-paper", seq=5)
    online = await me.post(
        "/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ", "paper_originals": ["身份证"]}
    )
    assert_problem(online, 422, "paper_not_allowed")


async def test_a_refused_walk_in_registers_no_one(api, small_catalogue: Path, elicense, wechat):
    desk = await clerk(api)
    bad_form = {**WALK_IN, "form": {**BIRTH["form"], "birth_date": "0001-01-01"}}
    refused = await desk.post("/api/v1/window/cases", json=bad_form)
    assert_problem(refused, 422, "form_invalid")
    assert await Citizen.count().run() == 0 and await Case.count().run() == 0
