"""The administrator's catalogue changes (事项目录): a change of an item is a new version from a
day, never an edit of one already written, so a case keeps what it was filed under; every
change is audited before and after and moves the catalogue revision; bad input changes nothing."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.audit.service import Actor, AuditLog
from backend.audit.tables import AuditEvent
from backend.catalogue import service as catalogue
from backend.catalogue.model import MaterialSpec
from backend.catalogue.tables import ItemVersion
from backend.clock import today
from backend.errors import InvalidInput
from backend.settings import Settings
from tests.conftest import ROOT
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import row, submitted

pytestmark = pytest.mark.integration

ITEM = "GA-CSDJ"


async def _admin() -> Actor:
    account = await make_staff(role="admin", username="admin-cat", display_name="周管理")
    return Actor("staff", account.id)


async def _audit_entries() -> list[dict[str, Any]]:
    return list(await AuditEvent.select().order_by(AuditEvent.id).run())


async def _edit(settings: Settings, actor: Actor, **changes: Any) -> catalogue.ItemEdit:
    day = changes.pop("effective_from", today())
    latest = (await catalogue.item_history(code=ITEM)).latest
    return await catalogue.edit_item(
        audit=AuditLog(settings.audit_key),
        doorbell=None,
        actor=actor,
        spec=dataclasses.replace(latest.spec, **changes),
        effective_from=day,
        note=changes.pop("note", "按新规调整"),
    )


async def test_a_change_is_a_new_version_audited_before_and_after(
    small_catalogue: Path, settings: Settings
) -> None:
    actor = await _admin()
    old = await catalogue.get_item(code=ITEM)
    revision = await catalogue.revision()
    materials = (*reversed(old.spec.materials), MaterialSpec("照片", "新生儿照片", required=False))

    edit = await _edit(
        settings,
        actor,
        name="出生登记（新规）",
        kind="licensing",
        committed_days=3,
        channels=("window", "online"),
        materials=materials,
    )

    assert edit.status == "versioned"
    assert edit.version.version == old.version + 1
    assert edit.version.effective_from == today()
    now = await catalogue.get_item(code=ITEM)
    assert (now.version_id, now.spec.name, now.spec.kind) == (
        edit.version.version_id,
        "出生登记（新规）",
        "licensing",
    )
    assert [m.type for m in now.spec.materials] == ["身份证", "户口簿", "出生医学证明", "照片"]
    kept = await catalogue.get_item_version(version_id=old.version_id)
    assert kept == old  # the version written before is as it was
    assert await ItemVersion.count().where(ItemVersion.item == ITEM).run() == 2
    assert await catalogue.revision() != revision

    (entry,) = await _audit_entries()
    assert (entry["action"], entry["subject_kind"], entry["subject_id"]) == (
        catalogue.ITEM_CHANGE,
        "catalogue_item",
        ITEM,
    )
    assert entry["actor_id"] == actor.id
    reason = json.loads(entry["reason"])
    assert reason["note"] == "按新规调整"
    assert reason["before"]["name"] == "出生登记"
    assert reason["before"]["version"] == old.version
    assert reason["after"]["name"] == "出生登记（新规）"
    assert reason["after"]["committed_days"] == 3
    assert reason["after"]["kind"] == "licensing"

    again = await _edit(settings, actor)  # the same as the latest version
    assert again.status == "unchanged"
    assert len(await _audit_entries()) == 1


async def test_a_case_filed_before_the_change_keeps_its_version(
    api, small_catalogue: Path, elicense, wechat, settings: Settings
) -> None:
    me = await citizen(api, "cat-edit")
    number = await submitted(me)
    filed = await row(number)
    before = await me.get(f"/api/v1/cases/{number}")
    assert before.status_code == 200, before.text
    assert before.json()["name"] == "出生登记"

    edit = await _edit(settings, await _admin(), name="出生登记（新规）")

    assert edit.version.version_id != filed.item_version
    after = await me.get(f"/api/v1/cases/{number}")
    assert after.status_code == 200, after.text
    assert after.json()["name"] == "出生登记"
    assert after.json()["item_code"] == ITEM
    assert (await row(number)).item_version == filed.item_version
    version = await catalogue.get_item_version(version_id=filed.item_version or 0)
    assert version.spec.name == "出生登记"


async def test_a_version_from_a_later_day_waits_for_it(
    small_catalogue: Path, settings: Settings
) -> None:
    old = await catalogue.get_item(code=ITEM)
    tomorrow = today() + timedelta(days=1)
    edit = await _edit(settings, await _admin(), name="出生登记（下周起）", effective_from=tomorrow)
    assert edit.status == "versioned"
    assert (await catalogue.get_item(code=ITEM)).version_id == old.version_id
    assert (await catalogue.get_item(code=ITEM, day=tomorrow)).spec.name == "出生登记（下周起）"
    history = await catalogue.item_history(code=ITEM)
    assert history.in_force_id == old.version_id
    assert history.latest.version_id == edit.version.version_id
    listed, total = await catalogue.admin_items(
        q=ITEM, department=None, kind=None, page=1, page_size=20
    )
    assert total == 1
    assert listed[0].current.id == old.version_id
    assert (listed[0].versions, listed[0].next_from) == (2, tomorrow)


async def test_bad_input_names_each_field_and_changes_nothing(
    small_catalogue: Path, settings: Settings
) -> None:
    actor = await _admin()
    revision = await catalogue.revision()
    versions = await ItemVersion.count().run()
    old = await catalogue.get_item(code=ITEM)
    bad_field = dataclasses.replace(old.spec.form[0], name="Baby Name", label="")
    with pytest.raises(InvalidInput) as refused:
        await _edit(
            settings,
            actor,
            name="",
            department_code="XX",
            kind="other",
            legal_days=-1,
            channels=(),
            delivery_methods=(),
            materials=(MaterialSpec("", "某材料"),),
            form=(bad_field, *old.spec.form[1:]),
            effective_from=today() - timedelta(days=1),
        )
    problems = refused.value.extra["problems"]
    assert refused.value.status == 422
    for words in (
        "事项名称",
        "承办部门“XX”不存在",
        "事项类型",
        "法定时限",
        "办理渠道",
        "送达方式",
        "生效日期须为今天或以后的日期",
        "材料第 1 行：材料类型不能为空",
        "表单字段第 1 行：字段名",
        "表单字段第 1 行：显示名称不能为空",
    ):
        assert any(words in p for p in problems), (words, problems)
    assert await ItemVersion.count().run() == versions
    assert await _audit_entries() == []
    assert await catalogue.revision() == revision
    assert await catalogue.get_item(code=ITEM) == old


async def test_items_are_filtered_and_paged(small_catalogue: Path, settings: Settings) -> None:
    found, total = await catalogue.admin_items(
        q=None, department="GA", kind=None, page=2, page_size=2
    )
    assert total == 5
    assert [f.current.spec.code for f in found] == ["GA-SFZ-HL", "GA-SFZ-SL"]
    found, total = await catalogue.admin_items(
        q="身份证", department=None, kind=None, page=1, page_size=20
    )
    assert total == 3
    found, total = await catalogue.admin_items(
        q="ga-cs", department=None, kind=None, page=1, page_size=20
    )
    assert [f.current.spec.code for f in found] == [ITEM]
    found, total = await catalogue.admin_items(
        q="%", department=None, kind=None, page=1, page_size=20
    )
    assert total == 0  # a wildcard is taken literally
    assert (
        await catalogue.admin_items(q=None, department=None, kind="licensing", page=1, page_size=20)
    )[1] == 0
    await _edit(settings, await _admin(), kind="licensing")
    found, total = await catalogue.admin_items(
        q=None, department=None, kind="licensing", page=1, page_size=20
    )
    assert [f.current.spec.code for f in found] == [ITEM]
    with pytest.raises(InvalidInput):
        await catalogue.admin_items(q=None, department=None, kind="x", page=1, page_size=20)


async def test_a_bundle_is_renamed_and_its_items_changed_audited(
    small_catalogue: Path, settings: Settings
) -> None:
    actor = await _admin()
    log = AuditLog(settings.audit_key)
    bundles, total = await catalogue.admin_bundles(q="出生", page=1, page_size=20)
    assert (total, bundles[0].code) == (1, "CSYJS")
    with pytest.raises(InvalidInput) as refused:
        await catalogue.edit_bundle(
            audit=log,
            doorbell=None,
            actor=actor,
            code="CSYJS",
            name="",
            item_codes=["GA-CSDJ", "NOPE"],
            note="",
        )
    assert any("一件事名称" in p for p in refused.value.extra["problems"])
    assert any("包含事项不存在：NOPE" in p for p in refused.value.extra["problems"])
    assert await _audit_entries() == []

    changed = await catalogue.edit_bundle(
        audit=log,
        doorbell=None,
        actor=actor,
        code="CSYJS",
        name="新生儿出生一件事",
        item_codes=["GA-CSDJ", "YB-CBDJ"],
        note="社保卡另办",
    )
    assert changed
    bundle = await catalogue.get_bundle(code="CSYJS")
    assert bundle.spec.name == "新生儿出生一件事"
    assert [v.spec.code for v in bundle.items] == ["GA-CSDJ", "YB-CBDJ"]
    (entry,) = await _audit_entries()
    reason = json.loads(entry["reason"])
    assert entry["action"] == catalogue.BUNDLE_CHANGE
    assert reason["before"]["item_codes"] == ["GA-CSDJ", "YB-CBDJ", "RS-SBK-SL"]
    assert reason["after"]["item_codes"] == ["GA-CSDJ", "YB-CBDJ"]


async def test_the_backfill_makes_permits_licensing(small_catalogue: Path) -> None:
    path = ROOT / "migrations" / "catalogue" / "catalogue_2026_12_07t08_00_01_000000.py"
    spec = importlib.util.spec_from_file_location("kind_backfill", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    await (
        ItemVersion.update({ItemVersion.name: "乡村建设规划许可证核发"})
        .where(ItemVersion.item == "GA-SWZX")
        .run()
    )
    await ItemVersion.raw(module.BACKFILL).run()
    kinds = {r["item"]: r["kind"] for r in await ItemVersion.select().run()}
    assert kinds.pop("GA-SWZX") == "licensing"
    assert set(kinds.values()) == {"public_service"}


def test_a_far_future_date_and_hidden_characters_are_refused() -> None:
    """A typo such as 2207 for 2027 would freeze the item; a right-to-left override in a name
    makes it read differently from what it holds."""
    from dataclasses import replace
    from datetime import date

    from backend.catalogue.model import ItemSpec, MaterialSpec, edit_problems

    spec = ItemSpec(
        code="MZ-X",
        name="最低生活保障申请",
        department_code="MZ",
        lowest_level="township",
        channels=("window",),
        delegable=True,
        district_wide=False,
        legal_days=20,
        committed_days=10,
        materials=(MaterialSpec(type="身份证", name="居民身份证"),),
    )
    today = date(2026, 12, 7)

    def problems(s: ItemSpec, day: date) -> list[str]:
        return edit_problems(
            s, effective_from=day, today=today, latest_from=None, departments={"MZ"}
        )

    assert problems(spec, date(2028, 12, 6)) == []
    assert any("生效日期不能晚于" in p for p in problems(spec, date(2207, 1, 1)))
    for bad in ("出生\u202e记登", "出生\x07登记", "出生\u200b登记"):
        assert any(
            p.startswith("事项名称含有不能使用的字符")
            for p in problems(replace(spec, name=bad), today)
        )
    fee = problems(replace(spec, fee="不收费\x1b[31m"), today)
    assert any(p.startswith("收费标准含有不能使用的字符") for p in fee)
