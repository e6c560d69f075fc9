"""The citizen's own pages on the H5, as a citizen taps through them, in normal mode and in
长辈模式: real-name binding (the client's check and the server's answers, the consent notice),
the 我的 page, an agent's mandate requests confirmed, refused and revoked, the inbox's read
state, the personal-data export and the deletion request, and the phone confirmed by SMS code."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from backend.fakes.sms_server import FakeSms
from backend.settings import Settings
from tests.browser.h5.conftest import shot as viewport_shot
from tests.browser.h5.conftest import sign_in
from tests.delegation.support import agent, days
from tests.factories import make_id_number
from tests.servers import logged_server
from tests.support import VILLAGE, CitizenClient, citizen
from tests.window.support import submitted
from tests.workers.conftest import running_worker

pytestmark = pytest.mark.browser

MODES = ["normal", "elder"]
ROOT = Path(__file__).resolve().parents[3]
CONSENT_VERSION = "2026-01"


def button(page: Page, text: str) -> Locator:
    """A Taro button (``[role=button]``) by its exact words."""
    return page.locator(
        "[role=button]:visible", has_text=re.compile(f"^\\s*{re.escape(text)}\\s*$")
    )


async def shot(page: Page, name: str) -> None:
    """The whole current page: the H5 scrolls inside its page element, so the viewport is made
    as tall as the content for the picture, then put back."""
    height = await page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('.page')]
            .filter(e => e.getClientRects().length).map(e => e.scrollHeight), 844)"""
    )
    await page.set_viewport_size({"width": 390, "height": min(int(height), 6000)})
    await viewport_shot(page, name)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )


async def tap(target: Locator) -> None:
    """Tap a control. The H5 page scrolls inside its own container, and Taro's router sets that
    container's scroll position back while Playwright scrolls a control into view, so a click
    at the computed point may land beside it: then the control gets the click itself."""
    await target.scroll_into_view_if_needed()
    try:
        await target.click(timeout=2000)
    except PlaywrightTimeout:
        await target.dispatch_event("click")


def field(page: Page, placeholder: str) -> Locator:
    """A text field by its placeholder (the real ``input`` inside Taro's ``taro-input-core``)."""
    return page.locator(f"input[placeholder='{placeholder}']:visible")


async def elder_mode(page: Page, mode: str) -> None:
    """Turn 长辈模式 on with the home page's switch (the page is on the home page)."""
    if mode == "elder":
        await page.get_by_role("switch").click()
        await page.wait_for_function("document.querySelector('.page.elder') !== null")


async def open_me(page: Page) -> None:
    await page.get_by_role("link", name=re.compile(r"^我的(\s|$)")).click()
    await expect(page.locator(".title:visible")).to_have_text("我的")


async def link(page: Page, title: str) -> None:
    """Follow one of the 我的 page's links (in 长辈模式 some sit behind 「更多」)."""
    target = page.locator(".me-link", has_text=title)
    if not await target.count():
        await tap(button(page, "更多（手机号、个人信息）"))
    await target.click()


async def large_enough(page: Page, mode: str) -> None:
    """Every visible text at least 16 px (18 px in 长辈模式); every button at least 44 (60) px tall."""
    text_min, target_min = (18, 60) if mode == "elder" else (16, 44)
    small = await page.evaluate(
        """(min) => [...document.querySelectorAll('.page *')]
            .filter(e => e.childNodes.length && [...e.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .filter(e => e.getClientRects().length)
            .map(e => [e.textContent.trim().slice(0, 20), parseFloat(getComputedStyle(e).fontSize)])
            .filter(([, size]) => size < min)""",
        text_min,
    )
    assert small == [], small
    short = await page.evaluate(
        """(min) => [...document.querySelectorAll('.page [role=button], .page [role=switch]')]
            .filter(e => e.getClientRects().length)
            .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])
            .filter(([, h]) => h < min - 0.5)""",
        target_min,
    )
    assert short == [], short


