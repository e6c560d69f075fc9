"""Delivery of subscribe messages, end to end and under WeChat's faults.

The real app (uvicorn) takes the citizen's consent and the case; an in-process worker with the
domain's handlers plans and delivers; the fake WeChat is a real HTTP server that records what it
received and answers scripted errcodes.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backend import db
from backend.cases import views as case_views
from backend.fakes.wechat_rules import SUBSCRIBE_PATH, TOKEN_PATH
from backend.fakes.wechat_server import FakeWeChat
from backend.settings import Settings
from notifications import ledger
from notifications.tables import Message, StaffNotice, Subscription
from notifications.templates import MAX_LEN, TEMPLATES, field_type, parse_config
from tests.delegation.support import agent, filed, paper_mandate, villager
from tests.support import CitizenClient, citizen
from tests.window.support import SINGLE, TOWNSHIP, clerk, ok
from tests.workers.conftest import running_worker

pytestmark = pytest.mark.workers

TEMPLATE_IDS = {event: conf.template_id for event, conf in parse_config("").items()}
FINAL = ("delivered", "permanent_failure", "technical_failure")
_CJK = re.compile(r"^[\u3400-\u9fff]+$")
_TIME = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$")


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Retries after a tenth of a second, so a temporary failure is retried within the test."""
    return replace(settings, outbox_backoff_s=0.1, notify_send_rate=1000.0)


async def accept(me: CitizenClient, *events: str) -> dict[str, Any]:
    response = await me.post(
        "/api/v1/notifications/subscriptions",
        json={
            "results": {
                **{TEMPLATE_IDS[e]: "accept" for e in events},
                "errMsg": "requestSubscribeMessage:ok",
            }
        },
    )
    assert response.status_code == 200, response.text
    return {t["event"]: t for t in response.json()["templates"]}


async def submit(me: CitizenClient) -> str:
    response = await me.post("/api/v1/cases", json=SINGLE)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


