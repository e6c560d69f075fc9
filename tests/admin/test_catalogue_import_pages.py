"""The administrator's catalogue import and export pages, over HTTP like a browser and in a real
browser at 1440 and 390 px: a file with errors shows each one and writes nothing; a fixed file is
previewed, then applied only on confirm; the export downloads; other roles get the 403 page."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect
from redis.asyncio import Redis

from backend.catalogue.tables import ItemVersion
from backend.imports import export
from backend.settings import Settings
from tests.browser.conftest import (  # noqa: F401 (the browser tests' fixtures, used here)
    artifacts_dir,
    browser,
    expected_404s,
    live_server,
    page,
)
from tests.browser.support import log_in
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.browser

BASE = "/portal/admin/catalogue-import"
TOKEN_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
CONFIRM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
HEADER = "事项编码,事项名称,部门编码,办理层级,办理渠道,可代办,全区通办,法定时限,承诺时限\n"
GOOD = "GA-NEW-1,新的公安事项,GA,镇街,窗口,是,否,20,10\nGA-NEW-2,另一个公安事项,GA,镇街,窗口、代办,是,否,20,5\n"
BAD = "GA-NEW-1,新的公安事项,GA,镇街,窗口,是,否,10,20\nGA-NEW-2,另一个公安事项,GA,镇街,窗口、飞鸽,是,否,20,5\n"
MATERIALS = "事项编码,材料类型,材料名称\nGA-NEW-1,身份证,居民身份证\nGA-NEW-2,身份证,居民身份证\n"


def _items_xlsx(body: str) -> bytes:
    """One workbook with the items and materials sheets (from CSV-like text)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, text in (("事项", HEADER + body), ("材料", MATERIALS)):
        ws = book.create_sheet(title)
        for line in text.strip().splitlines():
            ws.append([int(c) if c.isdigit() else c for c in line.split(",")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


async def _versions() -> int:
    return await ItemVersion.count().run()


@pytest.fixture
async def client(api_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_server, timeout=30.0) as c:
        yield c


async def _sign_in(client: httpx.AsyncClient, username: str) -> str:
    login = await client.get("/portal/login")
    token = TOKEN_FIELD.search(login.text)
    assert token, login.text[:300]
    answer = await client.post(
        "/portal/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "_csrf_token": token[1]},
    )
    assert answer.status_code == 303, answer.text[:300]
    home = await client.get("/portal/")
    found = TOKEN_FIELD.search(home.text)
    assert found, home.text[:300]
    return found[1]


async def _upload(
    client: httpx.AsyncClient, csrf: str, name: str, content: bytes
) -> httpx.Response:
    return await client.post(
        f"{BASE}/preview",
        data={"_csrf_token": csrf, "effective_from": ""},
        files={"file": (name, content, "application/octet-stream")},
    )


async def test_two_row_errors_are_shown_and_nothing_is_written_then_the_fix_applies_on_confirm(
    client: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await make_staff(role="admin", username="admin-io")
    csrf = await _sign_in(client, "admin-io")
    home = await client.get("/portal/")
    assert "事项导入导出" in home.text and BASE in home.text
    versions = await _versions()

    bad = await _upload(client, csrf, "目录.xlsx", _items_xlsx(BAD))
    assert bad.status_code == 422, bad.text[:500]
    assert "文件有 2 处错误，未写入任何数据" in bad.text
    assert "目录.xlsx[事项] · 第 2 行 · 承诺时限" in bad.text
    assert "承诺时限不能长于法定时限" in bad.text
    assert "目录.xlsx[事项] · 第 3 行 · 办理渠道" in bad.text
    assert "“飞鸽”无效" in bad.text
    assert 'name="token"' not in bad.text  # nothing to confirm
    assert await _versions() == versions

    good = await _upload(client, csrf, "目录.xlsx", _items_xlsx(GOOD))
    assert good.status_code == 200, good.text[:500]
    assert "新增的事项（2）" in good.text and "GA-NEW-1" in good.text
    assert "<dt>承诺时限</dt><dd>10</dd>" in good.text  # each new item in a few words
    assert "<dt>材料</dt><dd>1 项：居民身份证</dd>" in good.text
    assert await _versions() == versions  # a preview writes nothing
    token = CONFIRM_TOKEN.search(good.text)
    assert token

    done = await client.post(f"{BASE}/confirm", data={"_csrf_token": csrf, "token": token[1]})
    assert done.status_code == 200, done.text[:500]
    assert "导入完成，已记入审计日志。" in done.text
    assert await _versions() == versions + 2

    again = await client.post(f"{BASE}/confirm", data={"_csrf_token": csrf, "token": token[1]})
    assert again.status_code == 409 and "这份预览已失效" in again.text
    assert await _versions() == versions + 2


async def test_the_export_downloads_and_imports_back_unchanged(
    client: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await make_staff(role="admin", username="admin-export")
    csrf = await _sign_in(client, "admin-export")
    exported = await client.get(f"{BASE}/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in exported.headers["content-disposition"]
    book = load_workbook(io.BytesIO(exported.content), read_only=True)
    assert [ws.title for ws in book.worksheets] == ["部门", "事项", "材料", "表单", "一件事"]

    back = await _upload(client, csrf, "catalogue.xlsx", exported.content)
    assert back.status_code == 200, back.text[:500]
    assert "文件与现有事项目录完全一致" in back.text
    assert 'name="token"' not in back.text


async def test_bad_files_get_chinese_errors(
    client: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await make_staff(role="admin", username="admin-bad")
    csrf = await _sign_in(client, "admin-bad")
    versions = await _versions()
    wrong = await _upload(client, csrf, "malware.exe", b"MZ\x90\x00")
    assert wrong.status_code == 422 and "只支持 .xlsx 和 .csv 文件。" in wrong.text
    huge = await _upload(client, csrf, "huge.csv", b"a," * (3 * 1024 * 1024))
    assert huge.status_code == 422 and "文件超过 5 MB" in huge.text
    fake = await _upload(client, csrf, "目录.xlsx", b"<html>not a workbook</html>")
    assert fake.status_code == 422 and "不是有效的 XLSX 工作簿" in fake.text
    formula = await _upload(
        client,
        csrf,
        "departments.csv",
        '部门编码,部门名称\nGA,"=HYPERLINK(""http://x"",""y"")"\n'.encode(),
    )
    assert formula.status_code == 422 and "是公式" in formula.text
    missing = await client.post(
        f"{BASE}/preview",
        data={"_csrf_token": csrf},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert missing.status_code == 422 and "请选择要导入的文件" in missing.text
    assert await _versions() == versions


@pytest.mark.parametrize("role", ["window", "supervisor", "approver", "agent"])
async def test_other_roles_get_the_refusal_page(
    client: httpx.AsyncClient, small_catalogue: Path, role: str
) -> None:
    staff = await make_staff(role=role)
    csrf = await _sign_in(client, staff.username)
    for answer in (
        await client.get(BASE),
        await client.get(f"{BASE}/export"),
        await _upload(client, csrf, "目录.xlsx", _items_xlsx(GOOD)),
        await client.post(f"{BASE}/confirm", data={"_csrf_token": csrf, "token": "x" * 32}),
    ):
        assert answer.status_code == 403, answer.text[:300]
        assert "xlsx" not in answer.headers["content-type"]


async def test_the_pages_in_a_browser_at_1440_and_390(
    page: Page,  # noqa: F811 (the fixture imported above)
    small_catalogue: Path,
    tmp_path: Path,
    artifacts_dir: Path,  # noqa: F811
) -> None:
    await make_staff(role="admin", username="admin-screens", display_name="王管理")
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    bad, good = tmp_path / "bad" / "目录.xlsx", tmp_path / "good" / "目录.xlsx"
    for path, body in ((bad, BAD), (good, GOOD)):
        path.parent.mkdir()
        path.write_bytes(_items_xlsx(body))
    changed = tmp_path / "changed" / "目录.xlsx"
    changed.parent.mkdir()
    changed.write_bytes(_changed_export(await export.export_catalogue()))
    await log_in(page, "admin-screens")
    for width in (1440, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto("/portal/")
        await page.get_by_role("link", name="事项导入导出").click()
        await expect(page).to_have_url(BASE)
        await page.screenshot(path=folder / f"import-home-{width}.png", full_page=True)
        await page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(bad)
        await page.get_by_role("button", name="上传并预览").click()
        await expect(page.locator("#import-errors li")).to_have_count(2)
        await page.screenshot(path=folder / f"import-errors-{width}.png", full_page=True)
        await page.get_by_role("link", name="重新上传").click()
        await page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(good)
        await page.get_by_role("button", name="上传并预览").click()
        await expect(page.get_by_role("status")).to_contain_text("检查通过，尚未写入")
        await page.screenshot(path=folder / f"import-preview-{width}.png", full_page=True)
        await page.get_by_role("link", name="取消，不导入").click()
        await expect(page).to_have_url(BASE)
        await page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(changed)
        await page.get_by_role("button", name="上传并预览").click()
        await expect(page.locator("#items-updated")).to_contain_text("20 → 15")
        await page.screenshot(path=folder / f"import-changes-{width}.png", full_page=True)
        await page.get_by_role("link", name="取消，不导入").click()
    # Confirmed once (at phone width): the items are written.
    await page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(good)
    await page.get_by_role("button", name="上传并预览").click()
    before = await _versions()
    await page.get_by_role("button", name="确认导入").click()
    await expect(page.get_by_role("status")).to_have_text("导入完成，已记入审计日志。")
    await page.screenshot(path=folder / "import-done-390.png", full_page=True)
    assert await _versions() == before + 2


def _changed_export(content: bytes) -> bytes:
    """The exported workbook with GA-SFZ-HL's promised days 20 → 15 and its 户口簿 dropped."""
    book = load_workbook(io.BytesIO(content))
    items, materials = book["事项"], book["材料"]
    for row in items.iter_rows(min_row=2):
        if row[0].value == "GA-SFZ-HL":
            row[8].value = 15
    for number in range(materials.max_row, 1, -1):
        if (materials.cell(number, 1).value, materials.cell(number, 2).value) == (
            "GA-SFZ-HL",
            "户口簿",
        ):
            materials.delete_rows(number)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_preview_shows_each_changed_field_and_keeps_the_file_under_the_prefix(
    client: httpx.AsyncClient, small_catalogue: Path, settings: Settings, redis: Redis
) -> None:
    await make_staff(role="admin", username="admin-diff")
    csrf = await _sign_in(client, "admin-diff")
    exported = await client.get(f"{BASE}/export")
    answer = await _upload(client, csrf, "目录.xlsx", _changed_export(exported.content))
    assert answer.status_code == 200, answer.text[:500]
    assert "将新增一个版本的事项（1）" in answer.text
    assert "<dt>承诺时限</dt><dd>20 → 15</dd>" in answer.text
    assert "<dt>材料</dt><dd>删除 居民户口簿</dd>" in answer.text
    token = CONFIRM_TOKEN.search(answer.text)
    assert token
    keys = [k.decode() async for k in redis.scan_iter(match=f"*{token[1]}*")]
    assert keys == [f"{settings.redis_prefix}:imports:preview:{token[1]}"]
    done = await client.post(f"{BASE}/confirm", data={"_csrf_token": csrf, "token": token[1]})
    assert done.status_code == 200, done.text[:500]


async def test_a_long_list_of_items_is_cut_with_a_count(
    client: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await make_staff(role="admin", username="admin-many")
    csrf = await _sign_in(client, "admin-many")
    rows = [f"GA-MANY-{n:02},第{n}个事项,GA,镇街,窗口,是,否,20,10" for n in range(60)]
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    items, materials = book.create_sheet("事项"), book.create_sheet("材料")
    for line in [HEADER.strip(), *rows]:
        items.append([int(c) if c.isdigit() else c for c in line.split(",")])
    materials.append(["事项编码", "材料类型", "材料名称"])
    for n in range(60):
        materials.append([f"GA-MANY-{n:02}", "身份证", "居民身份证"])
    out = io.BytesIO()
    book.save(out)
    answer = await _upload(client, csrf, "many.xlsx", out.getvalue())
    assert answer.status_code == 200, answer.text[:500]
    assert "新增的事项（60）" in answer.text
    assert answer.text.count('<li class="line">') == 50
    assert "另有 10 项未列出" in answer.text


async def test_hostile_file_names_and_invisible_characters(
    client: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await make_staff(role="admin", username="admin-names")
    csrf = await _sign_in(client, "admin-names")
    versions = await _versions()
    tag = await _upload(client, csrf, "<img src=x onerror=alert(1)>.xlsx", _items_xlsx(GOOD))
    assert tag.status_code == 200, tag.text[:500]
    assert (
        "<img src=x" not in tag.text and "文件：&lt;img src=x onerror=alert(1)&gt;.xlsx" in tag.text
    )
    bidi = await _upload(client, csrf, "../../目录\u202excslx.xlsx", _items_xlsx(GOOD))
    assert bidi.status_code == 200, bidi.text[:500]
    assert "文件：目录xcslx.xlsx" in bidi.text and "\u202e" not in bidi.text
    long = await _upload(client, csrf, "a" * 3000 + ".xlsx", _items_xlsx(GOOD))
    assert long.status_code == 200, long.text[:500]
    assert f"文件：{'a' * 95}.xlsx " in long.text
    empty = await _upload(client, csrf, "\u202e\u200b", _items_xlsx(GOOD))
    assert empty.status_code == 422 and "文件名无效" in empty.text

    hidden = await _upload(
        client, csrf, "departments.csv", "部门编码,部门名称\nGA,公\u202e安\n".encode()
    )
    assert hidden.status_code == 422, hidden.text[:500]
    assert "departments.csv · 第 2 行 · 部门名称" in hidden.text
    assert "含有不可见的控制字符" in hidden.text
    xlsx = _items_xlsx(GOOD.replace("新的公安事项", "新的\u200b公安事项"))
    zero_width = await _upload(client, csrf, "目录.xlsx", xlsx)
    assert zero_width.status_code == 422
    assert "目录.xlsx[事项] · 第 2 行 · 事项名称" in zero_width.text
    assert await _versions() == versions
