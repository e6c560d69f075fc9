"""The SMS fallback: a citizen without WeChat who has a phone and must act gets an SMS through the
real worker wiring, the HTTP adapter and the local fake gateway; gateway failures are retried."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from backend import deadline
from backend.fakes.sms_server import FakeSms
from backend.identity.sealed import phone_context
from backend.identity.tables import Citizen
from backend.outbox.runner import HandlerContext
from backend.outbox.service import unit_of_work
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from notifications import deliver
from notifications.planner import Planned, Recipient, write_messages
from notifications.sms import HttpSmsSender, SmsError
from notifications.tables import Message
from notifications.templates import parse_config
from tests.workers.conftest import running_worker

pytestmark = pytest.mark.workers

SECRET = "sms-test-secret"
PHONE = "13800001234"
BODY = "您的“出生登记”申请（办件号 XS2026112700001）需要补正材料：户口簿。请一次补齐。"


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    with FakeSms(secret=SECRET) as fake:
        yield fake


def _sender(settings: Settings, url: str, **timeouts: float) -> HttpSmsSender:
    """The adapter at ``url`` with this file's secret (and any timeouts given)."""
    return HttpSmsSender(
        url=url, secret=SECRET, cipher=FieldCipher(settings.field_key_ring()), **timeouts
    )


@pytest.fixture
async def sender(settings: Settings, fake_sms: FakeSms) -> AsyncIterator[HttpSmsSender]:
    """The adapter at the fake gateway, with the default timeouts."""
    made = _sender(settings, fake_sms.url)
    yield made
    await made.aclose()


async def _villager(settings: Settings, phone: str | None = PHONE) -> str:
    """A citizen an agent registered: no WeChat account, maybe a phone."""
    row = Citizen(name="张阿大")
    await row.save().run()
    citizen_id = str(row.id)
    if phone:
        cipher = FieldCipher(settings.field_key_ring())
        sealed = cipher.encrypt(phone, context=phone_context(citizen_id))
        await Citizen.update({Citizen.phone_enc: sealed}).where(Citizen.id == citizen_id).run()
    return citizen_id


async def _supplement_for(citizen_id: str, settings: Settings, key: str) -> dict[str, int]:
    """The messages of a supplement request (it needs the citizen to act), by channel."""
    planned = Planned(
        key=key,
        event="case.supplement",
        recipient=Recipient(citizen_id, None, True),
        case=None,
        values={"number": "XS2026112700001", "item": "出生登记", "status": "待补正"},
        page="pages/case/supplement?number=XS2026112700001",
        body=BODY,
    )
    async with unit_of_work(None):
        await write_messages(planned, parse_config(settings.wechat_templates), sms=True)
    rows = (
        await Message.select(Message.id, Message.channel).where(Message.key.like(f"{key}:%")).run()
    )
    return {r["channel"]: r["id"] for r in rows}


async def _status(message_id: int) -> dict:
    row = await Message.select().where(Message.id == message_id).first().run()
    assert row is not None
    return row


async def test_a_villager_without_wechat_gets_the_sms_through_the_worker(
    settings: Settings, fake_sms: FakeSms
) -> None:
    citizen_id = await _villager(settings)
    messages = await _supplement_for(citizen_id, settings, "case-event:sms-1")
    assert set(messages) == {"inbox", "sms"}
    wired = replace(settings, sms_url=fake_sms.url, sms_secret=SECRET)
    async with running_worker(wired, handlers={}):
        deadline = time.monotonic() + 60  # a deadline for "stuck" on a loaded machine
        while (await _status(messages["sms"]))["status"] != "delivered":
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
    sms = await _status(messages["sms"])
    assert sms["status"] == "delivered", sms
    sent = fake_sms.messages()
    assert [(m["phone"], m["text"]) for m in sent] == [(PHONE, BODY)]
    assert sms["wechat_msgid"] == sent[0]["message_id"]
    assert (await _status(messages["inbox"]))["status"] == "delivered"


def _context(sender: HttpSmsSender, settings: Settings, attempt: int) -> HandlerContext:
    services = {"sms": sender, "templates": parse_config(settings.wechat_templates)}
    return HandlerContext(0, "message.deliver", attempt, services, max_attempts=3)


