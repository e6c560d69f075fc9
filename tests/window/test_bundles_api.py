"""一件事 at the window: worked as one until acceptance, its items apart after, closed at last."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_login import assert_problem
from tests.support import CitizenClient, citizen
from tests.window.support import BIRTH, act, approver, at_window, clerk, ok, queued

pytestmark = pytest.mark.api


async def _bundle(me: CitizenClient) -> tuple[str, list[str]]:
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    return number, [f"{number}-0{i}" for i in (1, 2, 3)]


async def test_children_close_one_by_one_and_then_the_bundle_closes(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wb-close")
    number, (ga_no, yb_no, rs_no) = await _bundle(me)
    desk = await clerk(api)
    ga, yb, rs = [await approver(api, d) for d in ("GA", "YB", "RS")]

    queue = (await desk.get("/api/v1/window/queue")).json()
    assert [e["number"] for e in queue["items"]] == [number]  # the bundle, once
    assert queue["items"][0]["name"] == "出生一件事"
    assert_problem(await act(desk, ga_no, "accept"), 409, "transition_not_allowed")
    assert_problem(await act(desk, ga_no, "transfer"), 409, "transition_not_allowed")

    accepted = await ok(desk, number, "accept")
    assert accepted["status"] == "accepted"
    assert [c["status"] for c in accepted["children"]] == ["accepted"] * 3
    assert accepted["deadline"] == max(c["deadline"] for c in accepted["children"])
    assert_problem(
        await act(desk, number, "supplement", {"missing": ["照片"], "note": ""}),
        409,
        "transition_not_allowed",
    )
    assert_problem(
        await act(desk, number, "transfer", {"department_code": "GA"}),
        422,
        "department_for_bundle",
    )
    transferred = await ok(desk, number, "transfer")
    assert [(c["status"], c["department_code"]) for c in transferred["children"]] == [
        ("in_review", "GA"),
        ("in_review", "YB"),
        ("in_review", "RS"),
    ]
    assert transferred["status"] == "accepted"

    await ok(yb, yb_no, "deny", {"reason": "已在外地参保"}, prefix="review")
    await ok(ga, ga_no, "approve", prefix="review")
    await ok(desk, ga_no, "result")
    await ok(desk, ga_no, "deliver", at_window(me))
    assert (await desk.get(f"/api/v1/window/cases/{number}")).json()["status"] == "accepted"
    await ok(rs, rs_no, "approve", prefix="review")
    await ok(desk, rs_no, "result", {"note": "社保卡已制卡"})
    last = await ok(
        desk,
        rs_no,
        "deliver",
        {
            "method": "mail",
            "tracking_no": "EMS0001",
            "delivery_address": "杭州市萧山区益农镇利围村 3 组 12 号",
        },
    )
    assert last["status"] == "delivered" and last["parent_number"] == number

    parent = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert parent["status"] == "delivered" and parent["closed_at"]
    closing = parent["timeline"][-3:]
    assert [(e["action"], e["actor_role"]) for e in closing] == [
        ("approve", "system"),
        ("issue_result", "system"),
        ("deliver", "system"),
    ]
    assert closing[-1]["data"]["children"] == {"delivered": 2, "denied": 1}
    seen = (await me.get(f"/api/v1/cases/{number}")).json()
    assert seen["public_status"] == "closed"
    assert [c["status"] for c in seen["children"]] == ["delivered", "denied", "delivered"]


async def test_a_bundle_whose_children_are_all_rejected_is_rejected(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wb-reject")
    number, children = await _bundle(me)
    desk = await clerk(api)
    for child in children[:2]:
        assert (await ok(desk, child, "reject", {"reason": "材料不符"}))["status"] == "rejected"
    assert (await desk.get(f"/api/v1/window/cases/{number}")).json()["status"] == "queued"
    await ok(desk, children[2], "reject", {"reason": "材料不符"})
    parent = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert parent["status"] == "rejected"
    assert parent["timeline"][-1]["actor_role"] == "system"
    assert (await desk.get("/api/v1/window/queue")).json()["total"] == 0


async def test_a_bundle_answers_its_supplement_and_is_accepted_with_its_open_children(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wb-supplement")
    number, (_, yb_no, _) = await _bundle(me)
    desk = await clerk(api)
    await ok(desk, yb_no, "reject", {"reason": "已参保"})
    asked = await ok(desk, number, "supplement", {"missing": ["户口簿"], "note": ""})
    assert asked["status"] == "awaiting_supplement"
    book = await me.upload("户口簿")
    answered = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": book}]},
    )
    assert answered.json()["status"] == "queued"
    accepted = await ok(desk, number, "accept")
    assert [c["status"] for c in accepted["children"]] == ["accepted", "rejected", "accepted"]
