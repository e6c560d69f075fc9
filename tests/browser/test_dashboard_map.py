"""The dashboard's map over the whole demo district (27 townships): the schematic township
shapes drawn offline with their names and the 示意 label, a figure's definition opened, a bundle
counted once, a township without cases in the league — at 1440 and 390 px (screenshots)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, ConsoleMessage, Page, Response, expect

from backend import db
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


_MAP_TEXTS = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById("coverage-map"));
  return chart.getZr().storage.getDisplayList(true)
    .filter((el) => (el.type === "tspan" || el.type === "text") && !el.ignore && !el.invisible && el.style.text)
    .map((el) => {
      const r = el.getBoundingRect().clone();
      if (el.transform) r.applyTransform(el.transform);
      return { text: el.style.text, x: r.x, y: r.y, w: r.width, h: r.height };
    });
}"""


async def _map_names(page: Page) -> dict[str, dict[str, float]]:
    """The texts ECharts drew on the map (none hidden, inside the canvas), by text."""
    drawn = await page.evaluate(_MAP_TEXTS)
    return {t["text"]: t for t in drawn}


def _overlapping(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["x"] + 1 < b["x"] + b["w"]
                and b["x"] + 1 < a["x"] + a["w"]
                and a["y"] + 1 < b["y"] + b["h"]
                and b["y"] + 1 < a["y"] + a["h"]
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


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


async def _urges_and_orders() -> None:
    """Three urges and two rectification orders (one overdue) for 益农镇, in March."""
    case = await db.fetchval(
        "SELECT id FROM case_record WHERE township = $1 AND parent IS NULL LIMIT 1", YINONG
    )
    supervisor = uuid.uuid4()
    for day in ("2026-03-04", "2026-03-05", "2026-03-06"):
        await db.execute(
            'INSERT INTO case_urge ("case", at, by, township, holder_kind)'
            " VALUES ($1, $2, $3, $4, 'window')",
            case,
            at(day),
            supervisor,
            YINONG,
        )
    for issued, deadline, state, closed_on in (
        (at("2026-03-03"), dt.date(2026, 3, 10), "closed", dt.date(2026, 3, 9)),
        (at("2026-03-04"), dt.date(2026, 3, 11), "closed", dt.date(2026, 3, 13)),
    ):
        await db.execute(
            "INSERT INTO rectification_order (target_kind, township, requirement, deadline,"
            " state, issued_by, issued_at, closed_on) VALUES ('township', $1, '整改', $2, $3,"
            " $4, $5, $6)",
            YINONG,
            deadline,
            state,
            supervisor,
            issued,
            closed_on,
        )
    await rollup.rebuild(calendar=ChinaCalendar(), today=TODAY)


async def test_every_township_is_named_on_the_map_and_the_league_reads_on_a_phone(
    sized: list[Page], settings: Settings, database: None
) -> None:
    """No township's name is hidden on the map (at 1440 and 390 px: the full names where they
    fit, else the short ones, never two over each other); the league's 催办次数, 整改通知 and
    逾期整改 are shown, sorted, exported and explained; on a phone the league says it scrolls
    sideways and keeps 镇街 in view while it does."""
    await _seed(settings)
    await _urges_and_orders()
    await make_staff(role="supervisor", area_code="330109", username="dash-names")
    shots = SHOTS.parent / "dashfix"
    shots.mkdir(parents=True, exist_ok=True)
    for page, name in zip(sized, ("1440", "390"), strict=True):
        await log_in(page, "dash-names")
        await page.goto(f"/portal/dashboard?{RANGE}")
        await page.wait_for_function("document.documentElement.dataset.charts === 'drawn'")
        await page.wait_for_timeout(500)
        data = json.loads(await page.locator("#dashboard-data").inner_text())
        townships = data["townships"]
        assert len(townships) == 27
        kind = await page.locator("#coverage-map").get_attribute("data-map-names")
        assert kind == ("full" if name == "1440" else "short")
        drawn = await _map_names(page)
        names = [t["name"] if kind == "full" else t["short"] for t in townships]
        missing = [n for n in names if n not in drawn]
        assert not missing, f"{name}px: townships not named on the map: {missing}"
        assert len(set(names)) == 27
        if kind == "short":
            assert "北干" in names and "北干街道" not in drawn
        box = await page.locator("#coverage-map").bounding_box()
        assert box is not None
        labels = [drawn[n] for n in names]
        for label in labels:  # inside the map, not cut off at its edge
            assert label["x"] >= 0 and label["x"] + label["w"] <= box["width"] + 0.5, label
            assert label["y"] >= 0 and label["y"] + label["h"] <= box["height"] + 0.5, label
        assert not _overlapping(labels), f"{name}px: names over each other"
        await page.locator("#map-title").scroll_into_view_if_needed()
        await page.locator("#coverage-map").screenshot(path=shots / f"map-{name}.png")
        if name == "1440":  # zoomed in, the names are placed again, still none over another
            box = await page.locator("#coverage-map").bounding_box()
            assert box is not None
            await page.mouse.move(box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.35)
            for _ in range(3):
                await page.mouse.wheel(0, -240)
                await page.wait_for_timeout(150)
            await page.wait_for_timeout(600)
            await expect(page.locator("#coverage-map")).to_have_attribute("data-map-names", "full")
            zoomed = await _map_names(page)
            inside = [
                zoomed[t["name"]]
                for t in townships
                if t["name"] in zoomed
                and 0 <= zoomed[t["name"]]["x"] < box["width"]
                and 0 <= zoomed[t["name"]]["y"] < box["height"]
            ]
            assert len(inside) >= 5 and not _overlapping(inside)
            await page.locator("#coverage-map").screenshot(path=shots / "map-1440-zoomed.png")

        # The three supervision columns: shown, explained, sortable, exported.
        league = page.locator('table[data-table="townships"]')
        head = league.locator("thead")
        for label in ("催办次数", "整改通知", "逾期整改"):
            await expect(head).to_contain_text(label)
            await expect(page.locator("#def-table-townships dl")).to_contain_text(label)
        yinong = league.locator(f'tr[data-code="{YINONG}"]')
        for column, value in (
            ("urges", "3"),
            ("rectifications", "2"),
            ("rectifications_overdue", "1"),
        ):
            await expect(yinong.locator(f'td[data-col="{column}"]')).to_have_text(value)
        await expect(league.locator('a.dash-sort[data-sort="rectifications"]')).to_have_count(1)

        hint = page.locator('[data-scroll-hint="townships"]')
        scroller = page.locator("#table-townships [data-scroll]")
        if name == "390":
            await expect(hint).to_be_visible()
            await expect(hint).to_contain_text("左右滑动查看更多列")
            wrap = page.locator("#table-townships [data-scroll-wrap]")
            await expect(wrap).to_have_class(re.compile(r"more-right"))
            await page.locator("#table-townships").scroll_into_view_if_needed()
            await page.locator("#table-townships").screenshot(path=shots / "league-390.png")
            await scroller.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
            await expect(wrap).to_have_class(re.compile(r"more-left"))
            await expect(wrap).not_to_have_class(re.compile(r"more-right"))
            first = await yinong.locator("th").bounding_box()
            frame = await scroller.bounding_box()
            assert first is not None and frame is not None
            assert abs(first["x"] - frame["x"]) <= 2, "镇街 scrolled out of view"
            await page.locator("#table-townships").screenshot(
                path=shots / "league-390-scrolled.png"
            )
        else:
            await expect(hint).to_be_hidden()
            fits = await scroller.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
            assert fits, "the league does not fit at 1440 px"
            await page.locator("#table-townships").screenshot(path=shots / "league-1440.png")

        for column in ("urges", "rectifications", "rectifications_overdue"):
            await page.locator(f'a.dash-sort[data-sort="{column}"]').click()
            await expect(page).to_have_url(re.compile(rf"sort={column}&order=desc"))
            first_row = page.locator('table[data-table="townships"] tbody tr').first
            await expect(first_row).to_have_attribute("data-code", YINONG)

        href = await page.locator('[data-export="townships-csv"]').get_attribute("href")
        assert href is not None and "sort=rectifications_overdue" in href
        answer = await page.request.get(href)
        rows = list(csv.reader(io.StringIO(await answer.text())))
        assert rows[0][-3:] == ["催办次数", "整改通知", "逾期整改"]
        assert rows[1][1] == YINONG and rows[1][-3:] == ["3", "2", "1"]
        xlsx = await page.request.get(href.replace("/csv?", "/xlsx?"))
        sheet = load_workbook(io.BytesIO(await xlsx.body())).active
        assert sheet is not None
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = next(i for i, r in enumerate(table) if "催办次数" in r)
        assert table[header][-3:] == ["催办次数", "整改通知", "逾期整改"]
        assert table[header + 1][-3:] == [3, 2, 1]