async def test_a_failing_gateway_is_retried_and_a_missing_phone_is_final(
    settings: Settings, fake_sms: FakeSms, sender: HttpSmsSender
) -> None:
    citizen_id = await _villager(settings)
    sms = (await _supplement_for(citizen_id, settings, "case-event:sms-2"))["sms"]
    fake_sms.fail_next(1)
    with pytest.raises(deliver.RetryLater):
        await deliver.deliver(_context(sender, settings, 1), {"message_id": sms})
    assert (await _status(sms))["status"] == "temporary_failure"
    await deliver.deliver(_context(sender, settings, 2), {"message_id": sms})
    assert (await _status(sms))["status"] == "delivered"
    assert len(fake_sms.messages()) == 1

    await deliver.deliver(_context(sender, settings, 3), {"message_id": sms})  # a rerun
    assert len(fake_sms.messages()) == 1

    wrong = HttpSmsSender(
        url=fake_sms.url, secret="not-the-secret", cipher=FieldCipher(settings.field_key_ring())
    )
    other = (await _supplement_for(citizen_id, settings, "case-event:sms-3"))["sms"]
    await deliver.deliver(_context(wrong, settings, 1), {"message_id": other})
    await wrong.aclose()
    assert (await _status(other))["status"] == "permanent_failure"

    await Citizen.update({Citizen.phone_enc: None}).where(Citizen.id == citizen_id).run()
    gone = (await _supplement_for(citizen_id, settings, "case-event:sms-4"))["sms"]
    await deliver.deliver(_context(sender, settings, 1), {"message_id": gone})
    row = await _status(gone)
    assert row["status"] == "permanent_failure" and "no phone" in row["last_error"]
    assert len(fake_sms.messages()) == 1


async def test_a_slow_or_down_gateway_is_a_retryable_failure_not_a_stuck_worker(
    settings: Settings, fake_sms: FakeSms
) -> None:
    sender = _sender(settings, fake_sms.url, connect_timeout_s=0.5, read_timeout_s=0.3)
    try:
        citizen_id = await _villager(settings)
        fake_sms.set_delay(2.0)
        with pytest.raises(SmsError) as slow:
            await sender.send(citizen_id=citizen_id, text=BODY)
        assert slow.value.retryable
        # The gateway has it; only its answer is late (a timeout shorter than the gateway's
        # answer is how an SMS could go out twice, so the real timeouts are generous).
        assert [m["phone"] for m in fake_sms.messages()] == [PHONE]
        fake_sms.set_delay(0)
        fake_sms.stop()
        with pytest.raises(SmsError) as down:
            await sender.send(citizen_id=citizen_id, text=BODY)
        assert down.value.retryable and "unreachable" in str(down.value)
        fake_sms.start()  # the same port again
        assert await sender.send(citizen_id=citizen_id, text=BODY)
    finally:
        await sender.aclose()
    assert fake_sms.requests == 2  # the refused connection never reached it
    assert len(fake_sms.messages()) == 2


async def test_no_sms_is_started_that_could_not_end_before_its_job_does(
    settings: Settings, fake_sms: FakeSms, sender: HttpSmsSender
) -> None:
    citizen_id = await _villager(settings)
    with deadline.within(5.0), pytest.raises(SmsError, match="not started") as late:
        await sender.send(citizen_id=citizen_id, text=BODY)
    assert late.value.retryable
    assert fake_sms.requests == 0
    with deadline.within(20.0):
        assert await sender.send(citizen_id=citizen_id, text=BODY)
    assert len(fake_sms.messages()) == 1


async def test_a_gateway_that_drips_its_answer_is_cut_off_at_the_sends_worst_case(
    settings: Settings,
) -> None:
    """Each read within its timeout, the answer as a whole far beyond: the send gives up at
    connect + read timeouts (the deadline it promised), not when the gateway finishes."""

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
        writer.write(b"content-length: 40\r\n\r\n")
        for _ in range(40):
            with contextlib.suppress(ConnectionError):
                writer.write(b" ")
                await writer.drain()
            await asyncio.sleep(0.1)
        writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = _sender(
        settings, f"http://127.0.0.1:{port}/send", connect_timeout_s=0.3, read_timeout_s=0.5
    )
    try:
        citizen_id = await _villager(settings)
        started = time.monotonic()
        with pytest.raises(SmsError, match="no whole answer") as cut:
            await sender.send(citizen_id=citizen_id, text=BODY)
        assert cut.value.retryable
        assert time.monotonic() - started < 2.0  # 0.8 s, not the drip's 4 s
    finally:
        await sender.aclose()
        server.close()
