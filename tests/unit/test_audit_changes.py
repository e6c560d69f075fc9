"""The audit log shows an administrator's change as its note and the changed fields in Chinese."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date

import pytest

from agent_portal.supervision.audit_changes import Change, reason, staff_ids, visible
from backend.catalogue import service as catalogue
from backend.catalogue.model import BundleSpec, ItemSpec, MaterialSpec
from backend.geo import service as geo
from backend.geo.store.admin_points import PointRecord
from backend.identity import staff_admin
from backend.imports import service as imports
from backend.imports.apply import ImportReport, Tally

pytestmark = pytest.mark.unit

ADMIN = "2483d2b8-0000-4000-8000-000000000001"


def _json(note: str, before: object, after: object) -> str:
    return json.dumps({"note": note, "before": before, "after": after}, ensure_ascii=False)


def _shown(found: list[Change]) -> list[str]:
    return [f"{c.label}：{c.old} → {c.new}" for c in found]


def test_a_staff_state_change_shows_only_what_changed_in_chinese() -> None:
    before = {"active": True, "must_change_password": False, "token_version": 1}
    after = {"active": False, "must_change_password": False, "token_version": 2}
    shown = reason("staff", staff_admin._reason("离职", before, after))
    assert shown.text == "离职"
    assert _shown(shown.changes) == ["状态：启用 → 停用"]
    assert shown.raw is not None and '"token_version"' in shown.raw


def test_a_password_reset_and_an_unlock() -> None:
    reset = reason(
        "staff",
        staff_admin._reason(
            "忘记密码",
            {"active": True, "must_change_password": False, "token_version": 1},
            {"active": True, "must_change_password": True, "token_version": 2},
        ),
    )
    assert _shown(reset.changes) == ["须修改密码：否 → 是"]
    unlock = reason(
        "staff",
        staff_admin._reason(
            "输错密码",
            {"active": True, "locked": True, "must_change_password": False, "token_version": 1},
            {"active": True, "locked": False, "must_change_password": False, "token_version": 1},
        ),
    )
    assert _shown(unlock.changes) == ["登录锁定：是 → 否"]


def test_a_new_account_lists_its_values() -> None:
    after = {
        "username": "wang",
        "role": "window",
        "area_code": "330106001",
        "department_code": None,
        "active": True,
        "must_change_password": True,
        "token_version": 0,
    }
    shown = reason("staff", staff_admin._reason("新建账号", {}, after))
    assert [(c.label, c.old, c.new) for c in shown.changes] == [
        ("用户名", None, "wang"),
        ("角色", None, "窗口人员"),
        ("所属区划", None, "330106001"),
        ("部门", None, "（空）"),
        ("状态", None, "启用"),
        ("须修改密码", None, "是"),
    ]


def test_a_reassignment_names_the_roles() -> None:
    before = {"role": "window", "area_code": "330106001", "department_code": None}
    after = {"role": "approver", "area_code": "330106", "department_code": "GA"}
    shown = reason("staff", staff_admin._reason("调岗", before, after))
    assert _shown(shown.changes) == [
        "角色：窗口人员 → 后台审批",
        "所属区划：330106001 → 330106",
        "部门：（空） → GA",
    ]


def _item(**changes: object) -> ItemSpec:
    spec = ItemSpec(
        code="GA-001",
        name="居住证办理",
        department_code="GA",
        lowest_level="township",
        channels=("window", "agent"),
        delegable=True,
        district_wide=False,
        legal_days=20,
        committed_days=0,
        materials=(MaterialSpec("身份证", "居民身份证"),),
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


def _version(spec: ItemSpec, version: int) -> dict[str, object]:
    return {"version": version, "effective_from": date(2026, 1, version), **asdict(spec)}


def test_an_item_version_shows_only_the_changed_fields() -> None:
    before, after = (
        _item(),
        _item(committed_days=5, channels=("window", "online"), kind="licensing"),
    )
    text = catalogue._audit_reason("缩短时限", _version(before, 1), _version(after, 2))
    shown = reason("catalogue_item", text)
    assert shown.text == "缩短时限"
    assert _shown(shown.changes) == [
        "版本：1 → 2",
        "生效日期：2026-01-01 → 2026-01-02",
        "办理渠道：窗口、代办员代办 → 窗口、网上办",
        "承诺时限（工作日）：0 → 5",
        "事项类型：公共服务 → 行政许可",
    ]


def test_a_bundle_change() -> None:
    before = BundleSpec("B1", "新生儿出生一件事", ("GA-001",), ("出生",))
    after = BundleSpec("B1", "出生一件事", ("GA-001", "WJ-002"), ("出生",))
    shown = reason("catalogue_bundle", catalogue._audit_reason("", asdict(before), asdict(after)))
    assert _shown(shown.changes) == [
        "一件事名称：新生儿出生一件事 → 出生一件事",
        "包含事项：GA-001 → GA-001、WJ-002",
    ]


def _point(**changes: object) -> PointRecord:
    point = PointRecord(
        code="TH-330106001-abc123",
        name="翠苑街道便民服务中心",
        kind="township_hall",
        area_code="330106001",
        township_code="330106001",
        lat=30.28,
        lng=120.12,
        address="文一西路 1 号",
        phone="0571-88888888",
        hours={"1": [["08:30", "12:00"]], "2": [["08:30", "12:00"]]},
        active=True,
        item_codes=("GA-001",),
    )
    return replace(point, **changes)  # type: ignore[arg-type]


def test_a_new_service_point_and_a_change_of_its_hours() -> None:
    made = reason("service_point", geo._reason("新增办事点", None, _point()))
    labels = {c.label: c.new for c in made.changes}
    assert labels["办事点类型"] == "镇街便民服务中心"
    assert labels["开放时间"] == "周一 08:30-12:00；周二 08:30-12:00"
    assert labels["可办事项"] == "GA-001"
    assert all(c.old is None for c in made.changes)
    later = _point(hours={"1": [["09:00", "17:00"]], "holiday": [["09:00", "12:00"]]}, active=False)
    changed = reason("service_point", geo._reason("修改办事点", _point(), later))
    assert _shown(changed.changes) == [
        "状态：启用 → 停用",
        "开放时间：周一 08:30-12:00；周二 08:30-12:00 → 周一 09:00-17:00；节假日 09:00-12:00",
    ]


def test_calendar_days_and_a_confirmed_year_name_the_administrator() -> None:
    day = {"kind": "holiday", "note": "元旦", "source": "admin"}
    set_day = reason("calendar", _json("设定休息日或工作日", None, day))
    assert [(c.label, c.new) for c in set_day.changes][:2] == [
        ("日子类型", "休息日"),
        ("备注", "元旦"),
    ]
    removed = reason("calendar", _json("删除管理员设定的日子", day, None))
    assert Change("日子类型", "休息日", None) in removed.changes
    year = _json("确认年度节假日安排", None, {"confirmed_by": ADMIN, "note": "已核对国务院通知"})
    assert staff_ids([("calendar", "2026", year)]) == [ADMIN]
    confirmed = reason("calendar", year, {ADMIN: "admin（李管理）"})
    assert Change("确认人", None, "admin（李管理）") in confirmed.changes


def test_routing_rules_and_platforms() -> None:
    rule = {"township": "", "item": "GA-001", "department": "GA", "send_method": "builtin"}
    shown = reason("routing_rule", _json("设置分类审批规则", None, rule))
    assert _shown(shown.changes) == [
        "镇街：None → 全区",
        "事项：None → GA-001",
        "审批部门：None → GA",
        "发送方式：None → 本系统后台审批队列",
    ]
    deleted = reason("routing_rule", _json("删除分类审批规则", rule, None))
    assert all(c.new is None for c in deleted.changes)
    before = {"base_url": "https://a.example/api", "app_id": "yinong", "active": False}
    after = {**before, "active": True}
    platform = reason("township_platform", _json("设置镇街的外部一窗受理平台", before, after))
    assert _shown(platform.changes) == ["外部平台：停用 → 启用"]
    retry = reason(
        "case",
        _json("重新推送办件到外部平台", {"status": "failed", "attempts": 8}, {"status": "pending"}),
    )
    assert _shown(retry.changes) == ["推送状态：推送失败 → 待重新推送", "已尝试次数：8 → None"]


def test_a_catalogue_import_shows_what_each_sheet_changed() -> None:
    report = ImportReport()
    report.tallies["items"] = Tally(created=3, updated=1, unchanged=40)
    report.tallies["handles"] = Tally(unchanged=5)
    sizes = {"departments": 5, "items": 41, "bundles": 2, "service_points": 9}
    text = imports._audit_reason(
        "目录.xlsx", date(2026, 1, 1), report, sizes, {**sizes, "items": 44}
    )
    shown = reason("catalogue_file", text)
    assert shown.text == "导入事项目录文件 目录.xlsx"
    assert _shown(shown.changes) == [
        "生效日期：None → 2026-01-01",
        "事项表：None → 新增 3，更新 1",
        "事项数：41 → 44",
    ]


def test_a_plain_reason_stays_as_it_is_and_long_values_are_cut() -> None:
    assert reason("citizen", "窗口受理核对身份").text == "窗口受理核对身份"
    assert reason("citizen", '{"not": "a change"}').changes == []
    long = {"fee": "按" * 200}
    shown = reason("catalogue_item", _json("改收费", {"fee": "不收费"}, long))
    assert shown.changes[0].new is not None and shown.changes[0].new.endswith("…")
    assert len(shown.changes[0].new) == 60


def test_bidi_overrides_and_control_characters_are_made_visible() -> None:
    hostile = "核对\u202e身份\u2066证\x00号\n"
    assert visible(hostile) == "核对⟪U+202E⟫身份⟪U+2066⟫证⟪U+0000⟫号 "
    shown = reason("staff", _json("理由\u202e反", {"active": True}, {"active": False}))
    assert shown.text == "理由⟪U+202E⟫反"
    assert shown.raw is not None and "\u202e" not in shown.raw
    assert "\u202e" not in reason("citizen", "读\u202e取").text
