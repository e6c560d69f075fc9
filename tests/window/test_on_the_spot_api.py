"""即办办结: a 即办件 (committed days 0) accepted, approved and issued at the window in one step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend import db
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import BIRTH, INSURANCE, act, clerk, ok, queued, row

pytestmark = pytest.mark.api


def _steps(view: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [
        (e["action"], e["actor_role"] or "", bool(e["data"].get("on_the_spot")))
        for e in view["timeline"]
    ]


async def test_a_queued_same_day_item_is_finished_at_the_window(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wj-queued")
    number = await queued(me, INSURANCE)  # 城乡居民医保参保登记: 承诺时限 0
    desk = await clerk(api)
    done = await ok(desk, number, "finish", {"note": "参保登记已当场办理"})
    assert done["status"] == "result_ready"
    assert done["department_code"] is None or done["department_code"] == "YB"
    assert _steps(done)[-3:] == [
        ("accept", "window", True),
        ("approve", "window", True),
        ("issue_result", "window", True),
    ]
    assert not any(e["action"] == "transfer" for e in done["timeline"])
    assert done["result"]["note"] == "参保登记已当场办理"
    seen = (await me.get(f"/api/v1/cases/{number}")).json()["timeline"][-3:]
    assert [e["note"] for e in seen] == ["参保登记已当场办理", "审批通过", "已出件"]  # said once
    assert done["accepted_at"] and done["deadline"]
    assert "deliver" in done["allowed_actions"]
    told = await db.fetch(
        "SELECT payload->>'action' AS action FROM outbox_event WHERE kind = 'case.event'"
        " AND payload->'case'->>'number' = $1 ORDER BY id",
        number,
    )
    assert [r["action"] for r in told][-2:] == ["accept", "issue_result"]  # 受理, 已出件
    delivered = await ok(
        desk,
        number,
        "deliver",
        {"method": "window", "collector_name": "王秀英", "collector_id_number": me.id_number},
    )
    assert delivered["status"] == "delivered"


async def test_an_accepted_same_day_item_is_finished_without_accepting_again(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wj-accepted")
    number = await queued(me, INSURANCE)
    desk = await clerk(api)
    await ok(desk, number, "accept")
    done = await ok(desk, number, "finish")
    assert [a for a, _, _ in _steps(done)].count("accept") == 1
    assert _steps(done)[-2:] == [("approve", "window", True), ("issue_result", "window", True)]


async def test_an_item_with_committed_days_is_refused_and_nothing_changes(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wj-refused")
    number = await queued(me, {**BIRTH, "item_code": "GA-CSDJ"})  # 承诺时限 5
    desk = await clerk(api)
    before = await row(number)
    problem = assert_problem(await act(desk, number, "finish"), 409, "not_on_the_spot")
    assert "5 个工作日" in problem["detail"]
    after = await row(number)
    assert (
        (after.status, after.accepted_at)
        == (before.status, before.accepted_at)
        == (
            "queued",
            None,
        )
    )
    issued = await ok(desk, number, "accept")
    assert_problem(await act(desk, issued["number"], "finish"), 409, "not_on_the_spot")


async def test_a_bundle_child_that_is_same_day_is_finished_after_acceptance(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wj-bundle")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    yb_no = f"{number}-02"  # YB-CBDJ, the 即办 item of 出生一件事
    desk = await clerk(api)
    assert_problem(await act(desk, number, "finish"), 409, "transition_not_allowed")
    assert_problem(await act(desk, yb_no, "finish"), 409, "transition_not_allowed")
    await ok(desk, number, "accept")
    assert_problem(await act(desk, number, "finish"), 409, "transition_not_allowed")
    assert_problem(await act(desk, f"{number}-01", "finish"), 409, "not_on_the_spot")
    child = await ok(desk, yb_no, "finish")
    assert child["status"] == "result_ready"
    parent = await desk.get(f"/api/v1/window/cases/{number}")
    assert [c["status"] for c in parent.json()["children"]] == [
        "accepted",
        "result_ready",
        "accepted",
    ]
