"""Catalogue imports: checked whole, applied whole, versioned, idempotent."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from backend.catalogue import service as catalogue
from backend.catalogue.tables import ItemVersion
from backend.clock import today
from backend.geo.tables import ServicePoint, ServicePointItem
from backend.imports.apply import ImportRejected
from backend.imports.service import import_batch, import_file, read_file
from tests.catalogue.conftest import FIXTURES

pytestmark = pytest.mark.integration


async def test_import_then_reimport_changes_nothing(small_catalogue: Path):
    report = await import_file(FIXTURES, effective_from=today())
    assert all(t.created == t.updated == t.removed == 0 for t in report.tallies.values()), (
        report.as_dict()
    )
    assert await ServicePoint.count().run() == 5
    assert await ServicePointItem.count().run() == 10
    item = await catalogue.get_item(code="GA-CSDJ")
    assert [m.type for m in item.spec.materials] == ["出生医学证明", "户口簿", "身份证"]
    assert [f.name for f in item.spec.form] == [
        "baby_name",
        "birth_date",
        "relationship",
        "guardian_phone",
        "guardian_id",
        "disability_cert_no",
        "bank_account",
    ]


def _copy_with(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(FIXTURES, folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


async def test_one_bad_row_rejects_the_whole_file_with_its_number_and_reason(tmp_path: Path):
    items = (FIXTURES / "items.csv").read_text(encoding="utf-8").splitlines()
    # Row 4 (the third item): committed longer than legal, and an unknown channel.
    items[3] = items[3].replace(",60,20,", ",10,20,").replace("窗口,是", "窗口、飞鸽,是", 1)
    folder = _copy_with(tmp_path, "items.csv", "\n".join(items) + "\n")
    with pytest.raises(ImportRejected) as rejected:
        await import_file(folder, effective_from=today())
    messages = [str(e) for e in rejected.value.errors]
    assert any("items.csv 第 4 行" in m and "承诺时限不能长于法定时限" in m for m in messages), (
        messages
    )
    assert any("items.csv 第 4 行" in m and "飞鸽" in m for m in messages), messages
    assert await ItemVersion.count().run() == 0  # nothing half-imported
    assert await ServicePoint.count().run() == 0


async def test_unknown_references_are_named(tmp_path: Path):
    folder = _copy_with(
        tmp_path,
        "handles.csv",
        "service_point_code,item_codes\nHALL-330109110,GA-NOPE\nNOWHERE,GA-CSDJ\n",
    )
    with pytest.raises(ImportRejected) as rejected:
        await import_file(folder, effective_from=today())
    messages = [str(e) for e in rejected.value.errors]
    assert any("第 2 行" in m and "GA-NOPE" in m for m in messages), messages
    assert any("第 3 行" in m and "NOWHERE" in m for m in messages), messages


async def test_dry_run_reports_and_writes_nothing():
    report = await import_file(FIXTURES, effective_from=today(), dry_run=True)
    assert report.dry_run
    assert report.tallies["items"].created == 7
    assert await ItemVersion.count().run() == 0


async def test_a_change_makes_a_new_version_and_the_old_one_stays(
    small_catalogue: Path, tmp_path: Path
):
    before = await catalogue.get_item(code="GA-SFZ-HL")
    items = (
        (FIXTURES / "items.csv")
        .read_text(encoding="utf-8")
        .replace(
            "居民身份证换领,GA,镇街,窗口、代办,是,否,60,20",
            "居民身份证换领,GA,镇街,窗口、代办,是,否,60,10",
        )
    )
    folder = _copy_with(tmp_path, "items.csv", items)
    with pytest.raises(ImportRejected, match="1 errors"):  # no retroactive change
        await import_file(folder, effective_from=date(2026, 1, 1))
    later = today() + timedelta(days=3)
    report = await import_file(folder, effective_from=later)
    assert report.tallies["items"].updated == 1
    assert (before.version, before.spec.committed_days) == (1, 20)
    still = await catalogue.get_item(code="GA-SFZ-HL")
    assert (still.version, still.spec.committed_days) == (1, 20)  # not in force yet
    after = await catalogue.get_item(code="GA-SFZ-HL", day=later)
    assert (after.version, after.spec.committed_days) == (2, 10)
    old = await catalogue.get_item_version(version_id=before.version_id)
    assert old.spec.committed_days == 20  # a case filed under version 1 keeps what it was told


async def test_xlsx_workbook_with_chinese_sheet_names(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.title = "部门"
    sheet.append(["部门编码", "部门名称"])
    sheet.append(["MZ", "区民政局"])
    items = book.create_sheet("事项")
    items.append(
        [
            "事项编码",
            "事项名称",
            "部门编码",
            "办理层级",
            "办理渠道",
            "可代办",
            "全区通办",
            "法定时限",
            "承诺时限",
        ]
    )
    items.append(["MZ-GLJT", "高龄津贴申请", "MZ", "村社", "窗口、代办", "是", "是", 20, 10])
    materials = book.create_sheet("材料")
    materials.append(["事项编码", "材料类型", "材料名称"])
    materials.append(["MZ-GLJT", "身份证", "申请人居民身份证"])
    path = tmp_path / "catalogue.xlsx"
    book.save(path)
    report = await import_file(path, effective_from=today())
    assert report.tallies["items"].created == 1
    item = await catalogue.get_item(code="MZ-GLJT")
    assert item.spec.lowest_level == "village"
    assert item.spec.district_wide


async def test_unreadable_files_are_refused(tmp_path: Path):
    odd = tmp_path / "odd.csv"
    odd.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="1 errors"):
        read_file(odd)
    with pytest.raises(ImportRejected):
        read_file(tmp_path / "missing.csv")
    batch = read_file(FIXTURES)
    batch.items.clear()  # materials now point at items that do not exist
    with pytest.raises(ImportRejected):
        await import_batch(batch, effective_from=today())