# --- binding --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_binding_checks_the_number_asks_for_consent_and_fills_the_me_page(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, mode: str
) -> None:
    await sign_in(h5, api, f"bind-{mode}", bind=False)
    await elder_mode(h5, mode)
    await open_me(h5)
    await expect(h5.get_by_text("您还没有实名登记")).to_be_visible()
    await shot(h5, f"me-unbound-{mode}")
    await tap(button(h5, "去实名认证"))
    await expect(h5.get_by_text("个人信息保护告知书（版本 2026-01）")).to_be_visible()

    good = make_id_number(seq=40, birth="19560312", male=False)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    await field(h5, "与身份证上一致").fill("李桂英")
    await field(h5, "18 位，最后一位可能是 X").fill(bad)
    await field(h5, "与身份证上一致").click()  # leaves the number's field
    client_text = "身份证号码校验位不正确，请核对后重新填写。"
    await expect(h5.get_by_text(client_text)).to_be_visible()
    # The phone says what the server would say of the same number.
    other = await citizen(api, f"bind-probe-{mode}", bind=False)
    answer = await api.put(
        "/api/v1/me/identity",
        json={
            "name": "李桂英",
            "id_number": bad,
            "village_code": VILLAGE,
            "consent_version": CONSENT_VERSION,
        },
        headers=other.headers,
    )
    assert answer.status_code == 422 and answer.json()["code"] == "id_number_invalid"
    assert answer.json()["detail"] == client_text

    await tap(button(h5, "益农镇"))
    await tap(button(h5, "群围村"))
    submit = button(h5, "提交实名信息")
    await expect(submit).to_be_disabled()
    await expect(h5.get_by_text("请先阅读告知书")).to_be_visible()
    await shot(h5, f"bind-invalid-{mode}")
    await large_enough(h5, mode)

    # A number already held by another WeChat account: the server's 409 is shown as it is.
    holder = await citizen(api, f"bind-holder-{mode}", seq=41)
    assert holder.id_number is not None
    await field(h5, "18 位，最后一位可能是 X").fill(holder.id_number.lower())
    await tap(h5.get_by_role("switch", name="我已阅读并同意"))
    await expect(submit).to_be_enabled()
    await tap(submit)
    await expect(h5.get_by_role("alert")).to_contain_text("该身份证号码已绑定其他微信账号")
    await shot(h5, f"bind-taken-{mode}")

    await field(h5, "18 位，最后一位可能是 X").fill(good)
    await tap(submit)
    await expect(h5.get_by_text("已完成实名登记：李桂英")).to_be_visible()
    await shot(h5, f"bind-done-{mode}")
    # Back on 我的 by itself, with the masked number.
    await expect(h5.locator(".me-name")).to_have_text("李桂英", timeout=5000)
    await expect(h5.get_by_text(f"{good[:3]}***********{good[-4:]}")).to_be_visible()
    await expect(h5.get_by_text("已实名登记")).to_be_visible()
    await shot(h5, f"me-bound-{mode}")
    await large_enough(h5, mode)
    assert good not in await h5.content()


