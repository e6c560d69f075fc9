"""The supervisor dashboard in a real browser: a small known history in two townships, the
roll-up run, and every headline figure and league-table row on the page equal to what
``GET /api/v1/stats/overview`` answers for the same filters; sorting, the CSV/XLSX exports,
a township supervisor kept to their township, and the charts drawn (screenshots)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, ConsoleMessage, Page, Response, ViewportSize, expect

from backend.cases.tables import Case
from backend.clock import today
from backend.geo import reach
from backend.geo.travel import StraightLineEstimator
from backend.settings import Settings
from backend.stats import rollup
from backend.stats.jobs import COVERAGE_MODE
from backend.workdays.service import load_calendar
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.support import CitizenClient
from tests.window.support import OTHER_TOWNSHIP, TOWNSHIP, approver, clerk, ok, queued, staff

pytestmark = pytest.mark.browser

LAPTOP: ViewportSize = {"width": 1366, "height": 900}
OTHER_VILLAGE = "330109105001"  # 航民村, 瓜沥镇
DISTRICT = "330109"


@pytest.fixture
async def laptop(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    """A laptop-sized page; like ``page``, any console error, 404 or 5xx fails the test."""
    context = await browser.new_context(
        base_url=live_server,
        viewport=LAPTOP,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if response.status == 404 or response.status >= 500:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield page
    await context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


async def _villager(api: httpx.AsyncClient, openid: str, village: str, seq: int) -> CitizenClient:
    from tests.factories import make_id_number

    login = await api.post("/api/v1/auth/wechat/login", json={"code": f"test:{openid}"})
    assert login.status_code == 200, login.text
    body = login.json()
    me = CitizenClient(
        api, {"Authorization": f"Bearer {body['access_token']}"}, body["citizen"]["id"]
    )
    me.id_number = make_id_number(seq=seq, birth="19600101", male=True)
    bound = await api.put(
        "/api/v1/me/identity",
        json={
            "name": "陈建国",
            "id_number": me.id_number,
            "village_code": village,
            "consent_version": "2026-01",
        },
        headers=me.headers,
    )
    assert bound.status_code == 200, bound.text
    return me


async def _deliver(desk: CitizenClient, ga: CitizenClient, number: str, me: CitizenClient) -> None:
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    await ok(ga, number, "approve", {"note": "符合条件"}, prefix="review")
    await ok(desk, number, "result", {"note": "已办结"})
    pickup = {"method": "window", "collector_name": "陈建国", "collector_id_number": me.id_number}
    await ok(desk, number, "deliver", pickup)  # 出生登记 is collected, not mailed


async def _rate(me: CitizenClient, number: str, score: int) -> None:
    rated = await me.post(f"/api/v1/cases/{number}/evaluation", json={"score": score})
    assert rated.status_code in {200, 201}, rated.text


async def _seed(api: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    """益农镇: two delivered (one on time and rated 5, one past its deadline and rated 2) and one
    waiting; 瓜沥镇: one delivered on time and one waiting. Then the roll-up and the coverage."""
    yinong = await _villager(api, "dash-yinong", "330109110001", seq=11)
    guali = await _villager(api, "dash-guali", OTHER_VILLAGE, seq=12)
    desk_a = await clerk(api, "dash-desk-a", TOWNSHIP)
    desk_b = await clerk(api, "dash-desk-b", OTHER_TOWNSHIP)
    ga = await approver(api, "GA")

    on_time, late, waiting = [await queued(yinong) for _ in range(3)]
    b_on_time, b_waiting = await queued(guali), await queued(guali)
    for number in (on_time, late):
        await _deliver(desk_a, ga, number, yinong)
    await _deliver(desk_b, ga, b_on_time, guali)
    # Decided today, due yesterday: late.
    await Case.raw(
        "UPDATE case_record SET deadline = {} WHERE number = {}",
        today() - dt.timedelta(days=1),
        late,
    ).run()
    await _rate(yinong, on_time, 5)
    await _rate(yinong, late, 2)

    await rollup.rebuild(calendar=await load_calendar(), today=today())
    travel = StraightLineEstimator.from_settings(settings)

    async def compute() -> reach.CoverageReport:
        return await reach.coverage(item_code=None, mode=COVERAGE_MODE, travel=travel)

    await rollup.refresh_coverage(compute=compute, max_age=dt.timedelta(0))
    return {"on_time": on_time, "late": late, "waiting": waiting, "b_waiting": b_waiting}


def _value(raw: str | None) -> float | None:
    return None if raw in {None, ""} else float(raw)


def _json_at(tree: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        tree = tree[part]
    return tree


async def _assert_figures_match(page: Page, api_figures: dict[str, Any]) -> int:
    cells = page.locator("[data-figure]")
    count = await cells.count()
    assert count >= 12
    for index in range(count):
        cell = cells.nth(index)
        path = await cell.get_attribute("data-figure")
        assert path is not None
        expected = _json_at(api_figures, path)
        assert _value(await cell.get_attribute("data-value")) == expected, path
    return count


async def _league(page: Page) -> list[dict[str, Any]]:
    rows = page.locator('table[data-table="townships"] tbody tr')
    out = []
    for index in range(await rows.count()):
        row = rows.nth(index)
        values = {"code": await row.get_attribute("data-code")}
        for column in ("cases", "on_time_rate", "satisfaction", "delegated_share"):
            raw = await row.locator(f'td[data-col="{column}"]').get_attribute("data-value")
            values[column] = _value(raw)
        out.append(values)
    return out


def _same_rows(page_rows: list[dict[str, Any]], figures: dict[str, Any]) -> bool:
    """The page's league rows hold the API's figures (the API lists them by code)."""
    keys = ("code", "cases", "on_time_rate", "satisfaction", "delegated_share")
    api_rows = [{k: t[k] for k in keys} for t in figures["by_township"]]
    return sorted(page_rows, key=lambda r: r["code"]) == api_rows


def _screenshots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


async def _wait_for_charts(page: Page) -> None:
    await page.wait_for_function("document.documentElement.dataset.charts === 'drawn'")
    await expect(page.locator("#trend-chart canvas")).to_have_count(1)
    await expect(page.locator("#coverage-map canvas")).to_have_count(1)
    await page.wait_for_timeout(800)  # let ECharts finish painting before a screenshot


async def test_the_dashboard_shows_what_the_overview_api_answers(
    laptop: Page,
    api: httpx.AsyncClient,
    settings: Settings,
    small_catalogue: Path,
    elicense,
    wechat,
    artifacts_dir: Path,
) -> None:
    page = laptop
    await _seed(api, settings)
    boss = await staff(api, role="supervisor", username="dash-district", area_code=DISTRICT)
    start, end = (today() - dt.timedelta(days=6)).isoformat(), today().isoformat()

    async def overview(**params: str) -> dict[str, Any]:
        answer = await boss.get(
            "/api/v1/stats/overview", params={"from": start, "to": end, **params}
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    await log_in(page, "dash-district")
    await page.get_by_role("link", name=re.compile("数据看板")).click()
    await expect(page).to_have_url(re.compile(r"/portal/dashboard$"))
    await page.get_by_label("开始日期").fill(start)
    await page.get_by_label("结束日期").fill(end)
    await page.get_by_role("button", name="查询").click()
    await expect(page).to_have_url(re.compile(rf"from={start}&to={end}"))

    district = await overview()
    assert district["totals"]["cases"] == 5 and district["on_time_rate"] == 0.6667
    assert district["satisfaction"]["count"] == 2
    await _assert_figures_match(page, district)
    await expect(page.locator('[data-figure="totals.cases"]')).to_contain_text("5")
    await expect(page.locator('[data-figure="on_time_rate"]')).to_have_text("66.7%")
    assert _same_rows(await _league(page), district)
    # By cases, most first (3, then 2).
    assert [r["code"] for r in await _league(page)] == [TOWNSHIP, OTHER_TOWNSHIP]
    await expect(page.locator("#scope")).to_contain_text("全区")
    await _wait_for_charts(page)
    await page.screenshot(
        path=_screenshots(artifacts_dir) / "supervisor-dashboard.png", full_page=True
    )

    # Sorted by on-time rate, lowest first: 益农镇 (1 of 2) before 瓜沥镇 (1 of 1).
    await page.locator('a.dash-sort[data-sort="on_time_rate"]').click()
    await page.locator('a.dash-sort[data-sort="on_time_rate"]').click()
    await expect(page).to_have_url(re.compile(r"sort=on_time_rate&order=asc"))
    assert [r["code"] for r in await _league(page)] == [TOWNSHIP, OTHER_TOWNSHIP]
    await page.locator('a.dash-sort[data-sort="satisfaction"]').click()
    await expect(page).to_have_url(re.compile(r"sort=satisfaction&order=desc"))
    # 益农镇 has ratings (3.5), 瓜沥镇 none: rows without a value go last either way.
    assert [r["code"] for r in await _league(page)] == [TOWNSHIP, OTHER_TOWNSHIP]

    # The league table as CSV: a Chinese file name, the same filters, the same figures.
    async with page.expect_download() as caught:
        await page.locator('[data-export="townships-csv"]').click()
    download = await caught.value
    assert (
        download.suggested_filename
        == f"镇街排行_全区_{start.replace('-', '')}-{end.replace('-', '')}.csv"
    )
    text = Path(await download.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "镇街",
        "镇街代码",
        "办件量",
        "事项数",
        "按时办结率",
        "满意度",
        "评价数",
        "代办占比",
        "就近办结占比",
        "催办次数",
        "整改通知",
        "逾期整改",
    ]
    by_code = {line[1]: line for line in lines[1:]}
    assert set(by_code) == {TOWNSHIP, OTHER_TOWNSHIP}
    for township in district["by_township"]:
        line = by_code[township["code"]]
        assert line[0] == township["name"] and int(line[2]) == township["cases"]
        assert int(line[3]) == township["items"]
        rate = township["on_time_rate"]
        assert line[4] == ("" if rate is None else f"{rate * 100:.1f}%")
        assert int(line[6]) == township["ratings"]
        supervision = [township[k] for k in ("urges", "rectifications", "rectifications_overdue")]
        assert [int(value) for value in line[9:12]] == supervision

    csv_href = await page.locator('[data-export="townships-csv"]').get_attribute("href")
    assert csv_href is not None
    csv_answer = await page.request.get(csv_href)
    assert csv_answer.headers["content-type"] == "text/csv; charset=utf-8"  # the charset once

    # XLSX of the items, fetched with the page's own session: numbers, not text.
    href = await page.locator('[data-export="items-xlsx"]').get_attribute("href")
    assert href is not None
    answer = await page.request.get(href)
    assert answer.ok
    disposition = answer.headers["content-disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("分事项统计_全区_")
    sheet = load_workbook(io.BytesIO(await answer.body())).active
    assert sheet.cell(row=2, column=1).value == "事项"
    items = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    for item in district["by_item"]:
        assert sheet.cell(row=items[item["code"]], column=3).value == item["cases"]

    # One township: the same figures as the API for that township.
    await page.get_by_label("镇街").select_option(label="益农镇")
    await page.get_by_role("button", name="查询").click()
    await expect(page).to_have_url(re.compile(rf"township={TOWNSHIP}"))
    yinong = await overview(township=TOWNSHIP)
    assert yinong["totals"]["cases"] == 3 and yinong["on_time_rate"] == 0.5
    assert yinong["satisfaction"]["average"] == 3.5
    await _assert_figures_match(page, yinong)
    assert _same_rows(await _league(page), yinong)
    await expect(page.locator('[data-figure="satisfaction.average"]')).to_contain_text("3.50")


async def test_a_township_supervisor_sees_only_their_township(
    page: Page,
    api: httpx.AsyncClient,
    settings: Settings,
    small_catalogue: Path,
    elicense,
    wechat,
    artifacts_dir: Path,
    expected_404s: list[str],
) -> None:
    await _seed(api, settings)
    await make_staff(role="supervisor", area_code=TOWNSHIP, username="dash-yinong")
    window = await make_staff(role="window", area_code=TOWNSHIP, username="dash-window")

    await log_in(page, "dash-yinong")
    await page.get_by_role("link", name=re.compile("数据看板")).click()
    await expect(page.locator("#scope")).to_contain_text("益农镇")
    await expect(page.get_by_label("镇街")).to_have_count(0)  # nothing to choose
    await expect(page.locator('[data-figure="totals.cases"]')).to_have_attribute("data-value", "3")
    await expect(page.locator('table[data-table="townships"] tbody tr')).to_have_count(1)
    await _wait_for_charts(page)
    await page.screenshot(
        path=_screenshots(artifacts_dir) / "supervisor-dashboard-phone.png", full_page=True
    )

    # Another township is not theirs: the 404 page, for the page and the exports alike.
    expected_404s.extend(["/portal/dashboard", "/portal/dashboard/export/townships/csv"])
    await page.goto(f"/portal/dashboard?township={OTHER_TOWNSHIP}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("找不到"))
    answer = await page.request.get(
        f"/portal/dashboard/export/townships/csv?township={OTHER_TOWNSHIP}"
    )
    assert answer.status == 404

    # A bad date is said on the page, with the form to fix it.
    await page.goto("/portal/dashboard?from=2026-13-01")
    await expect(page.locator("#filter-error")).to_contain_text("日期格式")

    # Window staff have no dashboard.
    await page.context.clear_cookies()
    await log_in(page, window.username)
    await page.goto("/portal/dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    assert urlsplit(page.url).path == "/portal/dashboard"
