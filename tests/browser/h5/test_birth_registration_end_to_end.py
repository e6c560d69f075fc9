"""出生登记 from end to end, each side in its own browser: a citizen files it on the H5, the
township window's clerk accepts it from the queue in the staff portal, and the citizen then sees
the acceptance and the deadline on the case page, gets the WeChat subscribe message about it
(sent by a real worker through the fake WeChat) and finds it on the 我的消息 page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, Response, expect

from backend.fakes.elicense_server import FakeElicense
from backend.fakes.wechat_server import FakeWeChat
from backend.settings import Settings
from tests.browser.h5.conftest import sign_in
from tests.browser.h5.test_catalogue_journeys import fill_birth_form, open_page, screen
from tests.browser.h5.test_me_journeys import shot
from tests.browser.support import log_in
from tests.factories import make_id_number, make_staff
from tests.notifications.test_delivery import TEMPLATE_IDS, queued, settled
from tests.support import screenshots
from tests.window.support import TOWNSHIP
from tests.workers.conftest import running_worker

pytestmark = pytest.mark.browser

OPENID = "birth-e2e"
CLERK = "desk-yinong-e2e"
DESKTOP = {"width": 1280, "height": 900}


async def subscribe(who: Any, *events: str) -> None:
    """What the mini-program reports after the citizen said yes to WeChat's subscribe dialog."""
    results = {
        **{TEMPLATE_IDS[e]: "accept" for e in events},
        "errMsg": "requestSubscribeMessage:ok",
    }
    answer = await who.post("/api/v1/notifications/subscriptions", json={"results": results})
    assert answer.status_code == 200, answer.text


async def portal_page(browser: Browser, live_server: str) -> tuple[Page, list[str]]:
    """The clerk's own browser (a desktop window, own cookies); 404s and 5xx are collected."""
    context = await browser.new_context(
        base_url=live_server, viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if response.status == 404 or response.status >= 500:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page = await context.new_page()
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return page, problems


async def portal_shot(page: Page, name: str) -> None:
    folder = screenshots("h5")
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=folder / f"{name}.png", full_page=True)


async def test_birth_registration_filed_on_the_h5_accepted_at_the_window_and_told_by_wechat(
    h5: Page,
    browser: Browser,
    live_server: str,
    api: httpx.AsyncClient,
    small_catalogue: Path,
    elicense: FakeElicense,
    wechat: FakeWeChat,
    settings: Settings,
) -> None:
    who = await sign_in(h5, api, OPENID)
    await subscribe(who, "case.accepted", "case.supplement", "case.result_ready")
    clerk = (
        await make_staff(role="window", area_code=TOWNSHIP, username=CLERK, display_name="王晓燕")
    ).username

    async with running_worker(settings, {}):
        # The citizen fills in the form on the phone and files it.
        await open_page(h5, "apply/index?item=GA-CSDJ")
        await expect(screen(h5).get_by_text("第 1 步，共 3 步：填写申请表")).to_be_visible()
        await fill_birth_form(h5, make_id_number(seq=11))
        await shot(h5, "e2e-1-h5-form")
        await screen(h5).get_by_role("button", name="下一步：上传材料").click()
        await expect(screen(h5).get_by_text("第 2 步，共 3 步：上传材料照片")).to_be_visible()
        await screen(h5).get_by_role("button", name="下一步", exact=True).click()
        await expect(screen(h5).get_by_text("第 3 步，共 3 步：拿结果方式和提交")).to_be_visible()
        at_window = screen(h5).get_by_role("radio", name=re.compile("到窗口领取"))
        if await at_window.count():
            await at_window.click()
        await screen(h5).get_by_role("button", name="提交申请").click()
        await h5.wait_for_url("**/pages/case/index?number=XS*")
        number = h5.url.split("number=")[1]
        await expect(screen(h5).get_by_text(f"办件编号 {number}")).to_be_visible()
        await queued(number)  # the worker forwards it to the township's queue
        await screen(h5).get_by_role("button", name="刷新").click()
        await expect(screen(h5).get_by_text("受理镇街：益农镇")).to_be_visible()
        await shot(h5, "e2e-2-h5-submitted")

        # The township's window clerk, in the staff portal in another browser, accepts it.
        portal, problems = await portal_page(browser, live_server)
        try:
            await log_in(portal, clerk)
            await portal.get_by_role("link", name=re.compile("受理队列")).click()
            await expect(portal).to_have_url(re.compile(r"/portal/window/queue$"))
            line = portal.locator(f'.line[data-number="{number}"]')
            await expect(line).to_contain_text("出生登记")
            await expect(line.locator(".urg")).to_have_text("今天提交")
            await portal_shot(portal, "e2e-3-portal-queue")
            await portal.get_by_role("button", name="领取下一件").click()
            await expect(portal).to_have_url(
                re.compile(rf"/portal/window/cases/{number}\?done=claim$")
            )
            await portal.get_by_role("button", name="受理", exact=True).click()
            await expect(portal.locator("#done")).to_have_text("已受理，开始计算办理时限。")
            await expect(portal.locator("#case-status")).to_have_text("已受理")
            await expect(portal.locator("#case-clock")).to_have_text("剩 5 个工作日")
            await portal_shot(portal, "e2e-4-portal-accepted")
        finally:
            await portal.context.close()
        assert not problems, problems

        # WeChat carried the acceptance to the citizen (the worker sent it).
        message = await settled(number, "case.accepted")
    assert message["status"] == "delivered", message
    sent = [m for m in wechat.messages() if m["template_id"] == TEMPLATE_IDS["case.accepted"]]
    assert len(sent) == 1, wechat.messages()
    assert sent[0]["touser"] == OPENID
    assert sent[0]["page"] == f"pages/case/index?number={number}"
    assert sent[0]["data"]["character_string1"]["value"] == number

    # Back on the phone: the case page shows the acceptance, the deadline and the days left.
    case = (await who.get(f"/api/v1/cases/{number}")).json()
    assert case["status"] == "accepted" and case["deadline"]
    await open_page(h5, f"case/index?number={number}")
    page = screen(h5)
    await expect(page.locator(".tag").filter(has_text="已受理")).to_be_visible()
    y, m, d = (int(part) for part in case["deadline"][:10].split("-"))
    await expect(page.get_by_text(re.compile(rf"^办结期限：{y}\D+{m}\D+{d}"))).to_be_visible()
    await expect(page.locator(".case-left")).to_contain_text("5 个工作日")
    latest = page.locator(".case-step.latest")
    await expect(latest).to_contain_text("已受理")
    await expect(latest).to_contain_text("窗口")
    await shot(h5, "e2e-5-h5-timeline-accepted")

    # …and the 我的消息 page lists the message about it.
    await open_page(h5, "messages/index")
    item = screen(h5).locator(".messages-item", has_text="申请已受理")
    await expect(item).to_have_count(1)
    await expect(item.locator(".tag")).to_have_text("未读")
    await shot(h5, "e2e-6-h5-messages")