async def test_binding_continues_to_the_page_that_sent_the_citizen(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await sign_in(h5, api, "bind-next", bind=False)
    await h5.goto("/m/#/pages/bind/index?next=messages&item=GA-CSDJ")
    await field(h5, "与身份证上一致").fill("周阿四")
    await field(h5, "18 位，最后一位可能是 X").fill(make_id_number(seq=42))
    await tap(button(h5, "益农镇"))
    await tap(button(h5, "兆丰村"))
    await tap(h5.get_by_role("switch", name="我已阅读并同意"))
    await tap(button(h5, "提交实名信息"))
    await expect(h5.locator(".title", has_text="我的消息")).to_be_visible(timeout=5000)
    assert "item=GA-CSDJ" in h5.url


# --- mandates -------------------------------------------------------------------------------


async def _ask(helper: CitizenClient, citizen_id: str, item: str, expires: int) -> str:
    answer = await helper.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": citizen_id, "item_codes": [item], "expires_on": days(expires)},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "pending"
    return str(answer.json()["id"])


@pytest.mark.parametrize("mode", MODES)
async def test_mandate_requests_are_confirmed_refused_and_revoked(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, mode: str
) -> None:
    me = await sign_in(h5, api, f"mandate-{mode}")
    helper = await agent(api, username=f"agent-{mode}", name="陈代办")
    first = await _ask(helper, me.id, "GA-CSDJ", 30)
    second = await _ask(helper, me.id, "GA-SFZ-HL", 20)
    await elder_mode(h5, mode)
    await open_me(h5)
    await link(h5, "代办授权")
    cards = h5.locator(".mandates-card")
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text("代办员 陈代办")
    await expect(h5.get_by_text("代办事项：出生登记")).to_be_visible()
    await expect(h5.get_by_text(f"授权到：{days(30)}（含当天）")).to_be_visible()
    await shot(h5, f"mandates-pending-{mode}")
    await large_enough(h5, mode)

    births = h5.locator(".mandates-card", has_text="出生登记")
    await tap(button(births, "同意"))
    await expect(h5.get_by_text("已同意，代办员可以在授权范围内代您办理。")).to_be_visible()
    ids = h5.locator(".mandates-card", has_text="居民身份证换领")
    await tap(button(ids, "拒绝"))
    await expect(ids.locator(".confirm-area")).to_be_visible()
    await shot(h5, f"mandates-refuse-confirm-{mode}")
    await tap(button(ids, "确定拒绝"))
    await expect(h5.get_by_text("已拒绝，代办员不能代您办理。")).to_be_visible()

    active = h5.locator(".mandates-card", has_text="出生登记")
    await expect(active.locator(".tag")).to_have_text("已授权")
    await tap(button(active, "撤销授权"))
    await expect(active.get_by_text("确定撤销吗？", exact=False)).to_be_visible()
    await shot(h5, f"mandates-revoke-confirm-{mode}")
    await tap(button(active, "确定撤销"))
    await expect(h5.get_by_text("已撤销授权")).to_be_visible()
    await tap(button(h5, "查看以往的授权（2）"))
    await expect(h5.locator(".mandates-past .tag")).to_have_text(["已拒绝", "已撤销"], timeout=5000)
    await shot(h5, f"mandates-history-{mode}")

    mine = {m["id"]: m["status"] for m in (await me.get("/api/v1/mandates")).json()["items"]}
    assert mine == {first: "revoked", second: "refused"}


# --- messages -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_messages_show_their_read_state_and_opening_one_reads_it(
    h5: Page,
    api: httpx.AsyncClient,
    small_catalogue: Path,
    elicense: Any,
    wechat: Any,
    settings: Settings,
    mode: str,
) -> None:
    me = await sign_in(h5, api, f"inbox-{mode}")
    async with running_worker(settings, {}):
        number = await submitted(me)
        deadline = time.monotonic() + 30
        while True:
            inbox = (await me.get("/api/v1/messages")).json()
            if inbox["total"] >= 1:
                break
            assert time.monotonic() < deadline, "no message came"
            await asyncio.sleep(0.1)
    await elder_mode(h5, mode)
    await open_me(h5)
    await link(h5, "我的消息")
    item = h5.locator(".messages-item").first
    await expect(item.locator(".tag")).to_have_text("未读")
    await expect(h5.get_by_text("共 1 条，1 条未读")).to_be_visible()
    await shot(h5, f"messages-unread-{mode}")
    await large_enough(h5, mode)
    await item.locator(".messages-head").click()
    await expect(item.locator(".tag")).to_have_text("已读")
    await expect(button(item, f"查看办件 {number}")).to_be_visible()
    await expect(h5.get_by_text("共 1 条，都已读")).to_be_visible()
    await shot(h5, f"messages-read-{mode}")
    inbox = (await me.get("/api/v1/messages")).json()
    assert inbox["unread"] == 0 and inbox["items"][0]["read_at"] is not None
    await h5.reload()
    await expect(h5.locator(".messages-item .tag")).to_have_text("已读")


async def test_an_empty_inbox_says_so(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await sign_in(h5, api, "inbox-empty")
    await h5.goto("/m/#/pages/messages/index")
    await expect(h5.get_by_text("还没有消息。")).to_be_visible()


# --- personal data --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_the_export_is_shown_and_saved_and_a_deletion_request_is_recorded(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, mode: str
) -> None:
    me = await sign_in(h5, api, f"privacy-{mode}")
    assert me.id_number is not None
    await elder_mode(h5, mode)
    await open_me(h5)
    await link(h5, "个人信息")
    basics = h5.get_by_label("基本信息")
    await expect(basics).to_contain_text("王秀英")
    await expect(basics).to_contain_text(f"{me.id_number[:3]}***********{me.id_number[-4:]}")
    await expect(basics).to_contain_text("1956 年，女")
    await expect(basics).to_contain_text("版本 2026-01")
    if mode == "elder":
        await tap(button(h5, "更多（授权、照片、查看记录）"))
    await expect(h5.get_by_label("谁查看过我的信息", exact=False)).to_be_visible()
    await expect(h5.get_by_label("我的办件", exact=False)).to_contain_text("没有办件。")
    await shot(h5, f"privacy-export-{mode}")
    await large_enough(h5, mode)
    assert me.id_number not in await h5.content()

    async with h5.expect_download() as waiting:
        await tap(button(h5, "保存一份"))
    download = await waiting.value
    assert download.suggested_filename == "jiujinban-personal-data.json"
    saved = Path(await download.path()).read_text(encoding="utf-8")
    assert me.id_number in saved
    await expect(
        h5.get_by_text("已下载文件 jiujinban-personal-data.json", exact=False)
    ).to_be_visible()

    await tap(button(h5, "申请删除"))
    await h5.locator("textarea").fill("不再使用")
    await expect(h5.locator(".confirm-area")).to_be_visible()
    await shot(h5, f"privacy-delete-confirm-{mode}")
    await tap(button(h5, "确定申请删除"))
    await expect(h5.get_by_text("依法还要保存：")).to_be_visible()
    await expect(h5.get_by_text("保存 30 年")).to_be_visible()
    await shot(h5, f"privacy-delete-done-{mode}")
    requests = (await me.get("/api/v1/me/export")).json()["deletion_requests"]
    assert [r["status"] for r in requests] == ["pending"]


