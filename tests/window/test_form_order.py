"""A case's form is shown in the item's order, not in PostgreSQL's JSONB key order (shorter keys
first), which put 性别 before 姓名 and 监护人身份证号 before 与户主关系."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.cases.formreveal import in_field_order
from backend.catalogue.model import FormField, merge_fields
from tests.admin.settings_support import portal
from tests.factories import make_id_number
from tests.support import citizen
from tests.window.support import BIRTH, clerk, queued

ITEM_ORDER = [
    "baby_name",
    "birth_date",
    "relationship",
    "guardian_phone",
    "guardian_id",
    "bank_account",
]
LABELS = ["新生儿姓名", "出生日期", "与户主关系", "监护人手机号", "监护人身份证号"]


def _field(name: str) -> FormField:
    return FormField(name=name, label=name, datatype="text", sensitivity="none")


@pytest.mark.unit
def test_answers_follow_the_fields_and_unknown_ones_come_last():
    fields = merge_fields([[_field("name"), _field("sex")], [_field("sex"), _field("age")]])
    stored = {"age": 3, "sex": "女", "note": "x", "name": "王小宝"}  # JSONB's order
    assert list(in_field_order(stored, fields)) == ["name", "sex", "age", "note"]


async def _filed(api) -> str:
    me = await citizen(api, "wfo-case")
    form = {
        **BIRTH["form"],
        "guardian_id": make_id_number(seq=7),
        "bank_account": "6222020200112233445",
    }
    return await queued(me, {**BIRTH, "form": form, "item_code": "GA-CSDJ"})


@pytest.mark.api
async def test_the_staff_view_lists_the_form_in_the_items_order(
    api, small_catalogue: Path, elicense, wechat
):
    number = await _filed(api)
    desk = await clerk(api)
    view = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert list(view["form"]) == ITEM_ORDER
    assert view["masked_fields"] == ["guardian_phone", "guardian_id", "bank_account"]


@pytest.mark.api
async def test_the_case_page_shows_the_form_in_the_items_order(
    api, small_catalogue: Path, elicense, wechat
):
    number = await _filed(api)
    browser = await portal(api, "wfo-clerk", role="window")
    page = await browser.get(f"/portal/window/cases/{number}")
    assert page.status_code == 200, page.text
    shown = [label for label in re.findall(r"[\u4e00-\u9fff]+", page.text) if label in LABELS]
    assert shown[: len(LABELS)] == LABELS
