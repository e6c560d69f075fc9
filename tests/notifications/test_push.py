"""WeChat's message push over HTTP: the URL check, subscribe-message events in JSON and XML, plain
and encrypted (built here with wechatpy's own crypto), replays, and forgeries that change nothing."""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import xmltodict
from wechatpy.crypto import PrpCrypto
from wechatpy.utils import WeChatSigner

from backend.errors import ServiceUnavailable
from backend.settings import Settings
from notifications import push
from notifications.tables import Message, StaffNotice, Subscription
from tests.api.test_login import assert_problem
from tests.cases.test_citizen_cases_api import BIRTH
from tests.conftest import PUSH_AES_KEY, PUSH_TOKEN
from tests.support import citizen

pytestmark = pytest.mark.api

URL = "/api/v1/wechat/push"
APPID = "wx-test-appid"
T_RECEIVED = "jjb-case-received"
T_SUPPLEMENT = "jjb-case-supplement"


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _encrypt(text: str, appid: str = APPID) -> str:
    key = base64.b64decode(PUSH_AES_KEY + "=")
    return PrpCrypto(key).encrypt(text, appid).decode()


def _xml(event: dict[str, Any]) -> str:
    return xmltodict.unparse({"xml": event}, full_document=False)


def _event(openid: str, name: str, items: Any, *, at: int | None = None, xml: bool = False):
    event: dict[str, Any] = {
        "ToUserName": "gh_123456789abc",
        "FromUserName": openid,
        "CreateTime": at or int(time.time()),
        "MsgType": "event",
        "Event": name,
    }
    if xml:  # XML wraps the items: <SubscribeMsgPopupEvent><List>…</List><List>…</List>
        event[push.WRAPPERS[name]] = {"List": items}
    else:  # JSON: one item as an object, several as a list
        event["List"] = items
    return event


def _signed(body: str, *, encrypted: bool, xml: bool, ts: str | None = None):
    timestamp = ts or str(int(time.time()))
    nonce = uuid.uuid4().hex[:10]
    params = {"signature": _sign(PUSH_TOKEN, timestamp, nonce), "timestamp": timestamp}
    params["nonce"] = nonce
    if encrypted:
        cipher_text = _encrypt(body)
        params["encrypt_type"] = "aes"
        params["msg_signature"] = _sign(PUSH_TOKEN, timestamp, nonce, cipher_text)
        outer = {"ToUserName": "gh_123456789abc", "Encrypt": cipher_text}
        body = _xml(outer) if xml else json.dumps(outer)
    return params, body


async def _push(
    api: httpx.AsyncClient, event: dict[str, Any], *, encrypted: bool = False, xml: bool = False
) -> httpx.Response:
    params, body = _signed(_xml(event) if xml else json.dumps(event), encrypted=encrypted, xml=xml)
    return await _post(api, params, body, xml=xml)


async def _post(
    api: httpx.AsyncClient, params: dict[str, str], body: str, *, xml: bool = False
) -> httpx.Response:
    kind = "text/xml" if xml else "application/json"
    return await api.post(URL, params=params, content=body.encode(), headers={"Content-Type": kind})


