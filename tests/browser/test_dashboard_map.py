"""The dashboard's map over the whole demo district (27 townships): the schematic township
shapes drawn offline with their names and the 示意 label, a figure's definition opened, a bundle
counted once, a township without cases in the league — at 1440 and 390 px (screenshots)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Response, expect

from backend.geo.travel import StraightLineEstimator
from backend.settings import Settings
from backend.stats import rollup
from backend.workdays.calendar import ChinaCalendar
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.stats.history import at, make_history, make_person
from tests.support import screenshots

pytestmark = pytest.mark.browser

SHOTS = screenshots("dashboard")
YINONG, YINONG_VILLAGE = "330109110", "330109110001"
LOUTA = "330109112"  # 楼塔镇: no case
BUNDLE_ITEMS = ["GA-HK-CSDJ", "YB-CXJM-CB", "RS-SBK-SL", "WJ-YFJZ"]
RANGE = "from=2026-03-01&to=2026-03-31"
TODAY = dt.date(2026, 3, 20)


async def _seed(settings: Settings) -> None:
    from backend.demo import load_demo
    from backend.geo import reach
    from backend.stats.jobs import COVERAGE_MODE

    await load_demo(password="demo-password-1")
    person = await make_person(YINONG_VILLAGE)
    parent = await make_history(
        item=None, bundle="CSYJS", channel="window", kind="window", applicant=person,
        township=YINONG,
        steps=[(at("2026-03-02", 9), "submit", "submitted", {"in_person": True}),
               (at("2026-03-02", 9, 2), "accept", "accepted", {})],
    )  # fmt: skip
    for item in BUNDLE_ITEMS:
        await make_history(
            item=item, channel="window", kind="window", applicant=person, parent=parent,
            township=YINONG, deadline="2026-03-20",
            steps=[(at("2026-03-02", 9), "submit", "submitted", {}),
                   (at("2026-03-02", 9, 2), "accept", "accepted", {})],
        )  # fmt: skip
    await make_history(
        item="GA-SFZ-HL", channel="miniprogram", kind="self", applicant=person, township=YINONG,
        steps=[(at("2026-03-03"), "submit", "submitted", {})],
    )  # fmt: skip
    await rollup.rebuild(calendar=ChinaCalendar(), today=TODAY)
    travel = StraightLineEstimator.from_settings(settings)

    async def compute() -> reach.CoverageReport:
        return await reach.coverage(item_code=None, mode=COVERAGE_MODE, travel=travel)

    await rollup.refresh_coverage(compute=compute, max_age=dt.timedelta(0))


@pytest.fixture
async def sized(browser: Browser, live_server: str) -> AsyncIterator[list[Page]]:
    """A page at 1440 px and one at 390 px; any console error, 404 or 5xx fails the test."""
    problems: list[str] = []
    contexts = []
    pages = []
    for width, height, mobile in ((1440, 900, False), (390, 844, True)):
        context = await browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            device_scale_factor=2 if mobile else 1,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(15_000)
        page = await context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append(f"console: {message.text}")

        def on_response(response: Response) -> None:
            if response.status == 404 or response.status >= 500:
                problems.append(f"HTTP {response.status}: {urlsplit(response.url).path}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        contexts.append(context)
        pages.append(page)
    yield pages
    for context in contexts:
        await context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


async def test_the_map_draws_named_schematic_townships_and_figures_explain_themselves(
    sized: list[Page], settings: Settings, database: None
) -> None:
    await _seed(settings)
    await make_staff(role="supervisor", area_code="330109", username="dash-map")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page, name in zip(sized, ("1440", "390"), strict=True):
        await log_in(page, "dash-map")
        await page.goto(f"/portal/dashboard?{RANGE}")
        await page.wait_for_function("document.documentElement.dataset.charts === 'drawn'")
        await expect(page.locator("#coverage-map canvas")).to_have_count(1)

        # The shapes come with the page: all 27 townships, marked schematic, and 示意 is said.
        data = json.loads(await page.locator("#dashboard-data").inner_text())
        assert data["schematic"] is True and len(data["shapes"]["features"]) == 27
        await expect(page.locator("#map-schematic")).to_contain_text("示意")
        await expect(page.locator("#map-schematic")).to_contain_text("不是真实的行政区划边界")

        # A bundle of four items is one case (and four items); the phone case makes two.
        await expect(page.locator('[data-figure="totals.cases"]')).to_have_attribute(
            "data-value", "2"
        )
        await expect(page.locator('[data-figure="totals.items"]')).to_have_attribute(
            "data-value", "5"
        )
        await expect(page.locator("#table-townships")).to_be_visible()
        league = page.locator('table[data-table="townships"] tbody tr')
        await expect(league).to_have_count(27)
        louta = page.locator(f'table[data-table="townships"] tr[data-code="{LOUTA}"]')
        await expect(louta.locator('td[data-col="cases"]')).to_have_text("0")

        # Every figure has its definition one click away.
        assert (
            await page.locator(".figure [data-definition]").count()
            == await page.locator("[data-figure]").count()
        )
        definition = page.locator('[data-definition="def-totals-cases"]')
        await definition.locator("summary").click()
        await expect(definition.locator(".dash-def-text")).to_be_visible()
        await expect(definition.locator(".dash-def-text")).to_contain_text("一件事")
        await page.locator('[data-definition="table-townships"] summary').click()

        await page.wait_for_timeout(800)  # let ECharts finish painting
        await page.locator("#map-title").scroll_into_view_if_needed()
        await page.screenshot(path=SHOTS / f"dashboard-{name}.png", full_page=True)
        await page.locator("#coverage-map").screenshot(path=SHOTS / f"map-{name}.png")
        await page.locator(".figures").screenshot(path=SHOTS / f"figures-{name}.png")
