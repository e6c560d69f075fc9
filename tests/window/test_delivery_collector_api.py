"""送达 at the window records who collected: the name, and the ID number checked against the
applicant's by its lookup hash — the number itself is never stored. By mail: the waybill."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend import db
from tests.api.test_login import assert_problem
from tests.support import CitizenClient, citizen
from tests.window.support import INSURANCE, act, at_window, clerk, ok, queued, row

pytestmark = pytest.mark.api

ADDRESS = "杭州市萧山区益农镇利围村 3 组 12 号"


async def _ready(api, openid: str) -> tuple[CitizenClient, CitizenClient, str]:
    me = await citizen(api, openid, seq=11)
    desk = await clerk(api)
    number = await queued(me, INSURANCE)
    await ok(desk, number, "finish")  # 即办: result ready at once
    return me, desk, number


async def _events_text(number: str) -> str:
    rows = await db.fetch(
        'SELECT note, data::text AS data FROM case_event WHERE "case" = $1', (await row(number)).id
    )
    return " ".join(f"{r['note']} {r['data']}" for r in rows)


async def test_the_applicant_collects_and_only_the_fact_of_the_check_is_kept(
    api, small_catalogue: Path, elicense, wechat
):
    me, desk, number = await _ready(api, "wd-match")
    body = at_window(me)
    body["collector_id_number"] = str(me.id_number).lower()  # an x typed small still matches
    done = await ok(desk, number, "deliver", body)
    assert done["status"] == "delivered"
    assert done["result"]["collector_name"] == "王秀英"
    assert done["result"]["collector_id_checked"] is True
    last = done["timeline"][-1]
    assert last["action"] == "deliver" and last["actor"]["id"] == desk.id
    assert last["data"]["collector"] == {
        "name": "王秀英",
        "matched": "applicant",
        "id_checked": True,
        "checked_by": desk.id,
    }
    stored = await _events_text(number)
    assert str(me.id_number) not in stored and str(me.id_number)[6:14] not in stored


async def test_a_mismatch_is_refused_in_chinese_and_changes_nothing(
    api, small_catalogue: Path, elicense, wechat
):
    me, desk, number = await _ready(api, "wd-mismatch")
    other = await citizen(api, "wd-other", seq=12, name="李建国")
    before = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    for body, code in (
        (at_window(other, "李建国"), "collector_mismatch"),  # someone else's card
        (at_window(me, "王秀"), "collector_mismatch"),  # the right number, not their name
        ({"method": "window", "collector_name": "王秀英"}, "collector_required"),
        ({"method": "window", "collector_id_number": me.id_number}, "collector_required"),
        (
            {"method": "window", "collector_name": "王秀英", "collector_id_number": "1234"},
            "id_number_invalid",
        ),
    ):
        problem = assert_problem(await act(desk, number, "deliver", body), 422, code)
        assert str(me.id_number) not in problem["detail"]
    after = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert after["status"] == "result_ready"
    assert len(after["timeline"]) == len(before["timeline"])


async def test_mail_needs_the_waybill_and_shows_it(api, small_catalogue: Path, elicense, wechat):
    _, desk, number = await _ready(api, "wd-mail")
    assert_problem(
        await act(desk, number, "deliver", {"method": "mail", "tracking_no": "  "}),
        422,
        "tracking_no_required",
    )
    assert (await desk.get(f"/api/v1/window/cases/{number}")).json()["status"] == "result_ready"
    mail = {"method": "mail", "tracking_no": "SF1234567890", "delivery_address": ADDRESS}
    done = await ok(desk, number, "deliver", mail)
    assert done["result"]["tracking_no"] == "SF1234567890"
    assert done["result"]["collector_name"] is None
    assert done["timeline"][-1]["data"]["tracking_no"] == "SF1234567890"


async def test_mail_of_a_case_without_an_address_needs_one_typed(
    api, small_catalogue: Path, elicense, wechat
):
    """Filed for collection at the window, then mailed: the waybill alone would send the
    result nowhere — the address is required, kept as the case's and shown in the timeline."""
    _, desk, number = await _ready(api, "wd-address")
    before = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert before["delivery_address"] == ""
    waybill = {"method": "mail", "tracking_no": "SF99"}
    for body, code in (
        (waybill, "delivery_address_required"),
        ({**waybill, "delivery_address": "   "}, "delivery_address_required"),
        ({**waybill, "delivery_address": "利围村\u202e3组"}, "validation_failed"),
        ({**waybill, "delivery_address": "址" * 201}, "validation_failed"),
    ):
        problem = assert_problem(await act(desk, number, "deliver", body), 422, code)
        if code == "delivery_address_required":
            assert "收件地址" in problem["detail"]
    after = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert (after["status"], after["delivery_address"]) == ("result_ready", "")
    assert len(after["timeline"]) == len(before["timeline"])
    done = await ok(desk, number, "deliver", {**waybill, "delivery_address": f" {ADDRESS} "})
    assert (done["status"], done["delivery_method"]) == ("delivered", "mail")
    assert done["delivery_address"] == ADDRESS
    assert done["timeline"][-1]["data"]["address"] == ADDRESS


async def test_mail_of_a_case_filed_for_mail_goes_to_its_address(
    api, small_catalogue: Path, elicense, wechat
):
    _, desk, number = await _ready(api, "wd-mailed")
    filed = "杭州市萧山区城厢街道高桥社区 8 幢 2 单元 301 室"
    await db.execute(  # as if filed for mail (the test catalogue's 即办 item mails nothing)
        "UPDATE case_record SET delivery_method = 'mail', delivery_address = $2 WHERE number = $1",
        number,
        filed,
    )
    done = await ok(desk, number, "deliver", {"method": "mail", "tracking_no": "SF7"})
    assert done["delivery_address"] == filed
    assert done["timeline"][-1]["data"]["address"] == filed
