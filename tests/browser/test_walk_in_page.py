"""窗口收件 in a real browser: the item's form arrives by HTMX, a refusal keeps what was typed
(and the files already uploaded), and the case opens accepted."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from backend.cases.tables import Case
from tests.browser.support import log_in
from tests.factories import make_id_number, make_staff
from tests.window.support import TOWNSHIP

pytestmark = pytest.mark.browser

ID_NUMBER = make_id_number(seq=57, birth="19580704", male=True)


async def _clerk() -> str:
    account = await make_staff(
        role="window", area_code=TOWNSHIP, username="desk-walkin", display_name="王晓燕"
    )
    return account.username


async def _applicant(page: Page) -> None:
    await page.get_by_label("姓名").fill("李建国")
    await page.get_by_label("身份证号码").fill(ID_NUMBER)
    await page.get_by_label("手机号码").fill("13800002222")
    await page.get_by_label("所在村（社区）").select_option(label="兆丰村")


def _photo(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), (90, 140, 200)).save(buffer, format="PNG")
    path = tmp_path / "免冠照片.png"
    path.write_bytes(buffer.getvalue())
    return path


async def test_a_walk_in_for_a_birth_is_filed_and_accepted(
    page: Page, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    await log_in(page, await _clerk())
    await page.get_by_role("link", name=re.compile("窗口收件")).click()
    await expect(page).to_have_url(re.compile(r"/portal/window/walk-in/?$"))
    items = page.get_by_label("事项")
    await expect(items.locator("option")).to_have_count(8)  # 请选择 + the 7 handled here
    await _applicant(page)
    await items.select_option(label="出生登记")

    form = page.locator("#item-form[data-item=GA-CSDJ]")  # swapped in by HTMX
    await expect(form).to_be_visible()
    await form.get_by_label("新生儿姓名").fill("李小宝")
    await form.get_by_label("出生日期").fill("2026-11-20")
    await form.get_by_label("与户主关系").select_option("子")
    await form.get_by_label("监护人手机号").fill("13800001111")
    await expect(page.locator("#item-delivery").get_by_label("窗口领取")).to_be_checked()
    # 出生登记 may go through an agent, but a walk-in has none: not offered here.
    await expect(page.locator("#item-delivery").get_by_label("代办员送达")).to_have_count(0)
    await page.screenshot(path=artifacts_dir / "walk-in-form.png", full_page=True)

    await page.get_by_role("button", name="提交并受理").click()

    await expect(page).to_have_url(re.compile(r"/portal/window/cases/XS\d+\?done=walk_in$"))
    await expect(page.locator("#done")).to_have_text("窗口收件成功，已受理。")
    await expect(page.locator("#case-status")).to_have_text("已受理")
    await expect(page.locator("#case-facts")).to_contain_text("窗口收件（王晓燕）")
    await expect(page.locator("#case-facts")).to_contain_text(
        ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    )
    steps = await page.locator("#timeline .tl-action").all_inner_texts()
    assert steps == ["提交申请", "转入受理队列", "受理"]
    await expect(page.locator("#act-transfer")).to_be_visible()
    assert await Case.count().run() == 1


async def test_a_missing_photo_is_named_and_the_rest_is_kept(
    page: Page, small_catalogue: Path, elicense, wechat, artifacts_dir: Path, tmp_path: Path
) -> None:
    await log_in(page, await _clerk())
    await page.goto("/portal/window/walk-in")
    await _applicant(page)
    await page.get_by_label("事项").select_option(label="社会保障卡申领")
    await expect(page.locator("#item-form[data-item=RS-SBK-SL]")).to_be_attached()

    await page.get_by_role("button", name="提交并受理").click()

    await expect(page.locator("#walkin-error")).to_contain_text("近期免冠照片（照片）")
    await expect(page.get_by_label("姓名")).to_have_value("李建国")
    await expect(page.get_by_label("身份证号码")).to_have_value(ID_NUMBER)
    await expect(page.get_by_label("事项")).to_have_value("RS-SBK-SL")
    await page.screenshot(path=artifacts_dir / "walk-in-refused.png", full_page=True)
    assert await Case.count().run() == 0

    photo_input = page.get_by_label(re.compile("^近期免冠照片"))
    await expect(page.locator("#item-materials .field-error")).to_have_text("缺少这份材料，请上传")
    await photo_input.set_input_files(_photo(tmp_path))
    await page.get_by_label("手机号码").fill("12")
    await page.get_by_role("button", name="提交并受理").click()

    # The photo went to the upload service already: it is kept, not asked for again.
    await expect(page.locator("#walkin-error")).to_contain_text("手机号码应为 5–20 位数字")
    await expect(page.locator(".field-error")).to_have_text("手机号码应为 5–20 位数字。")
    await expect(page.locator(".kept")).to_contain_text("已上传：免冠照片.png")
    await page.get_by_label("手机号码").fill("13800002222")
    await page.get_by_role("button", name="提交并受理").click()

    await expect(page.locator("#case-status")).to_have_text("已受理")
    photo = page.locator(".materials li", has_text="近期免冠照片")
    await expect(photo).to_contain_text("上传")
    async with page.context.expect_page() as opened:
        await photo.get_by_role("button", name="查看").click()
    shown = await opened.value
    await shown.wait_for_load_state()
    assert "/api/v1/files/" in shown.url
    await shown.close()
