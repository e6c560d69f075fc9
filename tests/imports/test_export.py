"""The catalogue exported as XLSX, the preview-then-confirm import, and hostile files.

Real PostgreSQL and Redis: the small test catalogue is imported, exported, and imported again.
"""

from __future__ import annotations

import io
import json
import secrets
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
from backend.imports.apply import ImportRejected, ImportReport, ItemChange
from backend.imports.changes import FieldChange
from backend.imports.reader import ReadError, read_tables
from backend.settings import Settings
from tests.factories import make_staff

pytestmark = pytest.mark.integration
PREFIX = "jjb-test-imports"


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
        redis=redis,
        prefix=PREFIX,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=content,
        effective_from=None,
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
        redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
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
    # GA-SFZ-HL's materials: 户口簿 dropped, 照片 added, 身份证 asks for one copy.
    materials = [r for r in sheets["材料"] if not (r[0] == "GA-SFZ-HL" and r[1] == "户口簿")]
    next(r for r in materials if r[0] == "GA-SFZ-HL" and r[1] == "身份证")[5] = 1
    materials.append(["GA-SFZ-HL", "照片", "近期免冠照片", "是", "原件", 0, "否", 3])
    sheets["材料"] = materials
    # and GA-CSDJ's form: a label changes, a field goes.
    forms = [r for r in sheets["表单"] if not (r[0] == "GA-CSDJ" and r[1] == "bank_account")]
    next(r for r in forms if r[0] == "GA-CSDJ" and r[1] == "baby_name")[2] = "婴儿姓名"
    sheets["表单"] = forms
    if not any(r[0] == "MZ" for r in sheets["部门"]):
        sheets["部门"].append(["MZ", "民政局"])
    content = _xlsx(sheets)
    versions = await _versions()
    admin = await make_staff(role="admin", username="admin-new")

    preview = await imports.preview_upload(
        redis=redis,
        prefix=PREFIX,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=content,
        effective_from=None,
    )
    assert preview.errors == [], [str(e) for e in preview.errors]
    assert preview.report is not None
    assert [c.code for c in preview.report.items["created"]] == ["MZ-NEW"]
    assert [c.code for c in preview.report.items["updated"]] == ["GA-CSDJ", "GA-SFZ-HL"]
    csdj, hl = preview.report.items["updated"]
    assert [(f.label, f.text) for f in hl.changes] == [
        ("承诺时限", "20 → 15"),
        ("材料", "新增 近期免冠照片；删除 居民户口簿；修改 原居民身份证（份数 0 → 1）"),
    ]
    assert [(f.label, f.text) for f in csdj.changes] == [
        ("表单字段", "删除 补贴发放银行账号；修改 婴儿姓名（字段标签 新生儿姓名 → 婴儿姓名）")
    ]
    (new,) = preview.report.items["created"]
    assert dict((f.label, f.text) for f in new.changes) == {
        "部门编码": "MZ",
        "办理层级": "镇街",
        "法定时限": "20",
        "承诺时限": "10",
        "事项类型": "公共服务",
        "材料": "1 项：身份证",
        "表单字段": "无",
    }
    assert await _versions() == versions  # the preview wrote nothing

    assert preview.token is not None
    applied = await imports.confirm_upload(
        redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
    )
    assert applied.report.tallies["items"].created == 1
    assert applied.report.tallies["items"].updated == 2
    assert await _versions() == versions + 3
    assert applied.after["items"] == applied.before["items"] + 1
    entry = await AuditEvent.select().where(AuditEvent.action == imports.AUDIT_ACTION).first().run()
    assert entry is not None and entry["actor_id"] == admin.id
    reason = json.loads(entry["reason"])
    assert reason["file"] == "目录.xlsx"
    assert reason["after"]["items"] == reason["before"]["items"] + 1
    assert reason["changes"]["items"]["created"] == 1
    assert reason["items"] == {
        "created": ["MZ-NEW"],
        "updated": {"GA-CSDJ": ["表单字段"], "GA-SFZ-HL": ["承诺时限", "材料"]},
        "not_listed": 0,
    }

    with pytest.raises(Conflict):  # a preview is applied once
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
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
        redis=redis,
        prefix=PREFIX,
        staff_id=owner.id,
        filename="a.xlsx",
        content=content,
        effective_from=None,
    )
    assert preview.token is not None
    with pytest.raises(Conflict):
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=other.id, token=preview.token
        )
    with pytest.raises(Conflict):
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=owner.id, token="x" * 32
        )

    newer = await imports.preview_upload(
        redis=redis,
        prefix=PREFIX,
        staff_id=owner.id,
        filename="b.xlsx",
        content=content,
        effective_from=None,
    )
    with pytest.raises(Conflict):  # a newer upload replaced the first preview
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=owner.id, token=preview.token
        )
    preview = newer
    assert preview.token is not None

    await catalogue.upsert_department(code="ZZ", name="别处改动")  # the catalogue moves on
    await catalogue.bump_revision()
    with pytest.raises(Conflict) as stale:
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=owner.id, token=preview.token
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
            redis=redis,
            prefix=PREFIX,
            staff_id=admin.id,
            filename=name,
            content=content,
            effective_from=None,
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
            prefix=PREFIX,
            staff_id=admin.id,
            filename="目录.xlsx",
            content=content,
            effective_from=None,
        )
        assert preview.errors == [], [str(e) for e in preview.errors]
        assert preview.token is not None
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
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
        prefix=PREFIX,
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
        prefix=PREFIX,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert preview.errors == [], [str(e) for e in preview.errors]
    assert preview.token is not None
    await imports.confirm_upload(
        redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
    )
    baby = next(
        f for f in (await catalogue.get_item(code="GA-CSDJ")).spec.form if f.name == "baby_name"
    )
    assert (baby.max_length, baby.pattern, baby.pattern_hint) == (4, row[-2], row[-1])
    assert _sheets(await export.export_catalogue())["表单"] == sheets["表单"]

    row[-3:] = [None, "(a+)+", "x"]
    refused = await imports.preview_upload(
        redis=redis,
        prefix=PREFIX,
        staff_id=admin.id,
        filename="目录.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert any(e.column == "格式" and "嵌套" in e.message for e in refused.errors), [
        str(e) for e in refused.errors
    ]


