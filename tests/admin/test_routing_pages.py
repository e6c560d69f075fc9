"""The administrator's routing rules page (转办规则): listing filtered by township and item,
adding a township's or a district-wide rule, changing and deleting it, each audited with before
and after; bad input named field by field with nothing changed; other roles refused."""

from __future__ import annotations

import html

import pytest

from backend.window.tables import RoutingRule
from tests.admin.settings_support import audit_rows, portal, post_form

pytestmark = pytest.mark.api

PAGE = "/portal/admin/routing/"
YINONG = "330109110"
GUALI = "330109105"


async def _rules() -> list[dict[str, object]]:
    return await RoutingRule.select().order_by(RoutingRule.id).run()


async def test_an_administrator_adds_changes_filters_and_deletes_rules(
    api, small_catalogue
) -> None:
    admin = await portal(api, "rt-admin")
    empty = html.unescape((await admin.get(PAGE)).text)
    assert "没有符合条件的规则" in empty and "居民身份证申领（GA-SFZ-SL）" in empty

    own = {"township": YINONG, "item": "GA-CSDJ", "department": "RS", "send_method": "builtin"}
    saved = await post_form(admin, PAGE, PAGE, own)
    assert saved.status_code == 303, saved.text
    district = {**own, "township": "", "department": "YB"}
    assert (await post_form(admin, PAGE, PAGE, district)).status_code == 303
    other = {**own, "township": GUALI, "item": "YB-CBDJ"}
    assert (await post_form(admin, PAGE, PAGE, other)).status_code == 303
    first, second, third = await _rules()
    assert first["township"] == YINONG and second["township"] is None

    listed = html.unescape((await admin.get(PAGE, params={"township": YINONG})).text)
    assert f'data-id="{first["id"]}"' in listed and f'data-id="{third["id"]}"' not in listed
    assert "区人力社保局（RS）" in listed and "益农镇" in listed
    wide = html.unescape((await admin.get(PAGE, params={"township": "district"})).text)
    assert f'data-id="{second["id"]}"' in wide and f'data-id="{first["id"]}"' not in wide
    by_item = html.unescape((await admin.get(PAGE, params={"item": "YB-CBDJ"})).text)
    assert f'data-id="{third["id"]}"' in by_item and f'data-id="{first["id"]}"' not in by_item

    editing = html.unescape((await admin.get(PAGE, params={"edit": str(first["id"])})).text)
    assert "修改规则" in editing and 'name="township" value="330109110"' in editing
    changed = await post_form(admin, PAGE, PAGE, {**own, "department": "GA"})
    assert changed.status_code == 303
    assert (await RoutingRule.select().where(RoutingRule.id == first["id"]).first().run())[
        "department"
    ] == "GA"

    deleted = await post_form(admin, PAGE, f"{PAGE}{third['id']}/delete", {})
    assert deleted.status_code == 303 and len(await _rules()) == 2

    sets = await audit_rows("routing_set_rule")
    assert len(sets) == 4
    assert sets[0]["reason"]["before"] is None
    assert sets[0]["reason"]["after"] == {
        "township": YINONG,
        "item": "GA-CSDJ",
        "department": "RS",
        "send_method": "builtin",
    }
    assert sets[3]["reason"]["before"]["department"] == "RS"
    assert sets[3]["reason"]["after"]["department"] == "GA"
    (gone,) = await audit_rows("routing_delete_rule")
    assert gone["subject_id"] == str(third["id"]) and gone["reason"]["after"] is None
    assert gone["reason"]["before"]["item"] == "YB-CBDJ"


async def test_bad_input_names_each_field_and_changes_nothing(api, small_catalogue) -> None:
    admin = await portal(api, "rt-admin-bad")
    bad = {"township": "330109999", "item": "", "department": "XX", "send_method": "external"}
    refused = await post_form(admin, PAGE, PAGE, bad)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    for message in ("找不到该镇街", "请选择事项", "请选择审批部门", "请选择转办方式"):
        assert message in text, message
    assert "没有保存任何改动" in text
    assert await _rules() == [] and await audit_rows("routing_set_rule") == []
    missing = await post_form(admin, PAGE, f"{PAGE}999/delete", {})
    assert missing.status_code == 404 and "没有这条分类审批规则" in html.unescape(missing.text)
    assert (await admin.get(PAGE, params={"edit": "999"})).status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "window", "approver"])
async def test_other_roles_are_refused(api, small_catalogue, role: str) -> None:
    other = await portal(api, f"rt-{role}", role=role)
    assert (await other.get(PAGE)).status_code == 403
    token_page = await other.get("/portal/password")
    token = token_page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    body = {"item": "GA-CSDJ", "department": "RS", "send_method": "builtin", "_csrf_token": token}
    assert (await other.post(PAGE, data=body)).status_code == 403
    assert (await other.post(f"{PAGE}1/delete", data={"_csrf_token": token})).status_code == 403
    assert await _rules() == []
