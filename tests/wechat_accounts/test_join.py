"""A second WeChat app's account joins the citizen only after a verified identity binding."""

from __future__ import annotations

import pytest

from backend import db
from backend.fakes.idverify_server import FakeIdVerify
from backend.fakes.wechat_server import FakeWeChat
from tests.identity.helpers import Me, bind_body, login, make_id_number, make_village
from tests.wechat_accounts.support import h5_login

pytestmark = pytest.mark.api


async def _bound_on_the_mini_program(api, openid: str, number: str) -> Me:
    mini = await login(api, openid)
    bound = await mini.put("/api/v1/me/identity", bind_body(number))
    assert bound.status_code == 200 and bound.json()["identity_verified"] is True, bound.text
    return mini


async def test_a_verified_binding_moves_the_h5_account_to_its_citizen(
    api, wechat: FakeWeChat, idverify: FakeIdVerify
) -> None:
    await make_village()
    number = make_id_number(seq=41)
    mini = await _bound_on_the_mini_program(api, "join-mp", number)
    h5 = await h5_login(api, "h5-tester-1")  # no unionid: WeChat could not link the two
    assert h5.id != mini.id
    answer = await h5.put("/api/v1/me/identity", bind_body(number))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"] == mini.id and body["identity_verified"] is True
    assert body["access_token"] and body["expires_in"] > 0
    assert (await h5.get("/api/v1/me")).status_code == 401  # the old token is dead
    joined = Me(api, mini.id, body["access_token"])
    assert (await joined.get("/api/v1/me")).json()["id"] == mini.id
    assert (await mini.get("/api/v1/me")).status_code == 200  # the mini-program keeps working
    again = await h5_login(api, "h5-tester-1")
    assert again.id == mini.id
    exported = (await joined.get("/api/v1/me/export")).json()
    assert {(a["appid"], a["openid"]) for a in exported["wechat"]["accounts"]} == {
        ("wx-test-appid", "join-mp"),
        ("wx-dev-h5-appid", "h5-tester-1"),
    }
    gone = await db.fetchrow("SELECT count(*) AS n FROM citizen WHERE id = $1::uuid", h5.id)
    assert gone is not None and gone["n"] == 0


async def test_an_unverified_binding_is_still_409_and_moves_nothing(
    api, wechat: FakeWeChat, idverify: FakeIdVerify
) -> None:
    await make_village()
    number = make_id_number(seq=42)
    mini = await _bound_on_the_mini_program(api, "join-mp-2", number)
    h5 = await h5_login(api, "h5-tester-2")
    idverify.set_unavailable(True)
    try:
        answer = await h5.put("/api/v1/me/identity", bind_body(number))
    finally:
        idverify.set_unavailable(False)
    assert answer.status_code == 409
    assert answer.json()["code"] == "identity_needs_verification"
    assert (await h5.get("/api/v1/me")).json()["id"] == h5.id
    rows = await db.fetch("SELECT citizen::text AS c FROM wechat_account ORDER BY id")
    assert [r["c"] for r in rows] == [mini.id, h5.id]


async def test_a_verified_binding_under_another_name_is_409(
    api, wechat: FakeWeChat, idverify: FakeIdVerify
) -> None:
    await make_village()
    number = make_id_number(seq=43)
    await _bound_on_the_mini_program(api, "join-mp-3", number)
    h5 = await h5_login(api, "h5-tester-3")
    answer = await h5.put("/api/v1/me/identity", bind_body(number, name="李四海"))
    assert answer.status_code == 409 and answer.json()["code"] == "id_number_taken"
    assert (await h5.get("/api/v1/me")).status_code == 200


async def test_a_second_mini_program_account_never_joins(
    api, wechat: FakeWeChat, idverify: FakeIdVerify
) -> None:
    """One account per app and citizen: another mini-program user claiming the number is 409."""
    await make_village()
    number = make_id_number(seq=44)
    await _bound_on_the_mini_program(api, "join-mp-4", number)
    other = await login(api, "join-mp-4-other")
    answer = await other.put("/api/v1/me/identity", bind_body(number))
    assert answer.status_code == 409 and answer.json()["code"] == "id_number_taken"
