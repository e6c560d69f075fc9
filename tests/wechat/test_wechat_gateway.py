"""The wechatpy gateway against the fake WeChat server and a real Redis."""

from __future__ import annotations

import asyncio
import pickle
import threading
import time
import traceback
from collections.abc import Callable

import httpx
import pytest
import redis
from structlog.testing import capture_logs

from backend import deadline
from backend.fakes.wechat_server import FakeWeChat
from backend.wechat.client import WeChatApi
from backend.wechat.ports import (
    PhoneInfo,
    WeChatCodeInvalid,
    WeChatError,
    WeChatGateway,
    WeChatUnavailable,
)

pytestmark = pytest.mark.integration

SEND = "/cgi-bin/message/subscribe/send"
TEMPLATE = "tmpl-case-accepted"
MakeApi = Callable[..., WeChatApi]
DATA = {"thing1": {"value": "居住证明"}, "phrase2": {"value": "已受理"}}


async def send(gateway: WeChatApi, openid: str = "o-citizen-1") -> int:
    return await gateway.send_subscribe_message(
        openid=openid, template_id=TEMPLATE, data=DATA, page="pages/case/detail?id=42"
    )


def test_gateway_satisfies_the_port(gateway: WeChatApi) -> None:
    port: WeChatGateway = gateway  # checked by mypy; at run time, the methods are there
    for name in ("code_to_session", "get_phone_number", "send_subscribe_message", "close"):
        assert callable(getattr(port, name))


# -- login and phone ---------------------------------------------------------------------------


async def test_login_with_dev_code_needs_no_access_token(
    gateway: WeChatApi, fake: FakeWeChat
) -> None:
    session = await gateway.code_to_session("test:o-alice")

    assert session.openid == "o-alice"
    assert session.session_key == fake.session_key("o-alice")
    assert session.unionid == "u_o-alice"
    assert fake.token_fetches == 0
    (request,) = fake.received("/sns/jscode2session")
    assert "access_token" not in request["query"]
    assert request["query"]["js_code"] == "test:o-alice"


async def test_unknown_login_code_is_invalid(gateway: WeChatApi) -> None:
    with pytest.raises(WeChatCodeInvalid) as caught:
        await gateway.code_to_session("no-such-code")

    assert caught.value.errcode == 40029
    assert caught.value.permanent
    assert not caught.value.retryable


async def test_one_time_login_code_cannot_be_reused(gateway: WeChatApi, fake: FakeWeChat) -> None:
    fake.register_code("0a1b2c", "o-bob", unionid=None)

    session = await gateway.code_to_session("0a1b2c")
    assert (session.openid, session.unionid) == ("o-bob", None)
    with pytest.raises(WeChatCodeInvalid) as caught:
        await gateway.code_to_session("0a1b2c")
    assert caught.value.errcode == 40163


async def test_wrong_secret_is_not_retryable(make_api: MakeApi) -> None:
    api = make_api(secret="wrong-secret")

    with pytest.raises(WeChatError) as caught:
        await api.code_to_session("test:o-alice")
    assert caught.value.errcode == 40125
    assert not caught.value.retryable


async def test_phone_number(gateway: WeChatApi, fake: FakeWeChat) -> None:
    info = await gateway.get_phone_number("phone:13800138000")

    assert info == PhoneInfo("13800138000", "13800138000", "86")
    (request,) = fake.received("/wxa/business/getuserphonenumber")
    assert request["body"] == {"code": "phone:13800138000"}
    with pytest.raises(WeChatCodeInvalid) as caught:
        await gateway.get_phone_number("phone:123")
    assert caught.value.errcode == 40029


async def test_one_time_phone_code(gateway: WeChatApi, fake: FakeWeChat) -> None:
    fake.register_phone_code("pc-1", "13900000001")

    assert (await gateway.get_phone_number("pc-1")).phone_number == "13900000001"
    with pytest.raises(WeChatCodeInvalid):
        await gateway.get_phone_number("pc-1")


# -- subscribe messages ------------------------------------------------------------------------


async def test_subscribe_message_is_sent(make_api: MakeApi, fake: FakeWeChat) -> None:
    api = make_api(miniprogram_state="trial")

    msgid = await send(api)

    (message,) = fake.messages()
    assert message["msgid"] == msgid
    assert message["touser"] == "o-citizen-1"
    assert message["template_id"] == TEMPLATE
    assert message["page"] == "pages/case/detail?id=42"
    assert message["data"] == DATA
    assert message["miniprogram_state"] == "trial"
    assert message["lang"] == "zh_CN"
    assert fake.token_fetches == 1


async def test_a_send_that_could_not_end_before_its_job_does_is_not_started(
    make_api: MakeApi, fake: FakeWeChat
) -> None:
    api = make_api(timeout_s=2.0)
    # 2 s for the call (+1 s for its thread), 1 s to record its answer: 2.5 s is not enough
    with deadline.within(2.5), pytest.raises(WeChatUnavailable, match="not started"):
        await send(api)
    assert fake.messages() == []
    with deadline.within(6.0):
        assert await send(api)
    assert len(fake.messages()) == 1


