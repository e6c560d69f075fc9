"""Every form field's sensitivity kind is stated in the catalogue and its import, never guessed."""

import csv
import shutil
from pathlib import Path

import pytest

from backend.demo import DATA_DIR
from backend.imports.apply import ImportRejected
from backend.imports.service import read_file
from tests.conftest import FIXTURES

pytestmark = pytest.mark.unit

OTHER_PEOPLES_IDS = {"guardian_id", "head_id", "deceased_id", "spouse_id"}
BANK_ACCOUNTS = {"MZ-GLJT", "MZ-HMBZ", "RS-CXJM-DY", "RS-SYBX-SL", "YB-LXBX"}


def test_every_demo_field_states_its_kind_in_the_data():
    with (DATA_DIR / "forms.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["sensitivity"].strip() for r in rows), "a demo field without a kind"
    kinds = {(r["item_code"], r["name"]): r["sensitivity"] for r in rows}
    for (item, name), kind in kinds.items():
        if name in OTHER_PEOPLES_IDS:
            assert kind == "id_number", (item, name)
        if name == "phone":
            assert kind == "phone", (item, name)
        if name == "disability_cert_no":
            assert kind == "id_derived", (item, name)
    banks = {item for (item, name), kind in kinds.items() if kind == "bank_account"}
    assert banks == BANK_ACCOUNTS
    assert all(kinds[(item, "bank_account")] == "bank_account" for item in BANK_ACCOUNTS)
    # The kind is not the datatype: these are plain ``text`` fields.
    text = {(r["item_code"], r["name"]) for r in rows if r["datatype"] == "text"}
    assert ("MZ-CJRBT", "disability_cert_no") in text and ("YB-LXBX", "bank_account") in text


def test_the_import_carries_the_kind_into_the_catalogue():
    batch = read_file(DATA_DIR)
    fields = {(f.item_code, f.spec.name): f.spec.sensitivity for f in batch.forms}
    assert fields[("GA-HK-QY", "head_id")] == "id_number"
    assert fields[("MZ-CJRBT", "disability_cert_no")] == "id_derived"
    assert fields[("MZ-HMBZ", "bank_account")] == "bank_account"
    assert fields[("GA-HK-CSDJ", "baby_name")] == "none"


def _forms_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(FIXTURES, folder)
    text = (folder / "forms.csv").read_text(encoding="utf-8")
    assert old in text
    (folder / "forms.csv").write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_an_unknown_or_blank_kind_is_a_row_error_naming_the_field(tmp_path: Path):
    folder = _forms_with(
        tmp_path,
        "guardian_phone,监护人手机号,phone,phone",
        "guardian_phone,监护人手机号,phone,secret",
    )
    with pytest.raises(ImportRejected) as rejected:
        read_file(folder)
    messages = [str(e) for e in rejected.value.errors]
    assert any(
        "forms.csv 第 5 行" in m and "guardian_phone" in m and "secret" in m for m in messages
    ), messages

    folder = _forms_with(
        tmp_path / "b", "baby_name,新生儿姓名,text,none", "baby_name,新生儿姓名,text,"
    )
    with pytest.raises(ImportRejected) as rejected:
        read_file(folder)
    assert any("baby_name" in str(e) and "未填写" in str(e) for e in rejected.value.errors)


def test_a_forms_sheet_without_the_column_is_refused(tmp_path: Path):
    folder = tmp_path / "catalogue"
    shutil.copytree(FIXTURES, folder)
    rows = (folder / "forms.csv").read_text(encoding="utf-8").splitlines()
    stripped = [",".join(c for i, c in enumerate(r.split(",")) if i != 4) for r in rows]
    (folder / "forms.csv").write_text("\n".join(stripped) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        read_file(folder)
    assert any("敏感类别" in str(e) for e in rejected.value.errors)
