"""The administrator's settings pages in a real browser at 1440 and 390 px wide: the home cards
lead to them, the calendar banner leads to the calendar, forms work with the CSRF token; the
screenshots land in ``test-artifacts/admin/``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from backend.cases.tables import Case
from backend.platform.tables import PlatformPush, TownshipPlatform
from tests.browser.conftest import artifacts_dir, browser, live_server  # noqa: F401 - fixtures
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.platform.conftest import submit

pytestmark = pytest.mark.browser

WIDTHS: tuple[ViewportSize, ...] = ({"width": 1440, "height": 900}, {"width": 390, "height": 844})
YINONG = "330109110"


async def _shoot(page: Page, folder: Path, name: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    await page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)


async def _failed_push(api) -> str:
    await TownshipPlatform.insert(
        TownshipPlatform(
            township_code=YINONG, base_url="http://127.0.0.1:9/yc/", app_id="xs-platform-test"
        )
    ).run()
    number = await submit(api, "scr-failed")
    case = await Case.select(Case.id).where(Case.number == number).first().run()
    await PlatformPush.insert(
        PlatformPush(
            case=case["id"],
            township_code=YINONG,
            app_id="xs-platform-test",
            attempts=3,
            last_status="failed",
            last_error="HTTP 422：事项编码未开通",
            failed_at=datetime.now(UTC),
        )
    ).run()
    return number


async def test_the_settings_pages_at_desktop_and_phone_width(
    browser: Browser,  # noqa: F811 - the browser tests' fixture, imported above
    live_server: str,  # noqa: F811
    artifacts_dir: Path,  # noqa: F811
    api,
    small_catalogue: Path,
    elicense,
    wechat,
) -> None:
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    await make_staff(role="admin", username="scr-admin", display_name="区管理员")
    number = await _failed_push(api)
    for size in WIDTHS:
        await _walk(browser, live_server, size, folder, number)


async def _walk(
    chromium: Browser, base: str, size: ViewportSize, folder: Path, number: str
) -> None:
    context = await chromium.new_context(
        base_url=base, viewport=size, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(  # a 422 answer is logged as "Failed to load resource": expected here
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    await log_in(page, "scr-admin")
    cards = page.locator(".task-title")
    for card in ("节假日", "转办规则", "外部平台"):
        await expect(cards.get_by_text(card, exact=True)).to_be_visible()
    await _shoot(page, folder, "home")

    await cards.get_by_text("节假日", exact=True).click()
    await expect(page).to_have_url("/portal/admin/calendar")
    await page.goto("/portal/admin/calendar?year=2026")
    await expect(page.locator("#days li[data-day='2026-10-01']")).to_contain_text("国庆节")
    await _shoot(page, folder, "calendar")
    await page.goto("/portal/admin/calendar?year=2027")
    await page.locator("#day-form input[name=day]").fill("2027-02-20")
    await page.locator("#day-form select[name=kind]").select_option("workday")
    await page.locator("#day-form input[name=source]").fill(
        "国务院办公厅关于2027年部分节假日安排的通知"
    )
    await page.locator("#day-form input[name=note]").fill("春节调休上班")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_contain_text("已保存这一天的设定")
    await (
        page.locator("#days li[data-day='2027-02-20']")
        .get_by_role("button", name="删除设定")
        .click()
    )
    await expect(page.get_by_role("status")).to_contain_text("已删除管理员的设定")

    await page.goto("/portal/admin/routing/")
    await page.locator("#rule-form select[name=township]").select_option(YINONG)
    await page.locator("#rule-form select[name=item]").select_option("GA-CSDJ")
    await page.locator("#rule-form select[name=department]").select_option("RS")
    await page.get_by_role("button", name="保存规则").click()
    await expect(page.get_by_role("status")).to_contain_text("已保存转办规则")
    await _shoot(page, folder, "routing")
    await page.locator("#rules li").first.get_by_role("button", name="删除").click()
    await expect(page.get_by_role("status")).to_contain_text("已删除转办规则")

    await page.goto("/portal/admin/platforms/")
    await page.locator("#platform-form select[name=township]").select_option(YINONG)
    await page.locator("#platform-form input[name=base_url]").fill("ftp://example")
    await page.locator("#platform-form input[name=app_id]").fill("xs-platform-test")
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator(".field-error")).to_contain_text("http:// 或 https://")
    await _shoot(page, folder, "platforms-refused")
    await page.locator("#platform-form input[name=base_url]").fill("http://127.0.0.1:9/yc/")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_contain_text("已保存镇街的平台设置")
    await expect(page.locator("#platforms")).to_contain_text("已设置")
    await _shoot(page, folder, "platforms")

    await page.get_by_role("link", name="推送失败的办件 →").click()
    await expect(page.locator(f"#failures li[data-number='{number}']")).to_be_visible()
    await _shoot(page, folder, "platform-failures")
    assert not errors, errors
    await context.close()
    await (
        PlatformPush.update({PlatformPush.attempts: 3}).where(PlatformPush.case.is_not_null()).run()
    )
