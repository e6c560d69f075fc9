"""New items and bundles from the 事项目录 pages: a refused form names each field and changes
nothing, a new code must be well formed and unused, and each addition is audited with nothing
before and the new item or bundle after. Screenshots at 390 and 1440 px go to
test-artifacts/admin/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.audit.tables import AuditEvent
from backend.catalogue import service as catalogue
from backend.catalogue.tables import Bundle, Item
from backend.clock import today
from tests.browser.support import csrf_header, log_in, log_out
from tests.factories import make_staff

pytestmark = pytest.mark.browser

BASE = "/portal/admin/catalogue"
WIDTHS = (390, 1440)


async def _shots(page: Page, folder: Path, name: str) -> None:
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        await page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})


async def _audited(action: str) -> list[dict[str, object]]:
    return list(await AuditEvent.select().where(AuditEvent.action == action).run())


async def test_an_admin_adds_an_item_with_field_rules(
    page: Page, small_catalogue: Path, artifacts_dir: Path
) -> None:
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    await make_staff(role="admin", username="admin-new", display_name="周管理")
    await log_in(page, "admin-new")
    await page.goto(f"{BASE}/")
    await page.get_by_role("link", name="新增事项").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("新增事项")
    form = page.locator("#item-form")

    # Everything wrong at once: each named, the values kept, nothing written.
    await form.locator("input[name=code]").fill("GA-CSDJ")
    await form.locator("input[name=name]").fill("老年人优待证办理")
    await form.locator("input[name=legal_days]").fill("5")
    await form.locator("input[name=committed_days]").fill("3")
    await form.locator("input[name='m-0-type']").fill("身份证")
    await form.locator("input[name='m-0-name']").fill("申请人居民身份证")
    await form.locator("input[name='f-0-name']").fill("mobile")
    await form.locator("input[name='f-0-label']").fill("联系电话")
    await form.locator("input[name='f-0-pattern']").fill("(\\d+)+")
    await form.get_by_role("button", name="新增事项").click()
    problems = page.locator("#problems")
    await expect(problems).to_contain_text("事项编码“GA-CSDJ”已存在")
    await expect(problems).to_contain_text("联系电话")
    await expect(problems).to_contain_text("嵌套")
    await expect(problems).to_contain_text("须填写格式说明")
    await expect(form.locator("input[name=name]")).to_have_value("老年人优待证办理")
    await expect(form.locator("input[name='f-0-pattern']")).to_have_value("(\\d+)+")
    assert await Item.count().run() == 7
    await _shots(page, folder, "catalogue-new-item-refused")

    await form.locator("input[name=code]").fill("MZ-LNYDZ")
    await form.locator("select[name=department]").select_option("RS")
    await form.locator("select[name=lowest_level]").select_option("village")
    await form.locator("input[name='f-0-pattern']").fill("1[3-9]\\d{9}")
    await form.locator("input[name='f-0-pattern_hint']").fill("请输入 11 位手机号")
    await form.locator("input[name='f-0-max_length']").fill("11")
    await form.locator("input[name=note]").fill("新增老年人优待证")
    await form.get_by_role("button", name="新增事项").click()

    await expect(page.get_by_role("status")).to_have_text("事项已新增（第 1 版）。")
    await expect(page.get_by_role("heading", level=1)).to_have_text("老年人优待证办理")
    await expect(page.locator("#versions li")).to_have_count(1)
    await expect(page.locator("input[name='f-0-pattern_hint']")).to_have_value("请输入 11 位手机号")
    await _shots(page, folder, "catalogue-item-rules")

    item = await catalogue.get_item(code="MZ-LNYDZ")
    assert (item.spec.lowest_level, item.spec.department_code, item.version) == ("village", "RS", 1)
    (field,) = item.spec.form
    assert (field.max_length, field.pattern, field.pattern_hint) == (
        11,
        "1[3-9]\\d{9}",
        "请输入 11 位手机号",
    )
    (entry,) = await _audited(catalogue.ITEM_CREATE)
    assert entry["subject_id"] == "MZ-LNYDZ"
    reason = json.loads(str(entry["reason"]))
    assert reason["before"] is None and reason["note"] == "新增老年人优待证"
    assert reason["after"]["name"] == "老年人优待证办理"
    assert reason["after"]["effective_from"] == today().isoformat()
    assert reason["after"]["form"][0]["pattern"] == "1[3-9]\\d{9}"


@pytest.mark.parametrize(
    ("code", "said"),
    [("坏 编码", "事项编码须以字母或数字开头"), ("-X", "事项编码须以字母或数字开头")],
)
async def test_a_malformed_code_is_refused(
    page: Page, small_catalogue: Path, code: str, said: str
) -> None:
    await make_staff(role="admin", username="admin-code")
    await log_in(page, "admin-code")
    answer = await page.request.post(
        f"{BASE}/new-item",
        headers=await csrf_header(page),
        form={
            "code": code,
            "name": "某事项",
            "department": "GA",
            "kind": "public_service",
            "fee": "不收费",
            "legal_days": "5",
            "committed_days": "3",
            "channels": "window",
            "delivery_methods": "window",
            "effective_from": today().isoformat(),
        },
    )
    assert answer.status == 422
    assert said in await answer.text()
    assert await Item.count().run() == 7


async def test_an_admin_adds_a_bundle(
    page: Page, small_catalogue: Path, artifacts_dir: Path
) -> None:
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    await make_staff(role="admin", username="admin-bundle")
    await log_in(page, "admin-bundle")
    bundles = await Bundle.count().run()
    await page.goto(f"{BASE}/bundles")
    await page.get_by_role("link", name="新增一件事").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("新增一件事")
    form = page.locator("#bundle-form")
    await form.locator("input[name=code]").fill("CSYJS")
    await form.locator("input[name=name]").fill("身份证一件事")
    await form.locator("input[name=items][value='GA-SFZ-HL']").check()
    await form.get_by_role("button", name="新增一件事").click()
    problems = page.locator("#problems")
    await expect(problems).to_contain_text("一件事编码“CSYJS”已存在")
    await expect(problems).to_contain_text("至少选择 2 个事项")
    await expect(form.locator("input[name=items][value='GA-SFZ-HL']")).to_be_checked()
    assert await Bundle.count().run() == bundles
    await _shots(page, folder, "catalogue-new-bundle-refused")

    await form.locator("input[name=code]").fill("SFZ-YJS")
    await form.locator("input[name=items][value='GA-CSDJ']").check()
    await form.get_by_role("button", name="新增一件事").click()
    await expect(page.get_by_role("status")).to_have_text("一件事已新增。")
    await expect(page.get_by_role("heading", level=1)).to_have_text("身份证一件事")
    spec = await catalogue.admin_bundle(code="SFZ-YJS")
    assert set(spec.item_codes) == {"GA-SFZ-HL", "GA-CSDJ"}
    (entry,) = await _audited(catalogue.BUNDLE_CREATE)
    reason = json.loads(str(entry["reason"]))
    assert reason["before"] is None and reason["after"]["name"] == "身份证一件事"
    await _shots(page, folder, "catalogue-bundles-new")


@pytest.mark.parametrize("role", ["window", "supervisor"])
async def test_other_roles_cannot_add(page: Page, small_catalogue: Path, role: str) -> None:
    await make_staff(role=role, username=f"{role}-noadd")
    await log_in(page, f"{role}-noadd")
    for path in (f"{BASE}/new-item", f"{BASE}/new-bundle"):
        answer = await page.goto(path)
        assert answer is not None and answer.status == 403, path
        posted = await page.request.post(
            path, headers=await csrf_header(page), form={"code": "X-1", "name": "x"}
        )
        assert posted.status == 403, path
    assert await Item.count().run() == 7
    await log_out(page)
