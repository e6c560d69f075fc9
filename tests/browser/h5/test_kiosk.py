"""The self-service terminal's screens (/kiosk/) on a 1080 × 1920 portrait touchscreen, against
the real app started with ``KIOSK_READER_URL`` pointing at the fake ID-card reader.

The administrator sets the terminal up once; a card on the reader opens the citizen's session
(the menu shows the masked number); a case filed in that session is a ``self_service`` case;
the acceptance notice prints from a hidden frame; after a minute without a touch a countdown
offers 「继续办理」, and at zero — or on 「退出」, or when the card is taken off — the session ends
at the server and nothing personal is left in the page or its storage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Locator, Page, Response

from backend import db
from backend.audit.service import AuditLog
from backend.fakes.idcard_reader_server import DEMO_CARD, FakeIdCardReader
from backend.terminals import service
from backend.terminals.texts import CREDENTIAL_INVALID
from tests.factories import make_id_number
from tests.notices.support import run_notice_jobs
from tests.servers import logged_server
from tests.support import screenshots
from tests.terminals.support import ADMIN, issued, kiosk_catalogue, session, terminal_login
from tests.window.support import SINGLE, forward, staff

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
PORTRAIT = {"width": 1080, "height": 1920}
NAME = "周桂英"
ID_NUMBER = make_id_number(seq=417, birth="19600202")
MASKED = f"{ID_NUMBER[:3]}{'*' * 11}{ID_NUMBER[-4:]}"
IDLE_S = 60
COUNTDOWN_S = 15

# Every frame (the print frame too) records print() calls in the top window instead of printing.
RECORD_PRINTS = """
(() => {
  const top = window.top
  if (window === top) window.__prints = []
  window.print = () => { top.__prints.push(String(window.location.href)) }
})()
"""


@pytest.fixture(scope="module")
def reader() -> Iterator[FakeIdCardReader]:
    fake = FakeIdCardReader()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def kiosk_server(
    test_env: dict[str, str], database: None, reader: FakeIdCardReader
) -> Iterator[str]:
    """The real app as ``api_server`` starts it, plus the terminal's reader bridge address."""
    with logged_server(
        {**test_env, "KIOSK_READER_URL": reader.base_url}, log_name="kiosk-server"
    ) as base:
        yield base


@pytest.fixture
async def kiosk_api(kiosk_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=kiosk_server, timeout=10.0) as client:
        yield client


@pytest.fixture
async def screen(browser: Browser, kiosk_server: str) -> AsyncIterator[Page]:
    """A fresh portrait kiosk screen; console errors, 404s and 5xx fail the test (as ``page``)."""
    context = await browser.new_context(
        base_url=kiosk_server,
        viewport=PORTRAIT,  # type: ignore[arg-type]
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    await context.add_init_script(RECORD_PRINTS)
    page = await context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        # the reader answers 404 when no card lies on it: that is its contract, not a fault
        reader_miss = urlsplit(response.url).path == "/read"
        if (response.status == 404 and not reader_miss) or response.status >= 500:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield page
    await context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


def button(page: Page, text: str) -> Locator:
    """A Taro button (a custom element without the button role) by its exact words."""
    return page.locator("[role=button]", has_text=text).filter(has_text=text)


async def shot(page: Page, name: str) -> None:
    folder = screenshots("h5")
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=folder / f"kiosk-{name}.png")


def the_card() -> dict[str, Any]:
    return {**DEMO_CARD, "name": NAME, "id_number": ID_NUMBER}


async def nothing_personal(page: Page) -> None:
    left = await page.evaluate(
        """() => [document.documentElement.outerHTML,
                  JSON.stringify(Object.entries(localStorage)),
                  JSON.stringify(Object.entries(sessionStorage))]"""
    )
    for where, text in zip(("DOM", "localStorage", "sessionStorage"), left, strict=True):
        for secret in (NAME, ID_NUMBER, MASKED):
            assert secret not in text, f"{secret!r} left in the {where}"


async def refused(api: httpx.AsyncClient, token: str) -> None:
    """The session ``token`` is dead at the server (the kiosk clears its screen first, then
    tells the server: allow that call a moment)."""
    for _ in range(50):
        answer = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        if answer.status_code == 401:
            assert answer.json()["code"] == "token_revoked"
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the session still works after it ended on the kiosk")


