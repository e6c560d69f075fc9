"""The 文书 card in a real browser: the clerk sees 文书生成中 right after accepting, then the
notice with 打印 / 下载 PDF once the worker issued it; the PDF opens; the agent's page has the
same card. Screenshots at 1440 and 390 wide."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.support import log_in
from tests.notices.support import run_notice_jobs
from tests.support import citizen, screenshots
from tests.window.support import clerk, ok, queued

pytestmark = pytest.mark.browser

SHOTS = screenshots("notices")


async def _shots(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.locator("#paper").scroll_into_view_if_needed()
        await page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)


async def test_the_window_prints_the_notice_from_the_case_page(
    page: Page, api, small_catalogue: Path, elicense, wechat
) -> None:
    me = await citizen(api, "bn-card", name="王秀英")
    number = await queued(me)
    desk = await clerk(api)
    await ok(desk, number, "accept")
    await log_in(page, "window-a")
    await page.goto(f"/portal/window/cases/{number}")
    card = page.locator("#paper")
    await expect(card.locator("#paper-pending")).to_have_text("文书生成中，请稍后刷新")
    await expect(card.get_by_role("link")).to_have_count(0)
    await _shots(page, "card-pending")

    await run_notice_jobs()
    await page.reload()
    await expect(card.locator("#paper-pending")).to_have_count(0)
    await expect(card.locator(".paper-name")).to_have_text(["受理通知书"])
    await expect(card.get_by_role("link", name="打印")).to_have_count(1)
    download = card.get_by_role("link", name="下载 PDF")
    href = await download.get_attribute("href")
    assert href and href.startswith(f"/portal/window/cases/{number}/notices/")
    answer = await page.request.get(href)
    assert answer.status == 200 and (await answer.body()).startswith(b"%PDF")
    await _shots(page, "card-window")
