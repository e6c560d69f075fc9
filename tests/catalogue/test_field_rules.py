"""A form field's own rules (最大长度, 格式, 格式说明): checked when the catalogue is changed (no
unsafe pattern gets in), stored with the version (older versions load without them) and
enforced when a case is submitted by a citizen or at the window."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from backend import db
from backend.audit.service import Actor, AuditLog
from backend.cases.forms import check_form
from backend.catalogue import service as catalogue
from backend.catalogue.model import FormField, ItemSpec, item_problems, pattern_problem
from backend.clock import today
from backend.errors import InvalidInput
from backend.settings import Settings
from tests.api.test_login import assert_problem
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import clerk
from tests.window.test_walk_in_api import WALK_IN

ITEM = "GA-CSDJ"
HINT = "请输入 2–4 个汉字"
NAME_RULE = {"max_length": 4, "pattern": "[\u4e00-\u9fa5]{2,4}", "pattern_hint": HINT}


def _field(**rules: object) -> FormField:
    return FormField("mobile", "手机号", "text", "none", True, (), **rules)  # type: ignore[arg-type]


def _spec(*fields: FormField) -> ItemSpec:
    return ItemSpec(
        "X-1", "测试事项", "GA", "township", ("window",), True, False, 5, 3, form=fields
    )


@pytest.mark.parametrize("pattern", ["(a+)+", "(a*)*b", "([a-z]+)*", "(a|ab)*", r"(\w)\1"])
def test_unsafe_patterns_are_refused(pattern: str) -> None:
    assert pattern_problem(pattern) is not None
    problems = item_problems(_spec(_field(pattern=pattern, pattern_hint="格式")))
    assert any("格式（正则）" in p and "手机号" in p for p in problems), problems


@pytest.mark.parametrize("pattern", [r"1[3-9]\d{9}", r"\d{17}[\dX]", "(男|女)", r"(?:\d{3})?-\d+"])
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert pattern_problem(pattern) is None
    assert item_problems(_spec(_field(pattern=pattern, pattern_hint="请按格式填写"))) == []


def test_rules_themselves_are_checked() -> None:
    def problems(**rules: object) -> list[str]:
        return item_problems(_spec(_field(**rules)))

    assert any("最大长度须在 1–2000" in p for p in problems(max_length=0))
    assert any("最大长度须在 1–2000" in p for p in problems(max_length=2001))
    assert problems(max_length=2000) == []
    assert any("不是有效的正则" in p for p in problems(pattern="[1-", pattern_hint="x"))
    assert any("不能超过 200" in p for p in problems(pattern="a" * 201, pattern_hint="x"))
    assert any("须填写格式说明" in p for p in problems(pattern=r"\d+"))
    assert any("没有填写格式" in p for p in problems(pattern_hint="请输入数字"))


def test_a_submitted_value_breaking_a_rule_names_the_field_with_the_hint() -> None:
    phone = _field(pattern=r"1[3-9]\d{9}", pattern_hint="请输入 11 位手机号", max_length=11)
    note = FormField("note", "备注", "text", "none", False, (), max_length=5)
    clean, problems = check_form([phone, note], {"mobile": "12345", "note": "一二三四五六"})
    assert clean == {}
    assert problems == [
        {"field": "mobile", "message": "“手机号”格式不对：请输入 11 位手机号"},
        {"field": "note", "message": "“备注”不能超过 5 个字"},
    ]
    clean, problems = check_form([phone, note], {"mobile": " 13800001111 ", "note": "五个字以内"})
    assert problems == [] and clean == {"mobile": "13800001111", "note": "五个字以内"}


def test_a_long_value_is_not_matched_at_all() -> None:
    # Even a slow pattern only ever sees a value within the length bound.
    slow = FormField("f", "字段", "text", "none", True, (), 20, "(a|aa)*b", "x")
    started = time.monotonic()
    _, problems = check_form([slow], {"f": "a" * 400})
    assert problems and "不能超过 20 个字" in problems[0]["message"]
    assert time.monotonic() - started < 1


async def _with_rules(settings: Settings, **rule: object) -> None:
    account = await make_staff(role="admin", username=f"admin-rules-{time.monotonic_ns()}")
    latest = (await catalogue.item_history(code=ITEM)).latest
    form = tuple(
        dataclasses.replace(f, **rule) if f.name == "baby_name" else f for f in latest.spec.form
    )
    await catalogue.edit_item(
        audit=AuditLog(settings.audit_key),
        doorbell=None,
        actor=Actor("staff", account.id),
        spec=dataclasses.replace(latest.spec, form=form),
        effective_from=today(),
        note="姓名格式",
    )


@pytest.mark.integration
async def test_rules_are_stored_with_the_version_and_old_versions_load(
    small_catalogue: Path, settings: Settings
) -> None:
    old = await catalogue.get_item(code=ITEM)
    # A version written before fields had rules: its form JSON has none of their keys.
    await db.execute(
        "UPDATE item_version SET form = (SELECT jsonb_agg(f - 'max_length' - 'pattern'"
        " - 'pattern_hint' ORDER BY n) FROM jsonb_array_elements(form) WITH ORDINALITY AS t(f, n))"
        " WHERE id = $1",
        old.version_id,
    )
    catalogue.forget()
    stored = await db.fetchval("SELECT form FROM item_version WHERE id = $1", old.version_id)
    written = stored if isinstance(stored, list) else json.loads(stored)
    assert written and all("pattern" not in f for f in written)
    assert await catalogue.get_item(code=ITEM) == old  # loads as before, with no rules
    assert all(f.max_length is None and f.pattern is None for f in old.spec.form)

    await _with_rules(settings, **NAME_RULE)
    now = await catalogue.get_item(code=ITEM)
    baby = next(f for f in now.spec.form if f.name == "baby_name")
    assert (baby.max_length, baby.pattern, baby.pattern_hint) == (4, NAME_RULE["pattern"], HINT)
    assert await catalogue.get_item_version(version_id=old.version_id) == old

    with pytest.raises(InvalidInput) as refused:
        await _with_rules(settings, pattern="(a+)+", pattern_hint="x")
    assert any("新生儿姓名" in p for p in refused.value.extra["problems"])


@pytest.mark.api
async def test_citizen_and_window_submissions_are_checked_against_the_rules(
    api, small_catalogue: Path, elicense, wechat, settings: Settings
) -> None:
    await _with_rules(settings, **NAME_RULE)
    detail = (await api.get(f"/api/v1/items/{ITEM}")).json()
    baby = next(f for f in detail["form"] if f["name"] == "baby_name")
    assert (baby["max_length"], baby["pattern"], baby["pattern_hint"]) == (
        4,
        NAME_RULE["pattern"],
        HINT,
    )
    other = next(f for f in detail["form"] if f["name"] == "birth_date")
    assert (other["max_length"], other["pattern"], other["pattern_hint"]) == (None, None, None)

    bad_form = {**WALK_IN["form"], "baby_name": "Tom"}  # type: ignore[dict-item]
    me = await citizen(api, "c-rules")
    body = {k: v for k, v in WALK_IN.items() if k != "applicant"}
    refused = assert_problem(
        await me.post("/api/v1/cases", json={**body, "form": bad_form}), 422, "form_invalid"
    )
    assert refused["errors"] == [{"field": "baby_name", "message": f"“新生儿姓名”格式不对：{HINT}"}]

    desk = await clerk(api)
    too_long = {**WALK_IN, "form": {**bad_form, "baby_name": "王小宝宝宝"}}
    refused = assert_problem(
        await desk.post("/api/v1/window/cases", json=too_long), 422, "form_invalid"
    )
    assert refused["errors"] == [{"field": "baby_name", "message": "“新生儿姓名”不能超过 4 个字"}]

    fine = await me.post("/api/v1/cases", json=body)
    assert fine.status_code == 201, fine.text