async def card_on(page: Page, reader: FakeIdCardReader) -> str:
    """Put the card on the reader; the menu opens. Answers the session token the page got."""
    async with page.expect_response(lambda r: r.url.endswith("/api/v1/terminal/sessions")) as info:
        reader.put_card(the_card())
    opened = await info.value
    assert opened.status == 201, await opened.text()
    await page.get_by_text(f"{NAME}，您好").wait_for()
    await page.get_by_text(f"身份证号 {MASKED}").wait_for()
    return str((await opened.json())["access_token"])


async def test_kiosk_journey(
    screen: Page,
    kiosk_api: httpx.AsyncClient,
    reader: FakeIdCardReader,
    small_catalogue: Path,
    settings,
    tmp_path: Path,
) -> None:
    page = screen
    reader.take_card()
    await kiosk_catalogue(small_catalogue, tmp_path)
    credential = await issued(settings.audit_key)

    # A case this person filed here earlier, accepted since, with its 受理通知书.
    device = await terminal_login(kiosk_api, credential)
    earlier, _ = await session(device, NAME, ID_NUMBER)
    filed = await earlier.post("/api/v1/cases", json=SINGLE)
    assert filed.status_code == 201, filed.text
    accepted_number = filed.json()["number"]
    await forward(accepted_number)
    desk = await staff(kiosk_api, username="window-kiosk", area_code="330109105")
    assert (
        await desk.post(f"/api/v1/window/cases/{accepted_number}/accept", json={})
    ).status_code == 200
    case_id = await db.fetchval("SELECT id FROM case_record WHERE number = $1", accepted_number)
    await run_notice_jobs(case_ids=[case_id])
    assert (await earlier.post("/api/v1/terminal/sessions/end")).status_code == 204

    await page.clock.install()

    # The administrator sets the terminal up once: a wrong secret shows the server's detail.
    await page.goto("/kiosk/")
    await page.get_by_text("由管理员操作").wait_for()
    await page.locator("input[placeholder='如 7d1f0b6a-…']").fill(credential.terminal.id)
    await page.locator("input[placeholder='签发时显示一次的密钥']").fill("not-the-secret")
    await button(page, "保存并登录").click()
    await page.get_by_text(CREDENTIAL_INVALID).wait_for()
    await shot(page, "setup-wrong")
    await page.locator("input[placeholder='签发时显示一次的密钥']").fill(credential.secret)
    await button(page, "保存并登录").click()
    await page.get_by_text("设置好了").wait_for()
    await shot(page, "setup-done")
    stored = await page.evaluate("localStorage.getItem('jjb.terminal')")
    assert credential.terminal.id in stored
    await button(page, "进入自助服务").click()
    await page.get_by_text("请将身份证放在读卡区").wait_for()
    await shot(page, "idle")

    # A reload (the kiosk restarting) logs in with the stored credential, straight to the idle screen.
    await page.reload()
    await page.get_by_text("请将身份证放在读卡区").wait_for()

    # A card on the reader opens the session: the menu, the masked number, the printable notice.
    token = await card_on(page, reader)
    me = await kiosk_api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id_number_masked"] == MASKED
    assert ID_NUMBER not in await page.content()
    print_button = button(page, "打印受理通知书")
    await print_button.wait_for()
    assert await print_button.get_attribute("disabled") is None
    await shot(page, "menu")

    # Printing: the PDF goes into a hidden frame as a blob and print() is called there.
    await print_button.click()
    await page.get_by_text(f"正在打印 {accepted_number} 的受理通知书").wait_for()
    frame_src = await page.locator("iframe.jjb-print-frame").get_attribute("src")
    assert frame_src and frame_src.startswith("blob:")
    await page.wait_for_function("() => window.__prints.length === 1")
    assert await page.evaluate("window.__prints[0]") == frame_src
    await shot(page, "printed")

    # 「办事」 opens the catalogue in kiosk size, with the way back a kiosk needs (no browser bar)
    # and words for this machine, not a phone.
    await button(page, "办事").click()
    await page.get_by_role("navigation", name="自助终端导航").wait_for()
    assert await page.get_by_text("可在手机上申请").count() == 0  # said of this machine here
    await shot(page, "inner-page")
    await button(page, "回到菜单").click()
    await page.get_by_text(f"{NAME}，您好").wait_for()

    # A case filed in this session is a self-service case; the kiosk then shows 「已提交」.
    me_headers = {"Authorization": f"Bearer {token}"}
    new = await kiosk_api.post("/api/v1/cases", json=SINGLE, headers=me_headers)
    assert new.status_code == 201, new.text
    number = new.json()["number"]
    read = await kiosk_api.get(f"/api/v1/cases/{number}", headers=me_headers)
    assert read.status_code == 200
    channel = await db.fetchval("SELECT channel FROM case_record WHERE number = $1", number)
    assert new.json()["channel"] == "self_service" and channel == "self_service"
    await page.evaluate(f"window.location.hash = '#/pages/kiosk/index?filed={number}'")
    await page.get_by_text("已提交").first.wait_for()
    await page.get_by_text(f"办件编号：{number}").wait_for()
    await shot(page, "filed")

    # A minute without a touch: the countdown; 「继续办理」 keeps the session.
    await page.clock.fast_forward(IDLE_S * 1000 + 500)
    await page.get_by_text("秒后自动退出").wait_for()
    await shot(page, "countdown")
    await button(page, "继续办理").click()
    await page.get_by_text("秒后自动退出").wait_for(state="hidden")
    assert (await kiosk_api.get("/api/v1/me", headers=me_headers)).status_code == 200

    # Again without touching, to the end of the countdown: the session ends everywhere.
    await page.clock.fast_forward(IDLE_S * 1000 + 500)
    await page.get_by_text("秒后自动退出").wait_for()
    await page.clock.fast_forward(COUNTDOWN_S * 1000)
    await page.get_by_text("请取走您的身份证").wait_for()
    await shot(page, "take-card")
    await refused(kiosk_api, token)
    assert await page.locator("iframe").count() == 0
    await nothing_personal(page)
    reader.take_card()
    await page.get_by_text("请将身份证放在读卡区").wait_for()
    await nothing_personal(page)

    # Taking the card off the reader ends the session too.
    token = await card_on(page, reader)
    reader.take_card()
    await page.get_by_text("请将身份证放在读卡区").wait_for()
    await refused(kiosk_api, token)
    await nothing_personal(page)

    # And so does 「退出」.
    token = await card_on(page, reader)
    await button(page, "退出").click()
    await page.get_by_text("请取走您的身份证").wait_for()
    await refused(kiosk_api, token)
    await nothing_personal(page)
    reader.take_card()
    await page.get_by_text("请将身份证放在读卡区").wait_for()


