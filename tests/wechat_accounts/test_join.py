"""A second WeChat app's account joins the citizen only after a verified identity binding and
with the one-time code sent to the holder's confirmed phone."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from backend import db
from backend.fakes.idverify_server import FakeIdVerify
from backend.fakes.sms_server import FakeSms
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.events import ACCOUNT_JOINED_EVENT
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from notifications import privacy
from tests.identity.helpers import Me, bind_body, login, make_id_number, make_village
from tests.wechat_accounts.support import SMS_SECRET, h5_login, last_code, sms_app

pytestmark = pytest.mark.api


PHONE = "13812345678"


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    with FakeSms(secret=SMS_SECRET) as fake:
        yield fake


async def _bound_on_the_mini_program(
    api: httpx.AsyncClient, openid: str, number: str, *, phone: str | None = PHONE
) -> Me:
    mini = await login(api, openid)
    bound = await mini.put("/api/v1/me/identity", bind_body(number))
    assert bound.status_code == 200 and bound.json()["identity_verified"] is True, bound.text
    if phone is not None:
        confirmed = await mini.post("/api/v1/me/phone", {"code": f"phone:{phone}"})
        assert confirmed.status_code == 200, confirmed.text
    return mini


async def _h5(api: httpx.AsyncClient, openid: str) -> Me:
    """A fresh H5 user of the fake WeChat (no unionid)."""
    return await h5_login(api, openid, extra=f"&openid={openid}")


async def _run_joined_events() -> None:
    """The worker's part: the holder is told (twice run, told once)."""
    rows = await OutboxEvent.select().where(OutboxEvent.kind == ACCOUNT_JOINED_EVENT).run()
    assert len(rows) == 1
    payload = rows[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    for _ in range(2):
        await privacy.on_account_joined(HandlerContext(rows[0]["id"], rows[0]["kind"], 1), payload)


async def _accounts() -> list[str]:
    rows = await db.fetch("SELECT citizen::text AS c FROM wechat_account ORDER BY id")
    return [r["c"] for r in rows]


async def test_a_verified_binding_moves_the_h5_account_only_with_the_holders_code(
    settings: Settings, wechat: FakeWeChat, idverify: FakeIdVerify, fake_sms: FakeSms
) -> None:
    await make_village()
    number = make_id_number(seq=41)
    async with sms_app(settings, fake_sms) as api:
        mini = await _bound_on_the_mini_program(api, "join-mp", number)
        h5 = await h5_login(api, "h5-tester-1")  # no unionid: WeChat could not link the two
        assert h5.id != mini.id
        asked = await h5.put("/api/v1/me/identity", bind_body(number))
        assert asked.status_code == 409, asked.text
        problem = asked.json()
        assert problem["code"] == "account_join_code_sent"
        assert problem["phone_masked"] == "138****5678"
        assert "138****5678" in problem["detail"] and PHONE not in asked.text
        assert await _accounts() == [mini.id, h5.id]  # nothing joined yet
        code, text = last_code(fake_sms, PHONE)
        assert "并入" in text and "如非本人操作" in text
        answer = await h5.put("/api/v1/me/identity", {**bind_body(number), "join_code": code})
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
        await _run_joined_events()
        inbox = (await joined.get("/api/v1/messages")).json()
        told = [m for m in inbox["items"] if m["title"] == "新增微信登录方式"]
        assert len(told) == 1 and "如非本人操作请到窗口处理" in told[0]["body"], inbox
    gone = await db.fetchrow("SELECT count(*) AS n FROM citizen WHERE id = $1::uuid", h5.id)
    assert gone is not None and gone["n"] == 0


async def test_a_name_and_number_read_off_an_id_card_take_over_no_one(
    settings: Settings, wechat: FakeWeChat, idverify: FakeIdVerify, fake_sms: FakeSms
) -> None:
    """The attacker: a fresh H5 account with the victim's name and number (both verified)."""
    await make_village()
    number = make_id_number(seq=45)
    async with sms_app(settings, fake_sms) as api:
        victim = await _bound_on_the_mini_program(api, "join-victim", number)
        attacker = await _h5(api, "h5-attacker")
        asked = await attacker.put("/api/v1/me/identity", bind_body(number))
        assert asked.status_code == 409 and asked.json()["code"] == "account_join_code_sent"
        right, _ = last_code(fake_sms, PHONE)
        wrong = "000000" if right != "000000" else "111111"
        for guess, code in ((wrong, "sms_code_invalid"), ("12ab", "sms_code_invalid")):
            answer = await attacker.put(
                "/api/v1/me/identity", {**bind_body(number), "join_code": guess}
            )
            assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
        me = (await attacker.get("/api/v1/me")).json()
        assert me["id"] == attacker.id and me["identity_bound"] is False
        assert await _accounts() == [victim.id, attacker.id]
        assert (await victim.get("/api/v1/me")).json()["identity_verified"] is True
        # the code sent for this account works for no other
        other = await _h5(api, "h5-attacker-2")
        stolen = await other.put("/api/v1/me/identity", {**bind_body(number), "join_code": right})
        assert stolen.status_code == 422, stolen.text
        assert (await other.get("/api/v1/me")).json()["id"] == other.id
    assert await OutboxEvent.count().where(OutboxEvent.kind == ACCOUNT_JOINED_EVENT).run() == 0


async def test_an_expired_or_worn_out_code_is_422_expired(
    settings: Settings, wechat: FakeWeChat, idverify: FakeIdVerify, fake_sms: FakeSms
) -> None:
    await make_village()
    number = make_id_number(seq=46)
    async with sms_app(settings, fake_sms) as api:
        mini = await _bound_on_the_mini_program(api, "join-mp-6", number)
        h5 = await _h5(api, "h5-tester-6")
        assert (await h5.put("/api/v1/me/identity", bind_body(number))).status_code == 409
        code, _ = last_code(fake_sms, PHONE)
        await db.execute("UPDATE phone_code SET expires_at = expires_at - interval '6 minutes'")
        late = await h5.put("/api/v1/me/identity", {**bind_body(number), "join_code": code})
        assert late.status_code == 422 and late.json()["code"] == "sms_code_expired", late.text
        assert await _accounts() == [mini.id, h5.id]


async def test_a_holder_without_a_phone_is_joined_by_no_one(
    settings: Settings, wechat: FakeWeChat, idverify: FakeIdVerify, fake_sms: FakeSms
) -> None:
    await make_village()
    number = make_id_number(seq=47)
    async with sms_app(settings, fake_sms) as api:
        mini = await _bound_on_the_mini_program(api, "join-mp-7", number, phone=None)
        h5 = await _h5(api, "h5-tester-7")
        answer = await h5.put("/api/v1/me/identity", {**bind_body(number), "join_code": "123456"})
        assert answer.status_code == 409 and answer.json()["code"] == "id_number_taken"
        assert "登记时的微信账号" in answer.json()["detail"]
        assert fake_sms.messages() == []
        assert await _accounts() == [mini.id, h5.id]


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
    assert await _accounts() == [mini.id, h5.id]


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
