"""A villager an agent registered logs in with WeChat: the account takes the record over only
when nobody holds it, the name matches and the identity is verified (DESIGN.md rule 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.delegation.tables import Mandate, Registration
from backend.identity.tables import Citizen
from backend.outbox.tables import OutboxEvent
from tests.api.test_login import assert_problem
from tests.delegation.support import VILLAGER, agent, filed, paper_mandate, villager
from tests.support import VILLAGE, CitizenClient

pytestmark = pytest.mark.api


async def _login(api, openid: str) -> CitizenClient:
    login = await api.post("/api/v1/auth/wechat/login", json={"code": f"test:{openid}"})
    assert login.status_code == 200, login.text
    body = login.json()
    return CitizenClient(
        api, {"Authorization": f"Bearer {body['access_token']}"}, body["citizen"]["id"]
    )


async def _bind(api, who: CitizenClient, name: str = "张阿大"):
    return await api.put(
        "/api/v1/me/identity",
        json={
            "name": name,
            "id_number": VILLAGER["id_number"],
            "village_code": VILLAGE,
            "consent_version": "2026-01",
        },
        headers=who.headers,
    )


async def test_the_wechat_account_takes_over_and_sees_the_agents_case(
    api, small_catalogue: Path, elicense, wechat, fake_idverify
):
    me = await agent(api)
    registered = await villager(me)
    mandate = await paper_mandate(me, registered["id"])
    case = await filed(me, mandate["id"])

    grandson_phone = await _login(api, "openid-zhang")
    bound = await _bind(api, grandson_phone)
    assert bound.status_code == 200, bound.text
    assert bound.json()["identity_verified"] is True
    assert bound.json()["id"] == grandson_phone.id

    mine = (await grandson_phone.get("/api/v1/cases")).json()
    assert [c["number"] for c in mine["items"]] == [case["number"]]
    assert (await grandson_phone.get(f"/api/v1/cases/{case['number']}")).status_code == 200
    assert [m["id"] for m in (await grandson_phone.get("/api/v1/mandates")).json()["items"]] == [
        mandate["id"]
    ]
    assert await Citizen.count().run() == 1  # the registered row is gone, merged into this one
    assert await Mandate.count().where(Mandate.citizen == grandson_phone.id).run() == 1
    kept = await Registration.select().first().run()
    assert str(kept["citizen"]) == grandson_phone.id and kept["taken_over_at"] is not None
    found = (await me.get("/api/v1/agent/citizens", params={"q": "张阿大"})).json()["items"]
    assert found[0]["has_wechat"] is True and found[0]["id"] == grandson_phone.id

    someone_else = await _login(api, "openid-impostor")
    taken = await _bind(api, someone_else)
    assert_problem(taken, 409, "id_number_taken")


async def test_a_name_that_does_not_match_is_refused_and_the_agent_is_told(
    api, small_catalogue: Path, wechat, fake_idverify
):
    me = await agent(api)
    registered = await villager(me)
    account = await _login(api, "openid-other-name")
    refused = await _bind(api, account, name="张阿二")
    assert_problem(refused, 409, "takeover_refused")
    assert refused.json()["reason"] == "name_mismatch"
    assert await Citizen.count().run() == 2
    still = await Citizen.select(Citizen.openid).where(Citizen.id == registered["id"]).first().run()
    assert still["openid"] is None
    found = (await me.get("/api/v1/agent/citizens", params={"q": "张阿大"})).json()["items"]
    assert found[0]["takeover_refused"] and "姓名" in found[0]["takeover_refused"]
    events = await OutboxEvent.select().where(OutboxEvent.kind == "citizen.takeover_refused").run()
    assert len(events) == 1 and json.loads(events[0]["payload"])["agent_id"] == me.id


async def test_an_unverified_identity_cannot_take_over(
    api, small_catalogue: Path, wechat, fake_idverify
):
    me = await agent(api)
    await villager(me)
    fake_idverify.set_unavailable(True)
    try:
        account = await _login(api, "openid-unverified")
        refused = await _bind(api, account)
    finally:
        fake_idverify.set_unavailable(False)
    # one answer for every unverified pair whose number is registered, whoever holds it
    assert_problem(refused, 409, "identity_needs_verification")
    assert await Citizen.count().run() == 2
    found = (await me.get("/api/v1/agent/citizens", params={"q": "张阿大"})).json()["items"]
    assert found[0]["takeover_refused"]  # the agent who registered the villager is still told