async def set_up(page: Page, credential: service.Credential) -> None:
    """The administrator's setup on the kiosk, up to the idle screen."""
    await page.goto("/kiosk/")
    await page.locator("input[placeholder='如 7d1f0b6a-…']").fill(credential.terminal.id)
    await page.locator("input[placeholder='签发时显示一次的密钥']").fill(credential.secret)
    await button(page, "保存并登录").click()
    await button(page, "进入自助服务").click()
    await page.get_by_text("请将身份证放在读卡区").wait_for()


async def test_a_reissued_credential_puts_the_kiosk_out_of_service(
    screen: Page, reader: FakeIdCardReader, small_catalogue: Path, settings
) -> None:
    reader.take_card()
    credential = await issued(settings.audit_key)
    await set_up(screen, credential)
    await service.reissue(
        audit=AuditLog(settings.audit_key), actor=ADMIN, terminal_id=credential.terminal.id
    )
    await screen.reload()
    await screen.get_by_text("本机暂停服务").wait_for()
    await screen.get_by_text(CREDENTIAL_INVALID).wait_for()
    await shot(screen, "out-of-service")
    # the administrator enters the new credential
    await button(screen, "管理员：重新设置本机").click()
    await screen.get_by_text("本机已保存过凭证").wait_for()


async def test_the_citizens_home_is_not_the_kiosk(screen: Page, kiosk_server: str) -> None:
    await screen.goto("/m/")
    await screen.get_by_text("就近办 · 家门口办事").wait_for()
    assert "自助服务" not in await screen.content()
    async with httpx.AsyncClient(base_url=kiosk_server) as client:
        citizens = (await client.get("/m/")).headers["content-security-policy"]
        kiosk = (await client.get("/kiosk/")).headers["content-security-policy"]
    # only the kiosk reaches the reader and frames the notice it prints
    assert "object-src 'none'" in citizens and "frame-src" not in citizens
    assert "frame-src 'self' blob:" in kiosk and "127.0.0.1" in kiosk.split("connect-src")[1]