def _ok(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.text == "success"


async def _ledger(citizen_id: str) -> dict[str, tuple[str, int, str]]:
    rows = await Subscription.select().where(Subscription.citizen == citizen_id).run()
    return {r["template_id"]: (r["status"], r["credits"], r["source"]) for r in rows}


def _accept(template_id: str, status: str = "accept") -> dict[str, str]:
    return {"TemplateId": template_id, "SubscribeStatusString": status, "PopupScene": "0"}


async def test_url_check_answers_echostr_only_when_signed(api, wechat) -> None:
    ts, nonce = str(int(time.time())), "n-123"
    good = {"signature": _sign(PUSH_TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    answer = await api.get(URL, params={**good, "echostr": "echo-7788"})
    assert answer.status_code == 200 and answer.text == "echo-7788"
    bad = await api.get(URL, params={**good, "signature": "0" * 40, "echostr": "x"})
    assert_problem(bad, 401, "push_signature_invalid")
    old = str(int(time.time()) - 400)
    stale = {"signature": _sign(PUSH_TOKEN, old, nonce), "timestamp": old, "nonce": nonce}
    assert_problem(
        await api.get(URL, params={**stale, "echostr": "x"}), 401, "push_signature_invalid"
    )


async def test_popup_accept_earns_one_credit_however_often_it_is_pushed(api, wechat) -> None:
    me = await citizen(api, "push-popup", bind=False)
    openid = "push-popup"
    event = _event(openid, push.POPUP, _accept(T_RECEIVED))  # one template: an object
    params, body = _signed(json.dumps(event), encrypted=False, xml=False)
    _ok(await _post(api, params, body))
    assert (await _ledger(me.id))[T_RECEIVED] == ("accept", 1, "popup")

    _ok(await _post(api, params, body))  # WeChat's retry: the very same request
    _ok(await _push(api, event))  # the same event signed anew
    _ok(await _push(api, event, encrypted=True, xml=False))
    assert (await _ledger(me.id))[T_RECEIVED][:2] == ("accept", 1)

    later = _event(
        openid,
        push.POPUP,
        [_accept(T_RECEIVED), _accept(T_SUPPLEMENT, "reject"), _accept("not-ours")],
        at=int(time.time()) + 5,
        xml=True,
    )
    _ok(await _push(api, later, encrypted=True, xml=True))  # a second tap, two templates
    found = await _ledger(me.id)
    assert found[T_RECEIVED][:2] == ("accept", 2)
    assert found[T_SUPPLEMENT][:2] == ("reject", 0)
    assert "not-ours" not in found


async def test_change_event_records_the_refusal_in_json_and_xml(api, wechat) -> None:
    me = await citizen(api, "push-change", bind=False)
    _ok(await _push(api, _event("push-change", push.POPUP, _accept(T_RECEIVED)), xml=True))
    change = _event(
        "push-change", push.CHANGE, [{"TemplateId": T_RECEIVED, "SubscribeStatusString": "reject"}]
    )
    _ok(await _push(api, change, encrypted=True))
    assert (await _ledger(me.id))[T_RECEIVED][0::2] == ("reject", "change")
    again = _event(
        "push-change",
        push.CHANGE,
        {"TemplateId": T_SUPPLEMENT, "SubscribeStatusString": "reject"},
        xml=True,
    )
    _ok(await _push(api, again, xml=True))
    assert (await _ledger(me.id))[T_SUPPLEMENT][0] == "reject"


async def _delivered(me_id: str, number: str, msgid: str, template_id: str) -> int:
    row = Message(
        key=f"case-event:test:{msgid}:{me_id}:wechat",
        event="case.supplement",
        recipient_kind="citizen",
        recipient_id=me_id,
        channel="wechat",
        case_number=number,
        title="请补正材料",
        body="您的申请需要补正材料。",
        template_id=template_id,
        needs_action=True,
        status="delivered",
        attempts=1,
        credit_spent=True,
        wechat_msgid=msgid,
    )
    await row.save().run()
    return int(row.id)


async def test_sent_event_with_43101_fails_the_message_and_tells_someone(
    api, small_catalogue: Path, elicense, wechat
) -> None:
    me = await citizen(api, "push-sent")
    submitted = await me.post("/api/v1/cases", json={**BIRTH, "item_code": "GA-CSDJ"})
    assert submitted.status_code == 201, submitted.text
    number = submitted.json()["number"]
    _ok(await _push(api, _event("push-sent", push.POPUP, _accept(T_SUPPLEMENT))))
    refused = await _delivered(me.id, number, "3000000777", T_SUPPLEMENT)
    confirmed = await _delivered(me.id, number, "3000000778", T_SUPPLEMENT)

    items = {"TemplateId": T_SUPPLEMENT, "MsgID": "3000000777", "ErrorCode": "43101"}
    sent = _event(
        "push-sent",
        push.SENT,
        {**items, "ErrorStatus": "failed:user refuse to accept the msg"},
        xml=True,
    )
    _ok(await _push(api, sent, xml=True))
    ok = {
        "TemplateId": T_SUPPLEMENT,
        "MsgID": "3000000778",
        "ErrorCode": 0,
        "ErrorStatus": "success",
    }
    _ok(await _push(api, _event("push-sent", push.SENT, ok), encrypted=True))

    failed = await Message.select().where(Message.id == refused).first().run()
    assert (failed["status"], failed["errcode"]) == ("permanent_failure", 43101)
    assert "refuse" in failed["last_error"] and failed["finished_at"] is not None
    kept = await Message.select().where(Message.id == confirmed).first().run()
    assert kept["status"] == "delivered"
    assert (await _ledger(me.id))[T_SUPPLEMENT][:2] == ("reject", 0)
    tasks = await StaffNotice.select().where(StaffNotice.case_number == number).run()
    assert [t["kind"] for t in tasks] == ["tell_citizen"]
    assert "拒收" in tasks[0]["text"]

    _ok(await _push(api, sent, xml=True))  # replayed: nothing more happens
    assert await StaffNotice.count().where(StaffNotice.case_number == number).run() == 1


async def test_forged_pushes_are_refused_and_change_nothing(api, wechat) -> None:
    me = await citizen(api, "push-forged", bind=False)
    event = _event("push-forged", push.POPUP, _accept(T_RECEIVED))
    body = json.dumps(event)

    params, _ = _signed(body, encrypted=False, xml=False)
    forged = {**params, "signature": _sign("not-the-token", params["timestamp"], params["nonce"])}
    assert_problem(await _post(api, forged, body), 401, "push_signature_invalid")

    old = str(int(time.time()) - 600)
    stale, _ = _signed(body, encrypted=False, xml=False, ts=old)
    assert_problem(await _post(api, stale, body), 401, "push_signature_invalid")

    params, outer = _signed(body, encrypted=True, xml=False)
    bad_msg_sig = {**params, "msg_signature": "0" * 40}
    assert_problem(await _post(api, bad_msg_sig, outer), 401, "push_signature_invalid")

    garbage = base64.b64encode(b"x" * 64).decode()  # signed, but not our cipher text
    params, _ = _signed(body, encrypted=True, xml=False)
    params["msg_signature"] = _sign(PUSH_TOKEN, params["timestamp"], params["nonce"], garbage)
    assert_problem(
        await _post(api, params, json.dumps({"Encrypt": garbage})), 401, "push_signature_invalid"
    )

    other_app = _encrypt(body, appid="wx-someone-else")
    params, _ = _signed(body, encrypted=True, xml=False)
    params["msg_signature"] = _sign(PUSH_TOKEN, params["timestamp"], params["nonce"], other_app)
    assert_problem(
        await _post(api, params, json.dumps({"Encrypt": other_app})), 401, "push_signature_invalid"
    )

    # Plain mode signs the query only: a captured query with another body is refused.
    innocent = json.dumps(_event("push-forged", "view", []))
    params, _ = _signed(innocent, encrypted=False, xml=False)
    _ok(await _post(api, params, innocent))
    assert_problem(await _post(api, params, body), 401, "push_signature_invalid")

    assert await _ledger(me.id) == {}


async def test_unknown_openids_and_events_are_acknowledged(api, wechat) -> None:
    _ok(await _push(api, _event("nobody-here", push.POPUP, _accept(T_RECEIVED))))
    me = await citizen(api, "push-other", bind=False)
    _ok(await _push(api, _event("push-other", "user_enter_tempsession", [])))
    _ok(await _push(api, _event("push-other", push.SENT, {"MsgID": "1", "ErrorCode": "43101"})))
    assert await _ledger(me.id) == {}
    assert await Subscription.count().run() == 0


def test_an_empty_token_turns_the_endpoint_off(settings: Settings) -> None:
    from dataclasses import replace

    with pytest.raises(ServiceUnavailable) as caught:
        push.PushConfig.of(replace(settings, wechat_push_token=""))
    assert caught.value.code == "push_not_configured"
