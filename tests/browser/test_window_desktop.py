"""The window on a desktop and on a phone: the queue searched (1440 and 390 px wide), a 即办件
finished at the window and collected by the applicant, the ID number checked and not kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.cases.tables import Case
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.support import citizen, screenshots
from tests.window.support import BIRTH, INSURANCE, TOWNSHIP, queued

pytestmark = pytest.mark.browser

SHOTS = screenshots("window")


async def _backdate(number: str, days: int) -> None:
    await Case.raw(
        "UPDATE case_record SET created_at = created_at - make_interval(days => {})"
        " WHERE number = {}",
        days,
        number,
    ).run()


async def _shot(page: Page, name: str, artifacts_dir: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for where in (SHOTS, artifacts_dir):
        await page.screenshot(path=where / name, full_page=True)


async def test_the_queue_is_a_table_on_a_desktop_and_cards_on_a_phone_and_searches(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    wang = await citizen(api, "bd-wang", seq=21, name="王秀英")
    li = await citizen(api, "bd-li", seq=22, name="李建国")
    zhao = await citizen(api, "bd-zhao", seq=23, name="赵美兰")
    old = await queued(wang)
    await _backdate(old, 9)
    await queued(wang, INSURANCE)
    for me in (li, zhao, li):
        await queued(me, {**BIRTH, "item_code": "GA-CSDJ"})
    await make_staff(role="window", area_code=TOWNSHIP, username="bd-desk", display_name="王晓燕")

    await page.set_viewport_size({"width": 1440, "height": 900})
    await log_in(page, "bd-desk")
    await page.goto("/portal/window/queue")
    table = page.locator("table.case-table")
    await expect(table).to_be_visible()
    await expect(table.locator("thead")).to_be_visible()
    await expect(page.locator("tr.case-row")).to_have_count(5)
    box = await table.bounding_box()
    assert box is not None and box["width"] > 1100  # the wide screen is used
    await _shot(page, "queue-1440.png", artifacts_dir)

    search = page.get_by_role("search", name="查找办件")
    await search.get_by_label("申请人姓名").fill("秀英")
    await search.get_by_role("button", name="查找").click()
    await expect(page).to_have_url(re.compile(r"name=%E7%A7%80%E8%8B%B1"))
    await expect(page.locator("tr.case-row")).to_have_count(2)
    await expect(page.locator("tr.case-row").first).to_have_attribute("data-number", old)
    await expect(page.get_by_role("heading", name=re.compile("符合条件"))).to_contain_text("2 件")
    await _shot(page, "queue-search-1440.png", artifacts_dir)

    await page.get_by_role("link", name="清除条件").click()
    await search.get_by_label("身份证号后4位").fill(str(li.id_number)[-4:])
    await search.get_by_label("事项").select_option(label="出生登记")
    await search.get_by_role("button", name="查找").click()
    await expect(page.locator("tr.case-row")).to_have_count(2)
    await expect(page.locator("tbody")).to_contain_text("李*国")
    await expect(page.locator("tbody")).not_to_contain_text("王*英")

    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(page.locator("table.case-table thead")).to_be_hidden()
    row = await page.locator("tr.case-row").first.bounding_box()
    assert row is not None and row["width"] <= 390
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing sticks out sideways on a phone
    await _shot(page, "queue-search-390.png", artifacts_dir)

    await page.goto("/portal/window/queue?id_last4=12")
    await expect(page.get_by_role("alert")).to_have_text(re.compile("身份证号后4位应为4位数字"))
    await expect(page.locator("tr.case-row")).to_have_count(0)
    await _shot(page, "queue-bad-search-390.png", artifacts_dir)

    await page.set_viewport_size({"width": 1440, "height": 900})
    await page.goto("/portal/window/cases?name=秀英")
    await expect(page.locator("tr.case-row")).to_have_count(2)
    await _shot(page, "cases-search-1440.png", artifacts_dir)


async def test_a_same_day_item_is_finished_and_collected_at_the_window(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bd-jiban", seq=24, name="王秀英")
    number = await queued(me, INSURANCE)
    await make_staff(role="window", area_code=TOWNSHIP, username="bd-desk2", display_name="王晓燕")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await log_in(page, "bd-desk2")
    await page.goto(f"/portal/window/cases/{number}")
    finish = page.locator("#act-finish")
    await expect(finish).to_contain_text("即办件")
    await finish.get_by_role("button", name="即办办结").click()
    await expect(page.locator("#case-status")).to_have_text("已出件")
    await expect(page.locator("#timeline")).to_contain_text("即办件，窗口当场办结")
    await expect(page.locator("#timeline")).not_to_contain_text("转后台审批")

    deliver = page.locator("#act-deliver-window")
    await deliver.get_by_label("领取人姓名").fill("王秀英")
    other = await citizen(api, "bd-other", seq=25, name="李建国")
    await deliver.get_by_label(re.compile("领取人身份证号码")).fill(str(other.id_number))
    await deliver.get_by_role("button", name="登记窗口领取").click()
    await expect(page.locator("#action-error")).to_contain_text("与办件申请人不符")
    await expect(page.locator("#case-status")).to_have_text("已出件")
    await expect(page.locator("#act-deliver-window").get_by_label("领取人姓名")).to_have_value(
        "王秀英"
    )
    await _shot(page, "case-collector-refused-1440.png", artifacts_dir)

    deliver = page.locator("#act-deliver-window")
    await deliver.get_by_label(re.compile("领取人身份证号码")).fill(str(me.id_number))
    await deliver.get_by_role("button", name="登记窗口领取").click()
    await expect(page.locator("#case-status")).to_have_text("已送达")
    await expect(page.locator("#collector")).to_contain_text("身份证号码已与申请人核对一致")
    assert str(me.id_number) not in await page.content()
    await _shot(page, "case-delivered-1440.png", artifacts_dir)
    await page.set_viewport_size({"width": 390, "height": 844})
    await _shot(page, "case-delivered-390.png", artifacts_dir)
