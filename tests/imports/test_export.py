"""The catalogue exported as XLSX, the preview-then-confirm import, and hostile files.

Real PostgreSQL and Redis: the small test catalogue is imported, exported, and imported again.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from redis.asyncio import Redis

from backend.audit.service import AuditLog
from backend.audit.tables import AuditEvent
from backend.catalogue import service as catalogue
from backend.catalogue.tables import ItemVersion
from backend.errors import Conflict, InvalidInput
from backend.imports import export
from backend.imports import service as imports
from backend.imports.reader import read_tables
from backend.settings import Settings
from tests.factories import make_staff

pytestmark = pytest.mark.integration


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    return AuditLog(settings.audit_key)


def _sheets(content: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _versions() -> int:
    return await ItemVersion.count().run()


async def test_export_then_import_changes_nothing(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    content = await export.export_catalogue()
    sheets = _sheets(content)
    assert list(sheets) == ["部门", "事项", "材料", "表单", "一件事"]
    assert sheets["事项"][0][:3] == ["事项编码", "事项名称", "部门编码"]
    assert len(sheets["事项"]) == 1 + 7
    versions, revision = await _versions(), await catalogue.revision()

    admin = await make_staff(role="admin", username="admin-rt")
    preview = await imports.preview_upload(
        redis=redis, staff_id=admin.id, filename="目录.xlsx", content=content, effective_from=None
    )
    assert preview.errors == [] and preview.report is not None
    tallies = preview.report.as_dict()
    assert set(tallies) == {"departments", "items", "bundles"}
    assert all(t["created"] == t["updated"] == t["removed"] == 0 for t in tallies.values()), tallies
    assert tallies["items"]["unchanged"] == 7
    assert preview.report.items.get("created", []) == []
    assert preview.report.items.get("updated", []) == []

    assert preview.token is not None
    applied = await imports.confirm_upload(
        redis=redis, audit=audit, staff_id=admin.id, token=preview.token
    )
    assert applied.before == applied.after
    assert await _versions() == versions
    assert await catalogue.revision() == revision  # nothing changed, nothing bumped
    assert _sheets(await export.export_catalogue()) == sheets


async def test_a_changed_export_previews_its_new_version_and_applies_it_only_on_confirm(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    sheets = _sheets(await export.export_catalogue())
    items = sheets["事项"]
    row = next(r for r in items if r[0] == "GA-SFZ-HL")
    row[8] = 15  # 承诺时限 20 → 15
    items.append(
        [
            "MZ-NEW",
            "新的民政事项",
            "MZ",
            "镇街",
            "窗口",
            "是",
            "否",
            20,
            10,
            "",
            "窗口领取",
            "",
            "是",
            "",
        ]
    )
    sheets["材料"].append(["MZ-NEW", "身份证", "身份证", "是", "原件", 0, "否", 1])
    if not any(r[0] == "MZ" for r in sheets["部门"]):
        sheets["部门"].append(["MZ", "民政局"])
    content = _xlsx(sheets)
    versions = await _versions()
    admin = await make_staff(role="admin", username="admin-new")

    preview = await imports.preview_upload(
        redis=redis, staff_id=admin.id, filename="目录.xlsx", content=content, effective_from=None
    )
    assert preview.errors == [], [str(e) for e in preview.errors]
    assert preview.report is not None
    assert [c.code for c in preview.report.items["created"]] == ["MZ-NEW"]
    assert [c.code for c in preview.report.items["updated"]] == ["GA-SFZ-HL"]
    assert await _versions() == versions  # the preview wrote nothing

    assert preview.token is not None
    applied = await imports.confirm_upload(
        redis=redis, audit=audit, staff_id=admin.id, token=preview.token
    )
    assert applied.report.tallies["items"].created == 1
    assert applied.report.tallies["items"].updated == 1
    assert await _versions() == versions + 2
    assert applied.after["items"] == applied.before["items"] + 1
    entry = await AuditEvent.select().where(AuditEvent.action == imports.AUDIT_ACTION).first().run()
    assert entry is not None and entry["actor_id"] == admin.id
    reason = json.loads(entry["reason"])
    assert reason["file"] == "目录.xlsx"
    assert reason["after"]["items"] == reason["before"]["items"] + 1
    assert reason["changes"]["items"]["created"] == 1

    with pytest.raises(Conflict):  # a preview is applied once
        await imports.confirm_upload(
            redis=redis, audit=audit, staff_id=admin.id, token=preview.token
        )


async def test_someone_elses_or_a_stale_preview_is_refused(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    sheets = _sheets(await export.export_catalogue())
    sheets["部门"][1][1] = "改名后的部门"
    content = _xlsx(sheets)
    owner = await make_staff(role="admin", username="admin-owner")
    other = await make_staff(role="admin", username="admin-other", area_code="330109")
    preview = await imports.preview_upload(
        redis=redis, staff_id=owner.id, filename="a.xlsx", content=content, effective_from=None
    )
    assert preview.token is not None
    with pytest.raises(Conflict):
        await imports.confirm_upload(
            redis=redis, audit=audit, staff_id=other.id, token=preview.token
        )
    with pytest.raises(Conflict):
        await imports.confirm_upload(redis=redis, audit=audit, staff_id=owner.id, token="x" * 32)

    newer = await imports.preview_upload(
        redis=redis, staff_id=owner.id, filename="b.xlsx", content=content, effective_from=None
    )
    with pytest.raises(Conflict):  # a newer upload replaced the first preview
        await imports.confirm_upload(
            redis=redis, audit=audit, staff_id=owner.id, token=preview.token
        )
    preview = newer
    assert preview.token is not None

    await catalogue.upsert_department(code="ZZ", name="别处改动")  # the catalogue moves on
    await catalogue.bump_revision()
    with pytest.raises(Conflict) as stale:
        await imports.confirm_upload(
            redis=redis, audit=audit, staff_id=owner.id, token=preview.token
        )
    assert stale.value.code == "import_preview_stale"
    assert await AuditEvent.count().where(AuditEvent.action == imports.AUDIT_ACTION).run() == 0


def test_risky_text_is_written_as_quoted_text_never_as_a_formula() -> None:
    risky = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)"]
    content = export.workbook_bytes(
        {"departments": [["D" + str(i), v] for i, v in enumerate(risky)]}
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    book = load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    for row in range(2, 2 + len(risky)):
        cell = ws.cell(row=row, column=2)
        assert cell.data_type == "s"
        assert cell.quotePrefix  # a spreadsheet shows it as text
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + len(risky))] == risky
    cleaned = export.workbook_bytes({"departments": [["MZ", "民政\x01局\x7f"]]})
    assert _sheets(cleaned)["部门"][1] == ["MZ", "民政局"]  # a control byte cannot be written


def test_formulas_are_refused_and_control_bytes_dropped_on_reading(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "部门"
    ws.append(["部门编码", "部门名称"])
    ws.append(["GA", '=HYPERLINK("http://evil.example","公安")'])
    path = tmp_path / "hostile.xlsx"
    book.save(path)
    with pytest.raises(Exception) as refused:
        read_tables(path)
    messages = [str(e) for e in refused.value.errors]  # type: ignore[attr-defined]
    assert messages == [
        "hostile.xlsx[部门] 第 2 行（部门名称）：是公式，请改为纯文本或数值（导入不计算公式）"
    ]

    csv_path = tmp_path / "departments.csv"
    csv_path.write_bytes("部门编码,部门名称\nMZ,民政\x00\x07局\r\nGA,=1+1\n".encode())
    with pytest.raises(Exception) as refused:
        read_tables(csv_path)
    assert [str(e) for e in refused.value.errors] == [  # type: ignore[attr-defined]
        "departments.csv 第 3 行（部门名称）：是公式，请改为纯文本或数值（导入不计算公式）"
    ]
    csv_path.write_bytes("部门编码,部门名称\nMZ,民政\x00\x07局\n".encode())
    (table,) = read_tables(csv_path)
    assert table.rows == [(2, {"code": "MZ", "name": "民政局"})]


async def test_hostile_uploads_are_refused_with_chinese_messages(
    database: None, redis: Redis
) -> None:
    admin = await make_staff(role="admin", username="admin-hostile")

    async def preview(name: str, content: bytes) -> imports.Preview:
        return await imports.preview_upload(
            redis=redis, staff_id=admin.id, filename=name, content=content, effective_from=None
        )

    with pytest.raises(InvalidInput, match="只支持"):
        await preview("目录.exe", b"MZ\x90\x00")
    with pytest.raises(InvalidInput, match="超过 5 MB"):
        await preview("big.csv", b"a" * (imports.MAX_PREVIEW_BYTES + 1))
    with pytest.raises(InvalidInput, match="空"):
        await preview("empty.xlsx", b"")
    not_a_workbook = await preview("目录.xlsx", b"%PDF-1.4 not a workbook")
    assert [e.message for e in not_a_workbook.errors] == [
        "不是有效的 XLSX 工作簿（可能是改了扩展名的其他文件）"
    ]
    assert not_a_workbook.token is None

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (300 * 1024 * 1024))
    exploded = await preview("bomb.xlsx", bomb.getvalue())
    assert [e.message for e in exploded.errors] == ["工作簿解压后过大，请删去无关内容后再导入"]

    rows = "\n".join(f"D{i},部门{i}" for i in range(imports.MAX_PREVIEW_ROWS + 5))
    too_many = await preview("departments.csv", ("部门编码,部门名称\n" + rows).encode())
    assert any("超过上限 20000 行" in e.message for e in too_many.errors)
    assert too_many.token is None
    assert await catalogue.known_codes() == (set(), set(), set())  # nothing was written


async def test_an_api_import_that_writes_is_audited(api) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import DEFAULT_PASSWORD

    admin = await make_staff(role="admin", username="admin-api")
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": "admin-api", "password": DEFAULT_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    departments = "code,name\nGA,区公安分局\n".encode()
    dry = await api.post(
        "/api/v1/admin/catalogue/import",
        files={"file": ("departments.csv", departments)},
        data={"dry_run": "true"},
        headers=headers,
    )
    assert dry.status_code == 200, dry.text
    assert await AuditEvent.count().where(AuditEvent.action == imports.AUDIT_ACTION).run() == 0
    done = await api.post(
        "/api/v1/admin/catalogue/import",
        files={"file": ("departments.csv", departments)},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    entry = await AuditEvent.select().where(AuditEvent.action == imports.AUDIT_ACTION).first().run()
    assert entry is not None and entry["actor_id"] == admin.id
    reason = json.loads(entry["reason"])
    assert (reason["before"]["departments"], reason["after"]["departments"]) == (0, 1)


async def test_the_item_kind_goes_out_and_comes_back_and_a_blank_kind_keeps_it(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    sheets = _sheets(await export.export_catalogue())
    header = sheets["事项"][0]
    kind_at = header.index("事项类型")
    row = next(r for r in sheets["事项"] if r[0] == "GA-SFZ-HL")
    assert row[kind_at] in ("行政许可", "公共服务")
    row[kind_at] = "行政许可"
    admin = await make_staff(role="admin", username="admin-kind")

    async def imported(content: bytes) -> None:
        preview = await imports.preview_upload(
            redis=redis,
            staff_id=admin.id,
            filename="目录.xlsx",
            content=content,
            effective_from=None,
        )
        assert preview.errors == [], [str(e) for e in preview.errors]
        assert preview.token is not None
        await imports.confirm_upload(
            redis=redis, audit=audit, staff_id=admin.id, token=preview.token
        )

    await imported(_xlsx(sheets))
    assert (await catalogue.get_item(code="GA-SFZ-HL")).spec.kind == "licensing"

    row[kind_at] = None  # an older layout's file, or a blank cell: the kind is kept
    row[8] = 12  # and something else changes, so a new version is written
    await imported(_xlsx(sheets))
    after = await catalogue.get_item(code="GA-SFZ-HL")
    assert after.spec.committed_days == 12 and after.spec.kind == "licensing"

    sheets["事项"][1][kind_at] = "许可"
    preview = await imports.preview_upload(
        redis=redis,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert any(e.column == "事项类型" for e in preview.errors), [str(e) for e in preview.errors]


async def test_form_field_rules_go_out_and_come_back(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    sheets = _sheets(await export.export_catalogue())
    header = sheets["表单"][0]
    assert header[-3:] == ["最大长度", "格式", "格式说明"]
    row = next(r for r in sheets["表单"] if r[:2] == ["GA-CSDJ", "baby_name"])
    row[-3:] = [4, "[\u4e00-\u9fa5]{2,4}", "请输入 2–4 个汉字"]
    admin = await make_staff(role="admin", username="admin-rules-x")
    preview = await imports.preview_upload(
        redis=redis,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert preview.errors == [], [str(e) for e in preview.errors]
    assert preview.token is not None
    await imports.confirm_upload(redis=redis, audit=audit, staff_id=admin.id, token=preview.token)
    baby = next(
        f for f in (await catalogue.get_item(code="GA-CSDJ")).spec.form if f.name == "baby_name"
    )
    assert (baby.max_length, baby.pattern, baby.pattern_hint) == (4, row[-2], row[-1])
    assert _sheets(await export.export_catalogue())["表单"] == sheets["表单"]

    row[-3:] = [None, "(a+)+", "x"]
    refused = await imports.preview_upload(
        redis=redis,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert any(e.column == "格式" and "嵌套" in e.message for e in refused.errors), [
        str(e) for e in refused.errors
    ]
