"""The H5 confirms a phone number by SMS code: sent through the real HTTP adapter to the local
fake gateway; codes expire, work once, allow five wrong tries; sends are rate-limited; neither the
number nor the code reaches the logs.

The app is built in-process with ``SMS_URL`` pointing at the fake (the shared test server has no
SMS gateway configured).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx
import pytest

from backend import db
from backend.fakes.sms_server import FakeSms
from backend.fakes.wechat_server import FakeWeChat
from backend.logging import configure_logging
from backend.settings import Settings
from tests.identity.helpers import Me, login
from tests.wechat_accounts.support import SMS_SECRET, sms_app

pytestmark = pytest.mark.api

PHONE = "13812345678"


@pytest.fixture
def fake_sms() -> Iterator[FakeSms]:
    with FakeSms(secret=SMS_SECRET) as fake:
        yield fake


def _code(fake: FakeSms, phone: str = PHONE) -> str:
    texts = [m["text"] for m in fake.messages() if m["phone"] == phone]
    found = re.search(r"\d{6}", texts[-1])
    assert found is not None
    return found.group(0)


async def _send(me: Me, phone: str = PHONE) -> httpx.Response:
    return await me.post("/api/v1/me/phone/sms-code", {"phone": phone})


async def _verify(me: Me, code: str, phone: str = PHONE) -> httpx.Response:
    return await me.post("/api/v1/me/phone/sms-verify", {"phone": phone, "code": code})


async def _age_codes(seconds: int) -> None:
    """Move every kept code ``seconds`` into the past (as if that time had gone by)."""
    await db.execute(
        "UPDATE phone_code SET created_at = created_at - make_interval(secs => $1),"
        " expires_at = expires_at - make_interval(secs => $1)",
        float(seconds),
    )


async def test_a_code_confirms_the_phone_once(
    settings: Settings, fake_sms: FakeSms, wechat: FakeWeChat
) -> None:
    async with sms_app(settings, fake_sms) as api:
        me = await login(api, "sms-ann")
        sent = await _send(me, "+86 138-1234-5678")
        assert sent.status_code == 200, sent.text
        assert sent.json() == {"phone_masked": "138****5678", "expires_in": 300}
        [message] = fake_sms.messages()
        assert message["phone"] == PHONE and "验证码" in message["text"]
        code = _code(fake_sms)
        answer = await _verify(me, code)
        assert answer.status_code == 200, answer.text
        assert answer.json()["phone_masked"] == "138****5678"
        assert (await me.get("/api/v1/me")).json()["phone_masked"] == "138****5678"
        row = await db.fetchrow(
            "SELECT phone_enc, phone_hash FROM citizen WHERE id = $1::uuid", me.id
        )
        assert row is not None and PHONE not in row["phone_enc"] and row["phone_hash"]
        kept = await db.fetch("SELECT phone_hash, code_hash FROM phone_code")
        assert all(PHONE not in str(dict(r)) and code not in str(dict(r)) for r in kept)
        used = await _verify(me, code)
        assert used.status_code == 422 and used.json()["code"] == "sms_code_expired"


async def test_wrong_codes_then_five_tries_end_the_code(
    settings: Settings, fake_sms: FakeSms, wechat: FakeWeChat
) -> None:
    async with sms_app(settings, fake_sms) as api:
        me = await login(api, "sms-bob")
        assert (await _send(me)).status_code == 200
        code = _code(fake_sms)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        first = await _verify(me, wrong)
        assert first.status_code == 422 and first.json()["code"] == "sms_code_invalid"
        assert "验证码" in first.json()["detail"]
        for _ in range(4):
            await _verify(me, wrong)
        late = await _verify(me, code)  # the right one, after five wrong tries
        assert late.status_code == 422 and late.json()["code"] == "sms_code_expired"
        assert (await me.get("/api/v1/me")).json()["phone_masked"] is None
        other = await _verify(me, code, phone="13900000000")  # no code for that number
        assert other.status_code == 422 and other.json()["code"] == "sms_code_expired"


async def test_a_code_expires_after_five_minutes(
    settings: Settings, fake_sms: FakeSms, wechat: FakeWeChat
) -> None:
    async with sms_app(settings, fake_sms) as api:
        me = await login(api, "sms-cat")
        assert (await _send(me)).status_code == 200
        await _age_codes(301)
        answer = await _verify(me, _code(fake_sms))
        assert answer.status_code == 422 and answer.json()["code"] == "sms_code_expired"
        assert (await me.get("/api/v1/me")).json()["phone_masked"] is None


async def test_sends_are_limited_per_citizen_and_per_number(
    settings: Settings, fake_sms: FakeSms, wechat: FakeWeChat
) -> None:
    async with sms_app(settings, fake_sms) as api:
        me, other = await login(api, "sms-dan"), await login(api, "sms-eve")
        assert (await _send(me)).status_code == 200
        again = await _send(me)
        assert again.status_code == 429 and again.json()["code"] == "sms_rate_limited"
        assert 1 <= int(again.headers["retry-after"]) <= 60
        assert "秒后再试" in again.json()["detail"]
        same_number = await _send(other)  # another account, the same number
        assert same_number.status_code == 429
        assert (await _send(other, "13987654321")).status_code == 200
        for _ in range(4):
            await _age_codes(61)
            assert (await _send(me)).status_code == 200
        await _age_codes(61)
        daily = await _send(me, "13700000001")
        assert daily.status_code == 429 and daily.json()["code"] == "sms_rate_limited"
        assert "明天" in daily.json()["detail"]
        assert int(daily.headers["retry-after"]) > 3600
        assert len(fake_sms.messages()) == 6


@pytest.mark.parametrize(
    "phone",
    [
        "12345678901",
        "1381234567",
        "23812345678",
        "+1 2025550100",
        "1380013８000",  # a full-width digit would be another number to the per-number limit
        "13800138\u0660\u0660\u0660",  # Arabic-Indic digits
    ],
)
async def test_only_mainland_mobile_numbers(
    settings: Settings, fake_sms: FakeSms, wechat: FakeWeChat, phone: str
) -> None:
    async with sms_app(settings, fake_sms) as api:
        me = await login(api, "sms-fay")
        answer = await _send(me, phone)
        assert answer.status_code == 422 and answer.json()["code"] == "phone_invalid"
        assert "手机号码" in answer.json()["detail"]
        assert fake_sms.messages() == []


async def test_a_gateway_failure_is_503_and_keeps_no_code(
    settings: Settings, fake_sms: FakeSms, wechat: FakeWeChat
) -> None:
    async with sms_app(settings, fake_sms) as api:
        me = await login(api, "sms-gus")
        fake_sms.set_unavailable(True)
        answer = await _send(me)
        assert answer.status_code == 503 and answer.json()["code"] == "sms_unavailable"
        fake_sms.set_unavailable(False)
        assert (await _send(me)).status_code == 200  # the failed send did not count


async def test_neither_number_nor_code_is_logged(
    settings: Settings,
    fake_sms: FakeSms,
    wechat: FakeWeChat,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    # as deployed (JSON lines, INFO) to the stderr capsys holds, whatever an earlier test of
    # this process configured
    configure_logging(level="INFO", json=True)
    async with sms_app(settings, fake_sms) as api:
        me = await login(api, "sms-hal")
        await _send(me)
        code = _code(fake_sms)
        await _verify(me, "000000" if code != "000000" else "111111")
        await _verify(me, code)
        await _send(me, "12345")
    captured = capsys.readouterr()
    logged: str = caplog.text + captured.out + captured.err
    assert "phone_code_sent" in logged and "phone_confirmed_by_sms" in logged  # logs were seen
    for secret in (PHONE, PHONE[-8:], code):
        assert secret not in logged
