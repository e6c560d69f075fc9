"""The window clerk's case page on a desktop (1440) and a phone (390): a bundle's 即办件 pointed
to from the bundle, its notices named by item, the form's long labels on one line, and the two
delivery forms (窗口领取 / 邮寄, the address asked when the case has none)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.support import log_in
from tests.notices.support import run_notice_jobs
from tests.support import citizen, screenshots
from tests.window.support import BIRTH, INSURANCE, clerk, ok, queued

pytestmark = pytest.mark.browser

SHOTS = screenshots("windowfix")
SPOT = "即办件：可在该事项页面当场办结"
LINES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size;
}"""
"""How many lines an element's text takes."""


async def _shots(page: Page, name: str, artifacts_dir: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        for where in (SHOTS, artifacts_dir):
            await page.screenshot(path=where / f"{name}-{width}.png", full_page=True)
        scrolled = await page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, (name, width, scrolled)  # nothing sticks out sideways
    await page.set_viewport_size({"width": 1440, "height": 900})


async def test_the_bundle_page_and_its_same_day_item(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bcp-bundle", name="王秀英")
    photo = await me.upload("照片")
    form = {**BIRTH["form"], "bank_account": "6222020200112233445"}
    number = await queued(
        me,
        {
            **BIRTH,
            "form": form,
            "bundle_code": "CSYJS",
            "materials": [{"type": "照片", "upload_id": photo}],
        },
    )
    desk = await clerk(api, "bcp-desk")
    await ok(desk, number, "accept")
    await run_notice_jobs()

    await page.set_viewport_size({"width": 1440, "height": 900})
    await log_in(page, "bcp-desk")
    await page.goto(f"/portal/window/cases/{number}")
    children = page.locator("#children")
    await expect(children.get_by_role("link", name=SPOT)).to_have_count(1)
    await expect(page.locator("#transfer-spot-hint")).to_be_visible()
    names = page.locator("#paper .paper-item")
    await expect(names).to_have_count(3)
    await expect(page.locator("#paper")).to_contain_text("城乡居民医保参保登记")

    # the form's labels: 「补贴发放银行账号」 (8 characters) on one line, as 「出生日期」
    label = page.locator("#form-facts dt", has_text="补贴发放银行账号")
    assert await label.evaluate(LINES) == 1
    await _shots(page, "bundle-accepted", artifacts_dir)

    await children.get_by_role("link", name=SPOT).click()
    await expect(page).to_have_url(re.compile(rf"{number}-02#act-finish$"))
    await page.locator("#act-finish").get_by_role("button", name="即办办结").click()
    await expect(page.locator("#case-status")).to_have_text("已出件")
    timeline = page.locator("#timeline")
    await expect(timeline.get_by_text("即办件，窗口当场办结")).to_have_count(1)
    await _shots(page, "bundle-item-finished", artifacts_dir)
    await page.goto(f"/portal/window/cases/{number}")
    await expect(page.locator("#children").get_by_role("link", name=SPOT)).to_have_count(0)


async def test_the_two_delivery_forms(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bcp-mail", name="王秀英")
    number = await queued(me, INSURANCE)  # filed for collection at the window: no address
    desk = await clerk(api, "bcp-desk2")
    await ok(desk, number, "finish")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await log_in(page, "bcp-desk2")
    await page.goto(f"/portal/window/cases/{number}")
    at_window = page.locator("#act-deliver-window")
    by_mail = page.locator("#act-deliver-mail")
    await expect(at_window.get_by_label("领取人姓名")).to_be_visible()
    await expect(at_window.get_by_label("快递单号")).to_have_count(0)
    await expect(by_mail.get_by_label("领取人姓名")).to_have_count(0)
    await expect(by_mail.get_by_role("textbox", name=re.compile("^收件地址"))).to_be_visible()
    await page.locator("#act-deliver").scroll_into_view_if_needed()
    await _shots(page, "delivery-forms", artifacts_dir)

    await by_mail.get_by_label("快递单号").fill("SF1234567890")
    await by_mail.get_by_role("textbox", name=re.compile("^收件地址")).fill(
        "  "
    )  # blank to the server
    await by_mail.get_by_role("button", name="登记邮寄送达").click()
    await expect(page.locator("#action-error")).to_contain_text("须填写收件地址")
    await expect(page.locator("#case-status")).to_have_text("已出件")
    await expect(page.locator("#act-deliver-mail").get_by_label("快递单号")).to_have_value(
        "SF1234567890"
    )
    await _shots(page, "delivery-refused", artifacts_dir)

    address = "杭州市萧山区益农镇利围村 3 组 12 号"
    await (
        page.locator("#act-deliver-mail")
        .get_by_role("textbox", name=re.compile("^收件地址"))
        .fill(address)
    )
    await page.locator("#act-deliver-mail").get_by_role("button", name="登记邮寄送达").click()
    await expect(page.locator("#case-status")).to_have_text("已送达")
    await expect(page.locator("#case-facts")).to_contain_text(f"邮寄：{address}")
    await expect(page.locator("#timeline li").last).to_contain_text(f"寄往 {address}")
    await expect(page.locator("#mailed-to")).to_have_text(address)
    await _shots(page, "delivered-by-mail", artifacts_dir)