async def test_miniprogram_state_per_call_wins(make_api: MakeApi, fake: FakeWeChat) -> None:
    api = make_api(miniprogram_state="trial")

    await api.send_subscribe_message(
        openid="o-1", template_id=TEMPLATE, data=DATA, miniprogram_state="developer"
    )

    (request,) = fake.received(SEND)
    assert request["body"]["miniprogram_state"] == "developer"
    assert "page" not in request["body"]


@pytest.mark.parametrize(
    ("errcode", "permanent", "retryable"),
    [
        (43101, True, False),
        (40003, True, False),
        (40037, True, False),
        (47003, True, False),
        (45009, False, True),
        (-1, False, True),
    ],
)
async def test_subscribe_errors_are_mapped(
    gateway: WeChatApi, fake: FakeWeChat, errcode: int, permanent: bool, retryable: bool
) -> None:
    fake.script_error(SEND, errcode)

    with pytest.raises(WeChatError) as caught:
        await send(gateway)

    assert caught.value.errcode == errcode
    assert (caught.value.permanent, caught.value.retryable) == (permanent, retryable)
    assert len(fake.received(SEND)) == 1, "only a rejected token is retried by the gateway"


async def test_fake_validates_the_message(gateway: WeChatApi) -> None:
    with pytest.raises(WeChatError) as caught:
        await gateway.send_subscribe_message(openid="", template_id=TEMPLATE, data=DATA)
    assert caught.value.errcode == 40003
    with pytest.raises(WeChatError) as caught:
        await gateway.send_subscribe_message(openid="o-1", template_id=TEMPLATE, data={})
    assert caught.value.errcode == 47003


async def test_msg_sec_check(gateway: WeChatApi, fake: FakeWeChat) -> None:
    assert await gateway.msg_sec_check(openid="o-1", content="请帮我办理居住证明") == "pass"
    assert await gateway.msg_sec_check(openid="o-1", content="这是违禁内容", scene=2) == "risky"
    assert await gateway.msg_sec_check(openid="o-1", content="内容待审") == "review"
    body = fake.received("/wxa/msg_sec_check")[1]["body"]
    assert body == {"content": "这是违禁内容", "version": 2, "scene": 2, "openid": "o-1"}


# -- access token: cache, single flight, bounded retry -----------------------------------------


async def test_token_is_cached_in_redis_and_shared(
    make_api: MakeApi, fake: FakeWeChat, redis_url: str, token_key: str
) -> None:
    await send(make_api())
    await send(make_api())  # another process, same Redis

    assert fake.token_fetches == 1
    client = redis.Redis.from_url(redis_url)
    try:
        assert 7000 < int(client.ttl(token_key)) <= 7200  # type: ignore[arg-type]
    finally:
        client.close()  # type: ignore[no-untyped-call]


async def test_concurrent_tasks_from_cold_fetch_token_once(
    gateway: WeChatApi, fake: FakeWeChat
) -> None:
    msgids = await asyncio.gather(*(send(gateway, f"o-{i}") for i in range(10)))

    assert len(set(msgids)) == 10
    assert fake.token_fetches == 1


def test_concurrent_processes_from_cold_fetch_token_once(
    make_api: MakeApi, fake: FakeWeChat
) -> None:
    """Ten gateways (as in ten worker processes), each in its own thread and event loop."""
    apis = [make_api() for _ in range(10)]
    start = threading.Barrier(10)
    results: list[int | BaseException] = []

    def worker(gateway: WeChatApi) -> None:
        start.wait()
        try:
            results.append(asyncio.run(send(gateway)))
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=worker, args=(a,)) for a in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)  # a deadline for "stuck" on a loaded machine

    assert all(isinstance(r, int) for r in results), results
    assert len(results) == 10
    assert fake.token_fetches == 1


@pytest.mark.parametrize("errcode", [40001, 42001])
async def test_one_rejected_token_is_refreshed_once(
    gateway: WeChatApi, fake: FakeWeChat, errcode: int
) -> None:
    await send(gateway)
    fake.script_error(SEND, errcode)

    await send(gateway)

    assert fake.token_fetches == 2
    assert len(fake.received(SEND)) == 3
    tokens = [r["query"]["access_token"] for r in fake.received(SEND)]
    assert tokens[0] == tokens[1] != tokens[2]


@pytest.mark.parametrize("invalidate", ["expire_tokens", "invalidate_tokens"])
async def test_token_dropped_by_wechat_is_replaced(
    gateway: WeChatApi, fake: FakeWeChat, invalidate: str
) -> None:
    await send(gateway)
    getattr(fake, invalidate)()

    await send(gateway)
    await send(gateway)

    assert fake.token_fetches == 2
    assert len(fake.messages()) == 3