# --- phone by SMS ---------------------------------------------------------------------------

SMS_SECRET = "h5-sms-secret"


@pytest.fixture(scope="module")
def fake_sms() -> Iterator[FakeSms]:
    with FakeSms(secret=SMS_SECRET) as fake:
        yield fake


@pytest.fixture(scope="module")
def sms_server(test_env: dict[str, str], database: None, fake_sms: FakeSms) -> Iterator[str]:
    """A second API process of the same database, with the SMS gateway (the fake) configured:
    the session's shared server has none."""
    env = {
        **test_env,
        "SMS_URL": fake_sms.url,
        "SMS_SECRET": SMS_SECRET,
        "REDIS_PREFIX": f"{test_env['REDIS_PREFIX']}-h5sms",
    }
    with logged_server(env, log_name="api-server-h5-sms") as base:
        yield base


@pytest.fixture
async def sms_api(sms_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sms_server, timeout=10.0) as client:
        yield client


def sms_code(fake: FakeSms, phone: str) -> str:
    texts = [m["text"] for m in fake.messages() if m["phone"] == phone]
    assert texts, fake.messages()
    found = re.search(r"\d{6}", texts[-1])
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize("mode", MODES)
async def test_the_h5_confirms_a_phone_by_sms_code(
    page: Page,
    sms_server: str,
    sms_api: httpx.AsyncClient,
    fake_sms: FakeSms,
    small_catalogue: Path,
    mode: str,
) -> None:
    phone = "13912340001" if mode == "normal" else "13912340002"
    await page.goto(f"{sms_server}/m/")
    await page.get_by_text("就近办 · 家门口办事").wait_for()
    who = await sign_in(page, sms_api, f"sms-{mode}")
    await elder_mode(page, mode)
    await open_me(page)
    await link(page, "手机号")
    await expect(page.get_by_text("当前手机号：未绑定")).to_be_visible()
    await field(page, "11 位手机号码").fill("1391234")
    await tap(button(page, "获取短信验证码"))
    await expect(page.get_by_text("请填写 11 位手机号码。")).to_be_visible()
    await field(page, "11 位手机号码").fill(phone)
    await tap(button(page, "获取短信验证码"))
    await expect(page.get_by_text("验证码已发送到 139****", exact=False)).to_be_visible()
    wait = page.locator("[role=button]", has_text="秒后可重新获取")
    await expect(wait).to_be_disabled()
    await shot(page, f"phone-sms-sent-{mode}")
    await large_enough(page, mode)

    # Wrong code: the server's words.
    await field(page, "短信里的数字").fill(
        "000000" if sms_code(fake_sms, phone) != "000000" else "111111"
    )
    await tap(button(page, "确认绑定"))
    await expect(page.get_by_role("alert")).to_contain_text("验证码不正确")

    await field(page, "短信里的数字").fill(sms_code(fake_sms, phone))
    await tap(button(page, "确认绑定"))
    await expect(page.get_by_text("手机号已绑定：139****", exact=False)).to_be_visible()
    await shot(page, f"phone-sms-done-{mode}")
    await tap(button(page, "返回"))
    await expect(page.locator(".title:visible")).to_have_text("我的")
    held = (await who.get("/api/v1/me")).json()
    assert held["phone_masked"] == f"{phone[:3]}****{phone[-4:]}"

    # Asking again within the minute (a fresh page has no countdown): the server's 429 detail.
    await link(page, "手机号")
    await field(page, "11 位手机号码").fill(phone)
    await tap(button(page, "获取短信验证码"))
    await expect(page.get_by_role("alert")).to_contain_text("验证码发送过于频繁")
    await shot(page, f"phone-sms-too-soon-{mode}")
