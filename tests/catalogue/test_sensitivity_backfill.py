"""The migration that gives item versions written before the sensitivity column their kinds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from backend.catalogue import service as catalogue
from backend.catalogue.tables import ItemVersion
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

MIGRATION = ROOT / "migrations" / "catalogue" / "catalogue_2026_12_06t23_00_00_000000.py"


def _sql(name: str) -> str:
    spec = importlib.util.spec_from_file_location("sensitivity_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(getattr(module, name))


async def _kinds() -> dict[str, str]:
    row = (
        await ItemVersion.select(ItemVersion.form)
        .where(ItemVersion.item == "GA-CSDJ")
        .first()
        .run()
    )
    form = json.loads(row["form"]) if isinstance(row["form"], str) else row["form"]
    return {f["name"]: f.get("sensitivity") for f in form}


async def test_old_versions_get_a_kind_and_new_ones_keep_theirs(small_catalogue: Path):
    stated = await _kinds()
    await ItemVersion.raw(_sql("REMOVE")).run()
    assert set((await _kinds()).values()) == {None}  # as written before the column existed
    await ItemVersion.raw(_sql("BACKFILL")).run()
    assert (
        await _kinds()
        == stated
        == {
            "baby_name": "none",
            "birth_date": "none",
            "relationship": "none",
            "guardian_phone": "phone",
            "guardian_id": "id_number",
            "disability_cert_no": "id_derived",
            "bank_account": "bank_account",
        }
    )
    await ItemVersion.raw(_sql("BACKFILL")).run()  # a second run changes nothing
    assert await _kinds() == stated
    catalogue.forget()
    item = await catalogue.get_item(code="GA-CSDJ")
    assert {f.name: f.sensitivity for f in item.spec.form} == stated
