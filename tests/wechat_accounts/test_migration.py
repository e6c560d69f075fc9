"""The migration's copy step, at the SQL level on the migrated database: a citizen with an openid
(as every mini-program citizen had one before the migration) gets an account row under the
mini-program's appid; running it again changes nothing.

Not a true before/after migration test: the table it copies into exists already here, so the
rows are made as the old login wrote them (``citizen.openid`` only) and the step is run again.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from backend import db
from backend.identity.tables import Citizen

pytestmark = pytest.mark.api

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations"
    / "identity"
    / "identity_2026_12_07t14_10_00_000000.py"
)


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wechat_account_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_every_openid_becomes_a_mini_program_account() -> None:
    old = Citizen(openid="legacy-1", unionid="u-legacy-1")
    bare = Citizen(openid="legacy-2")
    offline = Citizen(name="张阿大")  # registered by an agent: no WeChat
    for row in (old, bare, offline):
        await row.save().run()
    migration = _migration()
    await migration.copy_accounts("wx-mini-appid")
    await migration.copy_accounts("wx-mini-appid")
    rows = await db.fetch(
        "SELECT appid, openid, unionid, citizen::text AS citizen FROM wechat_account"
        " ORDER BY openid"
    )
    assert [tuple(r) for r in rows] == [
        ("wx-mini-appid", "legacy-1", "u-legacy-1", str(old.id)),
        ("wx-mini-appid", "legacy-2", None, str(bare.id)),
    ]


def test_the_appid_is_the_deployments(monkeypatch: pytest.MonkeyPatch) -> None:
    migration = _migration()
    monkeypatch.setenv("WECHAT_APPID", "wx-from-env")
    assert migration.miniprogram_appid() == "wx-from-env"
    monkeypatch.delenv("WECHAT_APPID")
    assert migration.miniprogram_appid() == "wx-dev-appid"  # the settings' default