async def test_the_audit_names_at_most_a_hundred_items_and_counts_the_rest() -> None:
    report = ImportReport()
    change = (FieldChange("承诺时限", "20 → 15"),)
    report.items["updated"] = [ItemChange(f"I{n:03}", "事项", change) for n in range(130)]
    listed = imports._item_audit(report)
    assert len(listed["updated"]) == 100 and listed["not_listed"] == 30  # type: ignore[arg-type]
    assert listed["updated"]["I000"] == ["承诺时限"]  # type: ignore[index]


async def test_preview_keys_carry_the_configured_prefix(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    sheets = _sheets(await export.export_catalogue())
    sheets["部门"][1][1] = "改名后的部门"
    admin = await make_staff(role="admin", username="admin-prefix")
    prefix = f"custom-prefix-{secrets.token_hex(4)}"
    preview = await imports.preview_upload(
        redis=redis,
        prefix=prefix,
        staff_id=admin.id,
        filename="a.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert preview.token is not None
    written = [
        k.decode()
        for pattern in (f"*{preview.token}*", f"*{admin.id}*")
        async for k in redis.scan_iter(match=pattern)
    ]
    assert sorted(written) == [
        f"{prefix}:imports:latest-preview:{admin.id}",
        f"{prefix}:imports:preview:{preview.token}",
    ]
    with pytest.raises(Conflict):  # another prefix (another deployment) does not see it
        await imports.confirm_upload(
            redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
        )
    await imports.confirm_upload(
        redis=redis, prefix=prefix, audit=audit, staff_id=admin.id, token=preview.token
    )
    assert [k async for k in redis.scan_iter(match=f"*{preview.token}*")] == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("目录\u202excslx.xlsx", "目录xcslx.xlsx"),
        ("<img src=x onerror=alert(1)>.xlsx", "<img src=x onerror=alert(1)>.xlsx"),
        ("a\r\nb.xlsx", "ab.xlsx"),
        ("../../../etc/passwd.xlsx", "passwd.xlsx"),
        ("C:\\Users\\王\\目录.csv", "目录.csv"),
        ("\u200b\u2066目录\ufeff\u2069.csv", "目录.csv"),
        ("a" * 3000 + ".xlsx", "a" * 95 + ".xlsx"),
    ],
)
def test_uploaded_names_keep_their_base_name_only(given: str, kept: str) -> None:
    assert imports.safe_filename(given) == kept


@pytest.mark.parametrize("given", ["\u202e", "../", "dir/", "\r\n\u200b", " . "])
def test_a_name_with_nothing_left_is_refused(given: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        imports.safe_filename(given)
    assert refused.value.code == "import_file_type" and "文件名无效" in refused.value.detail


async def test_a_cleaned_name_is_what_the_preview_shows_and_the_audit_keeps(
    small_catalogue: Path, redis: Redis, audit: AuditLog
) -> None:
    sheets = _sheets(await export.export_catalogue())
    sheets["部门"][1][1] = "又改名的部门"
    admin = await make_staff(role="admin", username="admin-names")
    preview = await imports.preview_upload(
        redis=redis,
        prefix=PREFIX,
        staff_id=admin.id,
        filename="../../x/目录\u202excslx\r\n.xlsx",
        content=_xlsx(sheets),
        effective_from=None,
    )
    assert preview.filename == "目录xcslx.xlsx" and preview.token is not None
    await imports.confirm_upload(
        redis=redis, prefix=PREFIX, audit=audit, staff_id=admin.id, token=preview.token
    )
    entry = await AuditEvent.select().where(AuditEvent.action == imports.AUDIT_ACTION).first().run()
    assert entry is not None
    reason = json.loads(entry["reason"])
    assert reason["file"] == "目录xcslx.xlsx" and "\u202e" not in entry["reason"]
    with pytest.raises(InvalidInput) as empty:
        await imports.preview_upload(
            redis=redis,
            prefix=PREFIX,
            staff_id=admin.id,
            filename="\u202e\u200b",
            content=b"x",
            effective_from=None,
        )
    assert empty.value.code == "import_file_type"


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u061c"])
def test_cells_with_invisible_characters_are_refused_in_xlsx_and_csv(
    tmp_path: Path, hidden: str
) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "部门"
    ws.append(["部门编码", "部门名称"])
    ws.append(["GA", "公安"])
    ws.append(["MZ", f"民政{hidden}局"])
    xlsx = tmp_path / "hidden.xlsx"
    book.save(xlsx)
    csv_path = tmp_path / "departments.csv"
    csv_path.write_text(f"部门编码,部门名称\nGA,公安\nMZ{hidden},民政局\n", encoding="utf-8")
    for path, expected in (
        (xlsx, "hidden.xlsx[部门] 第 3 行（部门名称）：含有不可见的控制字符"),
        (csv_path, "departments.csv 第 3 行（部门编码）：含有不可见的控制字符"),
    ):
        with pytest.raises(ReadError) as refused:
            read_tables(path)
        assert [str(e).split("（如")[0] for e in refused.value.errors] == [expected]
        with pytest.raises(ImportRejected):  # the CLI's and the API's reader too
            imports.read_file(path)