async def settled(number: str, event: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """The message of ``event`` for case ``number`` once its delivery has finished."""
    deadline = time.monotonic() + timeout_s
    row = None
    while time.monotonic() < deadline:
        row = (
            await Message.select()
            .where((Message.case_number == number) & (Message.event == event))
            .first()
            .run()
        )
        if row is not None and row["status"] in FINAL:
            return dict(row)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{event} of {number} not delivered or failed: {row}")


async def queued(number: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = await case_views.case_row(number=number)
        if row is not None and row.status == "queued":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{number} never reached the township queue")


async def job_over(message_id: int, timeout_s: float = 60.0) -> None:
    """Wait until the message's delivery job can run no more (done or dead): after this no retry
    can come, so what WeChat received is all it will receive."""
    deadline = time.monotonic() + timeout_s
    status = None
    while time.monotonic() < deadline:
        rows = await db.fetch(
            "SELECT status FROM outbox_event WHERE dedup_key = $1", f"deliver:{message_id}"
        )
        status = rows[0]["status"] if rows else None
        if status in ("done", "dead"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the delivery job of message {message_id} still {status}")


def assert_fits_wechat(data: dict[str, dict[str, str]]) -> None:
    """Each value obeys its field type's rule, as WeChat checks it (47003 otherwise)."""
    for key, item in data.items():
        value, kind = item["value"], field_type(key)
        assert value, key
        if kind == "phrase":
            assert _CJK.match(value) and len(value) <= 5, (key, value)
        elif kind == "character_string":
            assert value.isascii() and " " not in value and len(value) <= 32, (key, value)
        elif kind == "time":
            assert _TIME.match(value), (key, value)
        else:
            assert len(value) <= MAX_LEN[kind], (key, value)


async def test_an_accepted_template_gives_one_fitted_message_and_spends_the_credit(
    api, small_catalogue: Path, elicense, wechat: FakeWeChat, settings: Settings
):
    me = await citizen(api, "dl-happy")
    credits = await accept(me, "case.received")
    assert credits["case.received"]["credits"] == 1

    async with running_worker(settings, {}):
        number = await submit(me)
        message = await settled(number, "case.received")

    assert message["status"] == "delivered" and message["attempts"] == 1
    sent = wechat.messages()
    assert len(sent) == 1
    assert sent[0]["touser"] == "dl-happy"
    assert sent[0]["template_id"] == TEMPLATE_IDS["case.received"]
    assert sent[0]["page"] == f"pages/case/index?number={number}"
    assert set(sent[0]["data"]) == {key for key, _ in TEMPLATES["case.received"].fields}
    assert_fits_wechat(sent[0]["data"])
    assert sent[0]["data"]["character_string1"]["value"] == number
    assert message["wechat_msgid"] == str(sent[0]["msgid"])

    inbox = (await me.get("/api/v1/messages")).json()
    assert inbox["unread"] == 1
    assert [(m["case_number"], m["status"], m["channel"]) for m in inbox["items"]] == [
        (number, "delivered", "wechat")
    ]
    mine = (await me.get("/api/v1/notifications/subscriptions")).json()["templates"]
    assert next(t for t in mine if t["event"] == "case.received")["credits"] == 0


async def test_without_credit_nothing_is_sent_and_an_action_becomes_a_task_for_the_desk(
    api, small_catalogue: Path, elicense, wechat: FakeWeChat, settings: Settings
):
    me = await citizen(api, "dl-no-credit")
    desk = await clerk(api)
    async with running_worker(settings, {}):
        number = await submit(me)
        received = await settled(number, "case.received")
        await queued(number)
        await ok(desk, number, "reject", {"reason": "申请人不在本辖区"})
        rejected = await settled(number, "case.rejected")

    assert wechat.messages() == []
    for message in (received, rejected):
        assert message["status"] == "permanent_failure"
        assert message["last_error"] == "no_credit"
    tasks = await StaffNotice.select().run()
    assert [(t["kind"], t["case_number"], t["township"], t["staff"]) for t in tasks] == [
        ("tell_citizen", number, TOWNSHIP, None)  # the rejection needs the citizen to know
    ]
    assert "未开启" in tasks[0]["text"]
    inbox = (await me.get("/api/v1/messages")).json()
    assert {m["event"] for m in inbox["items"]} == {"case.received", "case.rejected"}


async def _agent_case(api: Any) -> tuple[CitizenClient, str, str]:
    """An agent files for a villager; returns the agent, the villager's id and the case."""
    who = await agent(api)
    person = await villager(who)
    mandate = await paper_mandate(who, person["id"])
    case = await filed(who, mandate["id"])
    return who, str(person["id"]), str(case["number"])


async def test_a_refusal_is_not_retried_is_remembered_and_the_agent_is_asked_to_tell(
    api, small_catalogue: Path, elicense, wechat: FakeWeChat, fast: Settings
):
    who, citizen_id, number = await _agent_case(api)
    # The villager later took their record over in the mini-program and accepted the template.
    await Message.raw(
        "UPDATE citizen SET openid = 'dl-refuser' WHERE id = {}::uuid", citizen_id
    ).run()
    async with db.engine().transaction():
        await ledger.record(
            citizen_id=citizen_id,
            template_id=TEMPLATE_IDS["case.rejected"],
            status="accept",
            source="app",
            kind="one_time",
        )
    desk = await clerk(api)
    wechat.script_error(SUBSCRIBE_PATH, 43101, times=5)
    async with running_worker(fast, {}):
        await queued(number)
        await ok(desk, number, "reject", {"reason": "材料不全"})
        message = await settled(number, "case.rejected")
        await job_over(message["id"])  # a retry, if there were one, would come before this

    assert message["status"] == "permanent_failure" and message["errcode"] == 43101
    assert message["attempts"] == 1
    assert len(wechat.received(SUBSCRIBE_PATH)) == 1
    assert wechat.messages() == []
    consent = await Subscription.select().where(Subscription.citizen == citizen_id).first().run()
    assert consent["status"] == "reject" and consent["credits"] == 0
    tasks = await StaffNotice.select().where(StaffNotice.kind == "tell_citizen").run()
    assert [(str(t["staff"]), t["township"], t["case_number"]) for t in tasks] == [
        (who.id, None, number)
    ]
    assert "拒收" in tasks[0]["text"]


async def test_system_busy_is_a_temporary_failure_then_delivered(
    api, small_catalogue: Path, elicense, wechat: FakeWeChat, fast: Settings
):
    me = await citizen(api, "dl-busy")
    await accept(me, "case.received")
    wechat.script_error(SUBSCRIBE_PATH, -1, times=1)
    async with running_worker(fast, {}):
        number = await submit(me)
        message = await settled(number, "case.received")

    assert message["status"] == "delivered"
    assert message["attempts"] == 2
    assert len(wechat.received(SUBSCRIBE_PATH)) == 2
    assert len(wechat.messages()) == 1
    mine = (await me.get("/api/v1/notifications/subscriptions")).json()["templates"]
    assert next(t for t in mine if t["event"] == "case.received")["credits"] == 0


async def test_a_token_rejected_for_good_is_refreshed_once_then_a_technical_failure(
    api, small_catalogue: Path, elicense, wechat: FakeWeChat, fast: Settings
):
    me = await citizen(api, "dl-token")
    await accept(me, "case.received", "case.accepted")
    desk = await clerk(api)
    async with running_worker(fast, {}):
        number = await submit(me)
        assert (await settled(number, "case.received"))["status"] == "delivered"  # token cached
        await queued(number)
        wechat.reset()
        wechat.script_error(SUBSCRIBE_PATH, 40001, times=50)
        await ok(desk, number, "accept")
        message = await settled(number, "case.accepted")
        await job_over(message["id"])  # a loop or a retry would show before this

    assert message["status"] == "technical_failure" and message["errcode"] == 40001
    assert message["attempts"] == 1
    assert wechat.token_fetches == 1
    assert len(wechat.received(TOKEN_PATH)) == 1
    assert len(wechat.received(SUBSCRIBE_PATH)) == 2  # the call, and once more with the new token
    mine = (await me.get("/api/v1/notifications/subscriptions")).json()["templates"]
    assert next(t for t in mine if t["event"] == "case.accepted")["credits"] == 1  # given back


async def test_a_citizen_without_wechat_reads_it_in_the_inbox_and_the_agent_tells_them(
    api, small_catalogue: Path, elicense, wechat: FakeWeChat, settings: Settings
):
    who, citizen_id, number = await _agent_case(api)
    desk = await clerk(api)
    async with running_worker(settings, {}):
        received = await settled(number, "case.received")
        await queued(number)
        await ok(desk, number, "reject", {"reason": "材料不全"})
        rejected = await settled(number, "case.rejected")

    assert wechat.received(SUBSCRIBE_PATH) == []
    for message in (received, rejected):
        assert message["channel"] == "inbox" and message["status"] == "delivered"
        assert message["recipient_id"] == citizen_id
    tasks = await StaffNotice.select().run()
    assert [(t["kind"], str(t["staff"]), t["case_number"]) for t in tasks] == [
        ("tell_citizen", who.id, number)
    ]
    assert "未使用微信" in tasks[0]["text"]
    listed = (await who.get("/api/v1/staff/notices")).json()
    assert listed["unread"] == 1 and listed["items"][0]["case_number"] == number
