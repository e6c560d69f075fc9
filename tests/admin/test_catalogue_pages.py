"""The administrator's 事项目录 pages in a real browser: the list filtered, an item changed into
a new version (a case filed before keeps the old one), a refused form naming each field and
changing nothing, a bundle changed; every other role gets the 403 page. Screenshots at 390 and
1440 px go to test-artifacts/admin/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.audit.tables import AuditEvent
from backend.catalogue.tables import ItemVersion
from backend.clock import today
from tests.browser.support import csrf_header, log_in, log_out
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import submitted

pytestmark = pytest.mark.browser

BASE = "/portal/admin/catalogue"
WIDTHS = (390, 1440)


async def _shots(page: Page, folder: Path, name: str) -> None:
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        await page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})


async def test_an_admin_changes_an_item_into_a_new_version(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    me = await citizen(api, "cat-page")
    number = await submitted(me)  # filed under 出生登记's first version
    await make_staff(role="admin", username="admin-cat", display_name="周管理")

    await log_in(page, "admin-cat")
    await page.get_by_role("link", name="查看和修改事项").click()
    await expect(page).to_have_url(f"{BASE}/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("事项目录")
    await expect(page.locator("#catalogue-items li")).to_have_count(7)
    await _shots(page, folder, "catalogue-items")

    await page.get_by_label("事项编码或名称").fill("出生")
    await page.get_by_label("承办部门").select_option("GA")
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#catalogue-items li")).to_have_count(1)
    await page.locator("#catalogue-items li[data-code='GA-CSDJ'] a").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("出生登记")
    await expect(page.locator("#versions li")).to_have_count(1)
    await _shots(page, folder, "catalogue-item")

    form = page.locator("#item-form")
    await form.locator("input[name=name]").fill("出生登记（新规）")
    await form.get_by_label("行政许可").check()
    await form.locator("input[name=committed_days]").fill("3")
    await form.locator("input[name='m-2-drop']").check()  # 身份证 no longer asked for
    await form.locator("input[name='m-3-type']").fill("照片")
    await form.locator("input[name='m-3-name']").fill("新生儿照片")
    await form.locator("input[name='m-3-order']").fill("1")
    await form.locator("input[name='m-0-order']").fill("3")  # 出生医学证明 last
    await form.locator("input[name=note]").fill("按新规调整")
    await form.get_by_role("button", name="保存为新版本").click()

    await expect(page.get_by_role("status")).to_contain_text("已保存为新版本")
    await expect(page.get_by_role("heading", level=1)).to_have_text("出生登记（新规）")
    await expect(page.locator("#versions li[data-version='2']")).to_contain_text("现行")
    await expect(page.locator("#versions li[data-version='1']")).to_contain_text("已停用")
    types = page.locator("#materials input[name$='-type']")
    await expect(types.nth(0)).to_have_value("照片")
    await expect(types.nth(1)).to_have_value("户口簿")
    await expect(types.nth(2)).to_have_value("出生医学证明")
    await expect(types.nth(3)).to_have_value("")  # the blank rows to add with

    case = await me.get(f"/api/v1/cases/{number}")
    assert case.status_code == 200, case.text
    assert case.json()["name"] == "出生登记"  # the case keeps the version it was filed under
    audit = await AuditEvent.select().where(AuditEvent.action == "catalogue_item_change").run()
    assert len(audit) == 1

    # A form with mistakes: 422, every wrong field named in Chinese, the values kept, no change.
    versions = await ItemVersion.count().run()
    answer = await page.request.post(
        f"{BASE}/items/GA-CSDJ",
        headers=await csrf_header(page),
        form={
            "name": "",
            "department": "GA",
            "kind": "public_service",
            "fee": "不收费",
            "legal_days": "abc",
            "committed_days": "5",
            "channels": "window",
            "delivery_methods": "window",
            "m-0-type": "",
            "m-0-name": "某证明",
            "f-0-name": "Bad Name",
            "f-0-label": "某字段",
            "f-0-datatype": "text",
            "f-0-sensitivity": "none",
            "effective_from": (today().replace(day=1)).isoformat()
            if today().day > 1
            else "2000-01-01",
            "note": "",
        },
    )
    assert answer.status == 422
    body = await answer.text()
    for words in (
        "事项名称不能为空",
        "法定时限",
        "材料第 1 行：材料类型不能为空",
        "字段名",
        "生效日期",
    ):
        assert words in body, words
    assert 'value="某证明"' in body  # what was typed is kept
    assert await ItemVersion.count().run() == versions
    await page.set_content(body)
    await page.screenshot(path=folder / "catalogue-item-refused-390.png", full_page=True)


async def test_an_admin_changes_a_bundle(
    page: Page, small_catalogue: Path, artifacts_dir: Path
) -> None:
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    await make_staff(role="admin", username="admin-bundle")
    await log_in(page, "admin-bundle")
    await page.goto(f"{BASE}/bundles")
    await expect(page.locator("#catalogue-bundles li")).to_have_count(2)
    await _shots(page, folder, "catalogue-bundles")
    await page.locator("#catalogue-bundles li[data-code='CSYJS'] a").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("出生一件事")
    await _shots(page, folder, "catalogue-bundle")

    form = page.locator("#bundle-form")
    await form.locator("input[name=items][value='RS-SBK-SL']").uncheck()
    await form.locator("input[name=items][value='YB-CBDJ']").uncheck()
    await form.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("alert")).to_contain_text("包含事项须至少选择 2 个事项")

    await page.goto(f"{BASE}/bundles/CSYJS")
    await form.locator("input[name=name]").fill("新生儿出生一件事")
    await form.locator("input[name=items][value='RS-SBK-SL']").uncheck()
    await form.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_have_text("一件事已保存。")
    await expect(page.get_by_role("heading", level=1)).to_have_text("新生儿出生一件事")
    await expect(form.locator("input[name=items][value='RS-SBK-SL']")).not_to_be_checked()


@pytest.mark.parametrize("role", ["window", "supervisor", "approver", "agent"])
async def test_other_roles_get_the_refusal(page: Page, small_catalogue: Path, role: str) -> None:
    await make_staff(role=role, username=f"{role}-nocat")
    await log_in(page, f"{role}-nocat")
    await expect(page.get_by_role("link", name="事项目录")).to_have_count(0)
    for path in (f"{BASE}/", f"{BASE}/items/GA-CSDJ", f"{BASE}/bundles", f"{BASE}/bundles/CSYJS"):
        answer = await page.goto(path)
        assert answer is not None and answer.status == 403, path
    await expect(page.locator("main")).to_contain_text("管理员")
    for path in (f"{BASE}/items/GA-CSDJ", f"{BASE}/bundles/CSYJS"):
        answer = await page.request.post(
            path, headers=await csrf_header(page), form={"name": "改名"}
        )
        assert answer.status == 403, path
    assert await ItemVersion.count().run() == 7
    await log_out(page)