async def test_persistent_rejection_gives_up_after_one_refresh(
    gateway: WeChatApi, fake: FakeWeChat
) -> None:
    fake.script_error(SEND, 40001, times=50)

    with pytest.raises(WeChatError) as caught:
        await send(gateway)

    assert caught.value.errcode == 40001
    assert not caught.value.retryable
    assert fake.token_fetches == 2
    assert len(fake.received(SEND)) == 2


async def test_rejection_keeps_a_token_another_worker_already_refreshed(
    gateway: WeChatApi, fake: FakeWeChat
) -> None:
    await send(gateway)
    current = fake.received(SEND)[0]["query"]["access_token"]

    token = await asyncio.to_thread(gateway._client.refresh, rejected="an-older-token")

    assert token == current
    assert fake.token_fetches == 1


# -- WeChat slow, failing or down --------------------------------------------------------------


async def test_slow_wechat_is_unavailable(make_api: MakeApi, fake: FakeWeChat) -> None:
    api = make_api(timeout_s=0.3)
    fake.set_delay(60.0, SEND)  # an answer that never comes in the test's time

    started = time.monotonic()
    with pytest.raises(WeChatUnavailable) as caught:
        await send(api)

    assert time.monotonic() - started < 30  # gave up at its own timeout, not at the answer
    assert caught.value.errcode is None
    assert caught.value.retryable


async def test_sends_queued_for_a_thread_are_not_given_up_while_still_sending(
    make_api: MakeApi, fake: FakeWeChat
) -> None:
    """More sends at once than threads, to a slow WeChat: a send's budget starts when its thread
    takes it up, so none is reported unanswered while its thread is still sending (its retry
    would send the message a second time)."""
    api = make_api(timeout_s=1.0, threads=4)
    await send(api)  # the token, fetched before WeChat turns slow
    fake.set_delay(0.5, SEND)

    msgids = await asyncio.gather(*(send(api, f"o-citizen-{n}") for n in range(36)))

    assert len(set(msgids)) == 36
    assert len(fake.messages()) == 37


async def test_http_500_is_unavailable(gateway: WeChatApi, fake: FakeWeChat) -> None:
    fake.set_http_error(500, times=1)

    with pytest.raises(WeChatUnavailable) as caught:
        await send(gateway)
    assert "500" in caught.value.errmsg
    assert await send(gateway) > 0


async def test_wechat_down_is_unavailable_and_leaks_no_secret(
    make_api: MakeApi, fake: FakeWeChat
) -> None:
    with FakeWeChat() as gone:
        dead_url = gone.url
    api = make_api(api_base=dead_url, timeout_s=0.5)

    for call in (send(api), api.code_to_session("test:o-alice")):
        with pytest.raises(WeChatUnavailable) as caught:
            await call
        text = "".join(traceback.format_exception(caught.value))
        assert fake.secret not in text
        assert caught.value.retryable


async def test_logs_hold_no_secret_or_token(gateway: WeChatApi, fake: FakeWeChat) -> None:
    fake.script_error(SEND, 40001)
    with capture_logs() as logs:
        await send(gateway)
        await gateway.code_to_session("test:o-alice")
        with pytest.raises(WeChatError):
            await gateway.code_to_session("bad")

    tokens = {r["query"].get("access_token") for r in fake.received()} - {None}
    text = repr(logs)
    assert logs
    assert fake.secret not in text
    assert str(fake.session_key("o-alice")) not in text
    assert not any(token in text for token in tokens)


async def test_inbox_page_shows_sent_message(gateway: WeChatApi, fake: FakeWeChat) -> None:
    await gateway.send_subscribe_message(
        openid="o-carol",
        template_id=TEMPLATE,
        data={"thing1": {"value": "<b>户口迁移</b>"}},
        page="pages/case/detail?id=7",
    )
    async with httpx.AsyncClient(base_url=fake.url) as http:
        page = (await http.get("/")).text

    assert "订阅消息收件箱" in page
    assert "o-carol" in page
    assert TEMPLATE in page
    assert "pages/case/detail?id=7" in page
    assert "&lt;b&gt;户口迁移&lt;/b&gt;" in page
    assert "<b>户口迁移" not in page
    assert fake.appid in page


async def test_redis_down_is_unavailable(make_api: MakeApi) -> None:
    api = make_api(redis_url="redis://127.0.0.1:1/0")

    with pytest.raises(WeChatUnavailable) as caught:
        await send(api)
    assert "token cache" in caught.value.errmsg


@pytest.mark.parametrize(
    "error",
    [WeChatError(45009, "quota"), WeChatCodeInvalid(40163, "used"), WeChatUnavailable("down")],
)
def test_errors_survive_pickling(error: WeChatError) -> None:
    """arq pickles what a job raised."""
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert (copy.errcode, copy.errmsg, copy.retryable) == (
        error.errcode,
        error.errmsg,
        error.retryable,
    )
