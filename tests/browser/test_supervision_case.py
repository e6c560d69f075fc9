"""A supervisor's case page and the overdue list in a real browser, at 1440 and 390 wide
(screenshots in test-artifacts/screenshots/supervision/): the list links to the case, 催办 lands on the
timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser

from backend.cases.tables import Case
from backend.clock import today
from tests.browser.support import log_in
from tests.factories import TOWNSHIP, make_staff
from tests.supervision.support import make_case
from tests.support import screenshots

pytestmark = pytest.mark.browser

SHOTS = screenshots("supervision")


async def test_the_supervisor_opens_an_overdue_case_and_urges_it(
    browser: Browser, live_server: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_staff(role="supervisor", area_code=TOWNSHIP, username="sup-shot")
    for n, late in ((1, 30), (2, 6)):
        number = f"XS2026120700010{n}"
        await make_case(number, accepted_on=today() - timedelta(days=late + 3))
        await Case.raw(
            "UPDATE case_record SET deadline = {} WHERE number = {}",
            today() - timedelta(days=late),
            number,
        ).run()
    for width in (1440, 390):
        context = await browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 900}, locale="zh-CN"
        )
        page = await context.new_page()
        await log_in(page, "sup-shot")
        await page.goto("/portal/supervision/overdue?sort=late")
        await page.screenshot(path=str(SHOTS / f"overdue-{width}.png"), full_page=True)
        await page.click("a[href='/portal/supervision/cases/XS20261207000101']")
        await page.wait_for_url("**/cases/XS20261207000101**")
        if width == 1440:
            await page.fill("textarea[name=note]", "请今天内办结")
            await page.click("#urge button[type=submit]")
            await page.wait_for_selector("#done")
            assert "督办催办" in await page.inner_text("#timeline")
            assert "请今天内办结" in await page.inner_text("#timeline")
        await page.screenshot(path=str(SHOTS / f"case-{width}.png"), full_page=True)
        await context.close()
