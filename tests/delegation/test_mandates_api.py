"""Agents register villagers and record mandates; citizens confirm, refuse and revoke them."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.delegation.tables import Mandate, Registration
from backend.identity.tables import Citizen
from tests.api.test_login import assert_problem
from tests.delegation.support import (
    OTHER_VILLAGE,
    VILLAGER,
    agent,
    bank_clerk,
    days,
    paper_mandate,
    villager,
)
from tests.support import VILLAGE, citizen
from tests.window.support import clerk, staff

pytestmark = pytest.mark.api


async def test_an_agent_registers_a_villager_once_and_finds_them(api, small_catalogue: Path):
    me = await agent(api)
    first = await villager(me)
    number = VILLAGER["id_number"]
    assert first["name"] == "张阿大" and first["village_code"] == VILLAGE
    assert first["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    assert first["has_wechat"] is False and first["registered_by_agent"] is True
    assert first["birth_year"] == 1944
    again = await villager(me)  # the keyed hash finds the same person
    assert again["id"] == first["id"]
    assert await Citizen.count().run() == 1
    stored = await Citizen.select().first().run()
    assert number not in str(stored) and "19440205" not in str(stored)
    assert await Registration.count().run() == 1

    for q in ("张阿大", "阿大", "ZAD", "zad", number[-4:]):
        found = (await me.get("/api/v1/agent/citizens", params={"q": q})).json()
        assert [c["id"] for c in found["items"]] == [first["id"]], q
    assert (await me.get("/api/v1/agent/citizens", params={"q": "李"})).json()["total"] == 0


async def test_registration_refuses_other_villages_and_bad_numbers(api, small_catalogue: Path):
    me = await agent(api)
    elsewhere = {**VILLAGER, "village_code": OTHER_VILLAGE}
    response = await me.post("/api/v1/agent/citizens", json=elsewhere)
    assert_problem(response, 403, "village_not_yours")
    last = VILLAGER["id_number"][-1]
    bad = {**VILLAGER, "id_number": VILLAGER["id_number"][:-1] + ("1" if last == "0" else "0")}
    response = await me.post("/api/v1/agent/citizens", json=bad)
    assert_problem(response, 422, "id_number_invalid")
    assert await Citizen.count().run() == 0
    desk = await clerk(api)
    assert (await desk.post("/api/v1/agent/citizens", json=VILLAGER)).status_code == 403


async def test_a_bank_clerk_serves_the_outlets_township(api, small_catalogue: Path):
    clerk = await bank_clerk(api)
    here = await villager(clerk, {**VILLAGER, "village_code": OTHER_VILLAGE})
    assert here["village_code"] == OTHER_VILLAGE
    mandate = await paper_mandate(clerk, here["id"], items=["YB-CBDJ"])
    assert mandate["status"] == "active"


async def test_a_paper_mandate_is_active_at_once_and_checks_its_evidence(
    api, small_catalogue: Path
):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    assert mandate["status"] == "active" and mandate["consent"] == "paper"
    assert mandate["scope"] == ["出生登记"] and mandate["evidence_count"] == 2

    only_form = [await me.upload("委托书")]
    response = await me.post(
        "/api/v1/agent/mandates",
        json={
            "citizen_id": person["id"],
            "item_codes": ["GA-CSDJ"],
            "expires_on": days(30),
            "evidence_upload_ids": only_form,
        },
    )
    assert_problem(response, 422, "mandate_evidence_incomplete")
    assert response.json()["missing"] == ["身份证"]
    for body, code in (
        ({"item_codes": ["GA-SFZ-SL"], "expires_on": days(30)}, "item_not_delegable"),
        ({"item_codes": ["GA-CSDJ"], "expires_on": days(0)}, "mandate_expiry_invalid"),
        ({"item_codes": ["GA-CSDJ"], "expires_on": days(4000)}, "mandate_expiry_invalid"),
        ({"expires_on": days(30)}, "mandate_scope_required"),
        ({"item_codes": ["NOPE"], "expires_on": days(30)}, "item_unknown"),
    ):
        response = await me.post(
            "/api/v1/agent/mandates", json={"citizen_id": person["id"], **body}
        )
        assert_problem(response, 422, code)
    no_proof = await me.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": person["id"], "item_codes": ["GA-CSDJ"], "expires_on": days(30)},
    )
    assert_problem(no_proof, 422, "mandate_evidence_required")  # no WeChat to confirm with
    assert await Mandate.count().run() == 1


async def test_a_citizen_confirms_refuses_and_revokes_mandates(api, small_catalogue: Path, wechat):
    me = await agent(api)
    person = await citizen(api, "openid-villager", seq=72)
    first = await me.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": person.id, "item_codes": ["GA-CSDJ"], "expires_on": days(10)},
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "pending" and first.json()["consent"] == "miniprogram"
    mine = (await person.get("/api/v1/mandates")).json()
    assert [m["id"] for m in mine["items"]] == [first.json()["id"]]
    assert mine["items"][0]["agent_name"] == "陈代办"

    mandate_id = first.json()["id"]
    stranger = await citizen(api, "openid-stranger", seq=73)
    response = await stranger.post(f"/api/v1/mandates/{mandate_id}/confirm")
    assert_problem(response, 404, "mandate_not_found")
    confirmed = await person.post(f"/api/v1/mandates/{mandate_id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "active"
    again = await person.post(f"/api/v1/mandates/{mandate_id}/confirm")
    assert_problem(again, 409, "mandate_not_pending")
    revoked = await person.post(f"/api/v1/mandates/{mandate_id}/revoke")
    assert revoked.json()["status"] == "revoked"
    assert_problem(
        await person.post(f"/api/v1/mandates/{mandate_id}/revoke"), 409, "mandate_not_revocable"
    )

    bundle = (await api.get("/api/v1/bundles")).json()["items"][0]["code"]
    second = await me.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": person.id, "bundle_code": bundle, "expires_on": days(10)},
    )
    assert second.status_code == 201, second.text
    refused = await person.post(f"/api/v1/mandates/{second.json()['id']}/refuse")
    assert refused.json()["status"] == "refused"
    listed = (await me.get("/api/v1/agent/mandates")).json()
    assert {m["status"] for m in listed["items"]} == {"revoked", "refused"}


async def test_agents_of_other_villages_see_no_one(api, small_catalogue: Path):
    mine = await agent(api)
    person = await villager(mine)
    other = await agent(api, username="agent-b", area_code=OTHER_VILLAGE, name="李代办")
    response = await other.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": person["id"], "item_codes": ["GA-CSDJ"], "expires_on": days(5)},
    )
    assert_problem(response, 404, "citizen_not_found")
    assert (await other.get("/api/v1/agent/citizens", params={"q": "张"})).json()["total"] == 0
    assert await Mandate.count().run() == 0


async def test_supervisors_spot_check_sampled_paper_mandates(api, small_catalogue: Path):
    me = await agent(api)
    person = await villager(me)
    mandate = await paper_mandate(me, person["id"])
    await Mandate.update({Mandate.spot_check: True}).where(Mandate.id == mandate["id"]).run()
    boss = await staff(api, role="supervisor", username="sup-district", area_code="330109")
    sampled = (await boss.get("/api/v1/supervision/mandates")).json()
    assert [s["mandate"]["id"] for s in sampled["items"]] == [mandate["id"]]
    assert len(sampled["items"][0]["evidence_upload_ids"]) == 2
    checked = await boss.post(
        f"/api/v1/supervision/mandates/{mandate['id']}/spot-check",
        json={"ok": True, "note": "电话回访本人确认"},
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["spot_check_ok"] is True
    assert (await boss.get("/api/v1/supervision/mandates")).json()["total"] == 0
    assert (await me.get("/api/v1/supervision/mandates")).status_code == 403
    unsampled = await paper_mandate(me, person["id"])
    await Mandate.update({Mandate.spot_check: False}).where(Mandate.id == unsampled["id"]).run()
    refused = await boss.post(
        f"/api/v1/supervision/mandates/{unsampled['id']}/spot-check", json={"ok": True, "note": ""}
    )
    assert refused.status_code == 404  # only a sampled paper mandate is checked
