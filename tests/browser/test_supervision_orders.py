"""整改通知 and the agents' workload in a real browser, at 1440 and 390 wide (screenshots in
test-artifacts/screenshots/supervision/): a supervisor issues an order (a day off refused first), the
township's clerk finds it on the bell and the orders page and responds, the supervisor closes
it; the workload page sorts and filters and its links keep the filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from backend.clock import today
from backend.workdays.service import load_calendar
from tests.browser.support import log_in
from tests.factories import TOWNSHIP, VILLAGE, make_department, make_staff
from tests.supervision.support import make_case
from tests.support import screenshots

pytestmark = pytest.mark.browser

SHOTS = screenshots("supervision")
ORDER = "窗口对出生登记的材料没有一次性告知，群众跑了两趟。请组织窗口人员学习一次性告知制度，并回复整改情况。"


async def _days() -> tuple[str, str]:
    calendar = await load_calendar()
    good = calendar.add_working_days(today(), 5)
    off = today() + timedelta(days=1)
    while calendar.is_working_day(off):
        off += timedelta(days=1)
    return good.isoformat(), off.isoformat()


async def test_an_order_goes_to_the_township_and_back(browser: Browser, live_server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_department("GA")
    await make_staff(role="supervisor", area_code=TOWNSHIP, username="sup-order")
    await make_staff(role="window", area_code=TOWNSHIP, username="win-order", display_name="陈窗口")
    await make_case("XS20261207000301", accepted_on=today())
    good, off = await _days()

    context = await browser.new_context(
        base_url=live_server, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    page = await context.new_page()
    await log_in(page, "sup-order")
    await page.goto("/portal/supervision/cases/XS20261207000301")
    await page.click("#order-for-case")
    assert await page.input_value("input[name=case_number]") == "XS20261207000301"
    await page.select_option("select[name=target]", f"township:{TOWNSHIP}")
    await page.fill("textarea[name=requirement]", ORDER)
    await page.fill("input[name=deadline]", off)
    await page.click("#order-form button[type=submit]")
    assert "不是工作日" in await page.inner_text(".alert-error")
    assert await page.input_value("textarea[name=requirement]") == ORDER  # what was typed stays
    await page.screenshot(path=str(SHOTS / "order-new-1440.png"), full_page=True)
    await page.fill("input[name=deadline]", good)
    await page.click("#order-form button[type=submit]")
    await page.wait_for_load_state()
    assert "/rectifications/" in page.url and "new" not in page.url, page.url
    assert await page.locator("#order-steps").count() == 1, (page.url, await page.content())
    order_url = page.url.split("?")[0]
    await context.close()

    for width in (1440, 390):
        context = await browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 900}, locale="zh-CN"
        )
        page = await context.new_page()
        await log_in(page, "win-order")
        await page.goto("/portal/rectifications")
        assert ORDER[:10] in await page.inner_text("#orders")
        await page.screenshot(path=str(SHOTS / f"orders-window-{width}.png"), full_page=True)
        if width == 1440:
            await page.click("#orders a.line-main")
            await page.fill("textarea[name=text]", "已组织窗口人员学习，并在窗口张贴材料清单。")
            await page.click("#order-respond button[type=submit]")
            await page.wait_for_selector(".alert-ok")
            await page.screenshot(path=str(SHOTS / f"order-window-{width}.png"), full_page=True)
        await context.close()

    for width in (1440, 390):
        context = await browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 900}, locale="zh-CN"
        )
        page = await context.new_page()
        await log_in(page, "sup-order")
        await page.goto(order_url.replace(live_server, ""))
        await page.screenshot(path=str(SHOTS / f"order-{width}.png"), full_page=True)
        if width == 1440:
            await page.click("#order-close button[type=submit]")
            await page.wait_for_selector(".alert-ok")
            assert "已办结" in await page.inner_text("#order")
        await page.goto("/portal/supervision/rectifications?state=all")
        await page.screenshot(path=str(SHOTS / f"orders-{width}.png"), full_page=True)
        await context.close()


async def test_the_workload_page_sorts_and_filters(browser: Browser, live_server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_staff(role="supervisor", area_code="330109", username="sup-work")
    agents = {}
    for i, name in enumerate(("张建国", "李秀兰", "王_明", "陈桂芳", "刘卫东")):
        agents[name] = await make_staff(
            role="agent", area_code=VILLAGE, username=f"ag-work-{i}", display_name=name
        )
    for i in range(3):
        await make_case(f"XS2026120700040{i}", accepted_on=today(), agent=agents["李秀兰"].id)
    for width in (1440, 390):
        context = await browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 900}, locale="zh-CN"
        )
        page = await context.new_page()
        await log_in(page, "sup-work")
        await page.goto("/portal/supervision/agents")
        sorter = "#agents-table thead" if width == 1440 else "#agent-sorts"
        await page.click(f"{sorter} a:has-text('在办代办件')")
        await page.wait_for_url("**sort=open**")
        first = await page.inner_text(
            "#agents-table tbody th" if width == 1440 else "#agents li:first-child .line-title"
        )
        assert first == "李秀兰"
        await page.fill("input[name=q]", "_")
        await page.click("#agent-filters button[type=submit]")
        await page.wait_for_url("**q=_**")
        shown = "#agents-table tbody tr" if width == 1440 else "#agents li"
        await expect(page.locator(shown)).to_have_count(1)
        assert "sort=open" in page.url and "q=_" in page.url
        await page.goto("/portal/supervision/agents?sort=open&dir=desc")
        await page.screenshot(path=str(SHOTS / f"workload-{width}.png"), full_page=True)
        await context.close()
