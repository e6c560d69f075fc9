"""Who is registered is not told to whoever asks (issue: oracles on ID numbers).

A pair that fails verification gets the same answer whether or not the number is registered;
only a verified pair learns "registered elsewhere"; an unverifiable number held outside the
agent's village becomes a request the township settles. The real app (uvicorn), the fake
verification service.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from backend.delegation.tables import Referral
from backend.fakes.idverify_server import FakeIdVerify
from backend.identity.tables import Citizen
from tests.api.test_login import assert_problem
from tests.delegation.support import OTHER_VILLAGE, VILLAGER, agent, villager
from tests.factories import make_id_number
from tests.identity.helpers import bind_body, login
from tests.window.support import clerk

pytestmark = pytest.mark.api

MISMATCH = "不匹配"  # the fake verification service says "no match" for this name


def _answer(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["detail"]


async def test_a_failing_pair_is_told_the_same_whether_or_not_the_number_is_bound(
    api, wechat, small_catalogue: Path, idverify: FakeIdVerify
):
    holder = await login(api, "oracle-holder")
    taken = make_id_number(seq=301, birth="19700101")
    assert (await holder.put("/api/v1/me/identity", bind_body(taken))).status_code == 200
    free = make_id_number(seq=302, birth="19700101")

    prober = await login(api, "oracle-prober")
    on_taken = await prober.put("/api/v1/me/identity", bind_body(taken, name=MISMATCH))
    on_free = await prober.put("/api/v1/me/identity", bind_body(free, name=MISMATCH))
    print("binding, failing pair:", _answer(on_taken), "vs", _answer(on_free))
    assert _answer(on_taken) == _answer(on_free)
    assert_problem(on_taken, 422, "identity_not_matched")

    verified = await prober.put("/api/v1/me/identity", bind_body(taken))  # the right name
    assert_problem(verified, 409, "id_number_taken")  # a verified pair may learn this


async def test_an_unverifiable_pair_gets_one_answer_whoever_holds_the_number(
    api, wechat, small_catalogue: Path, idverify: FakeIdVerify
):
    holder = await login(api, "oracle-wechat-holder")
    by_wechat = make_id_number(seq=303, birth="19700101")
    assert (await holder.put("/api/v1/me/identity", bind_body(by_wechat))).status_code == 200
    me = await agent(api)
    await villager(me)  # VILLAGER's number, registered without WeChat

    idverify.set_unavailable(True)
    prober = await login(api, "oracle-unverified")
    answers = {
        _answer(await prober.put("/api/v1/me/identity", bind_body(number, name=name)))
        for number, name in (
            (by_wechat, "王秀英"),  # the holder's name
            (by_wechat, "李四"),  # another name
            (VILLAGER["id_number"], VILLAGER["name"]),
            (VILLAGER["id_number"], "李四"),
        )
    }
    print("binding, unverifiable pair on registered numbers:", answers)
    assert len(answers) == 1
    assert next(iter(answers))[:2] == (409, "identity_needs_verification")


async def test_an_agent_learns_nothing_from_a_failing_pair(
    api, small_catalogue: Path, idverify: FakeIdVerify
):
    elsewhere = await agent(api, username="agent-other", area_code=OTHER_VILLAGE)
    held = make_id_number(seq=311, birth="19500101")
    await villager(elsewhere, {"name": "赵大", "id_number": held, "village_code": OTHER_VILLAGE})
    me = await agent(api)
    body = {"village_code": VILLAGER["village_code"], "name": MISMATCH}
    on_held = await me.post("/api/v1/agent/citizens", json={**body, "id_number": held})
    free = make_id_number(seq=312, birth="19500101")
    on_free = await me.post("/api/v1/agent/citizens", json={**body, "id_number": free})
    print("agent registration, failing pair:", _answer(on_held), "vs", _answer(on_free))
    assert _answer(on_held) == _answer(on_free)
    assert_problem(on_held, 422, "identity_not_matched")
    assert await Citizen.count().run() == 1

    verified = await me.post(
        "/api/v1/agent/citizens",
        json={"name": "赵大", "id_number": held, "village_code": VILLAGER["village_code"]},
    )
    assert_problem(verified, 409, "registered_elsewhere")


async def test_without_verification_the_township_settles_a_number_held_elsewhere(
    api, small_catalogue: Path, idverify: FakeIdVerify
):
    elsewhere = await agent(api, username="agent-other", area_code=OTHER_VILLAGE)
    held = make_id_number(seq=321, birth="19500101")
    first = await villager(
        elsewhere, {"name": "钱二", "id_number": held, "village_code": OTHER_VILLAGE}
    )
    me = await agent(api)
    idverify.set_unavailable(True)
    answers = {
        _answer(
            await me.post(
                "/api/v1/agent/citizens",
                json={"name": name, "id_number": held, "village_code": VILLAGER["village_code"]},
            )
        )
        for name in ("钱二", "孙三")  # the holder's name, and another: the same answer
    }
    idverify.set_unavailable(False)
    print("agent registration, unverifiable, held elsewhere:", answers)
    assert len(answers) == 1 and next(iter(answers))[:2] == (409, "referred_to_township")
    assert await Referral.count().run() == 1  # one pending request per holder and village
    window = await clerk(api)
    listed = (await window.get("/api/v1/window/referrals", params={"status": "pending"})).json()
    print("township's pending referrals:", listed["total"])
    assert listed["total"] >= 1
    item = listed["items"][0]
    assert item["holder_village_code"] == OTHER_VILLAGE and item["holder_id_masked"]
    done = await window.post(
        f"/api/v1/window/referrals/{item['id']}/resolve",
        json={"outcome": "moved", "note": "查验身份证，已迁入群围村"},
    )
    assert done.status_code == 200, done.text
    moved = await Citizen.select(Citizen.village).where(Citizen.id == first["id"]).first().run()
    assert moved["village"] == VILLAGER["village_code"]
    again = await window.post(
        f"/api/v1/window/referrals/{item['id']}/resolve", json={"outcome": "moved", "note": "x"}
    )
    assert_problem(again, 404, "referral_not_found")
    other_township = await clerk(api, username="window-b", area_code="330109105")
    assert (await other_township.get("/api/v1/window/referrals")).json()["total"] == 0
