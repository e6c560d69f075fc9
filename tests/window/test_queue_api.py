"""The township queue over HTTP: listing, concurrent claims, lapsed claims, release, scope."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backend.window import claims
from backend.window.tables import Claim
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import (
    INSURANCE,
    OTHER_TOWNSHIP,
    TOWNSHIP,
    act,
    clerk,
    ok,
    queued,
    submitted,
)

pytestmark = pytest.mark.api


async def test_twenty_concurrent_claims_share_ten_cases(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wq-claims")
    numbers = [await queued(me) for _ in range(10)]
    desk = await clerk(api)
    responses = await asyncio.gather(*(desk.post("/api/v1/window/queue/claim") for _ in range(20)))
    won = [r for r in responses if r.status_code == 200]
    empty = [r for r in responses if r.status_code == 204]
    assert len(won) == 10 and len(empty) == 10, [r.status_code for r in responses]
    got = [r.json()["number"] for r in won]
    assert sorted(got) == sorted(numbers)  # ten different cases, every one of them
    assert all(r.json()["claim"]["mine"] for r in won)
    assert all(r.content == b"" for r in empty)
    assert await Claim.count().run() == 10
    again = await desk.post("/api/v1/window/queue/claim")
    assert again.status_code == 204


async def test_queue_lists_the_township_most_urgent_first_with_masked_names(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wq-list", name="王秀英")
    first = await queued(me)
    second = await queued(me)
    await submitted(me)  # not forwarded yet: not in any queue
    desk = await clerk(api)
    elsewhere = await clerk(api, "window-glx", OTHER_TOWNSHIP)
    page = (await desk.get("/api/v1/window/queue")).json()
    assert page["total"] == 2
    assert [e["number"] for e in page["items"]] == [first, second]  # oldest first (no deadlines)
    entry = page["items"][0]
    assert entry["applicant_name"] == "王*英" and entry["name"] == "出生登记"
    assert entry["filed_by"] == {"kind": "self", "name": None}
    assert entry["channel"] == "miniprogram" and entry["claimed_by"] is None
    assert (await elsewhere.get("/api/v1/window/queue")).json() == {"items": [], "total": 0}
    claimed = await desk.post("/api/v1/window/queue/claim")
    assert claimed.json()["number"] == first
    listed = (await desk.get("/api/v1/window/queue")).json()["items"][0]
    assert listed["claimed_by"] == {"id": desk.id, "name": "window-a"}
    assert listed["claimed_until"]


async def test_a_lapsed_claim_returns_to_the_queue_and_release_gives_one_back(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wq-lapse")
    number = await queued(me)
    holder = await clerk(api)
    other = await clerk(api, "window-b")
    got = await claims.claim_next(staff_id=holder.id, township_code=TOWNSHIP, lapse_s=1)
    assert got == number
    assert (await other.post("/api/v1/window/queue/claim")).status_code == 204
    taken = await act(other, number, "accept")
    assert "window-a" in assert_problem(taken, 409, "case_claimed")["detail"]
    seen = (await other.get(f"/api/v1/window/cases/{number}")).json()["claim"]
    assert seen["mine"] is False and seen["staff"]["id"] == holder.id
    await asyncio.sleep(1.3)  # untouched for longer than the claim lives
    view = (await other.get(f"/api/v1/window/cases/{number}")).json()
    assert view["claim"] is None
    reclaimed = await other.post("/api/v1/window/queue/claim")
    assert reclaimed.status_code == 200 and reclaimed.json()["number"] == number
    assert_problem(
        await holder.post(f"/api/v1/window/cases/{number}/release"), 409, "case_not_claimed"
    )
    released = await ok(other, number, "release")
    assert released["claim"] is None and released["status"] == "queued"
    mine = await holder.post("/api/v1/window/queue/claim")
    assert mine.status_code == 200 and mine.json()["claim"]["staff"]["id"] == holder.id


async def test_acting_refreshes_and_leaving_the_queue_ends_a_claim(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wq-refresh")
    number = await queued(me)
    desk = await clerk(api)
    claimed = (await desk.post("/api/v1/window/queue/claim")).json()
    before = claimed["claim"]["expires_at"]
    await asyncio.sleep(1.1)
    looked = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert looked["claim"]["expires_at"] > before
    accepted = await ok(desk, number, "accept")
    assert accepted["status"] == "accepted" and accepted["claim"] is None
    assert await Claim.count().run() == 0


async def test_handoff_moves_a_district_wide_case_to_another_townships_queue(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wq-handoff")
    number = await queued(me, INSURANCE)
    local = await queued(me)  # 出生登记 is not district-wide
    desk = await clerk(api)
    elsewhere = await clerk(api, "window-glx", OTHER_TOWNSHIP)
    assert_problem(
        await act(desk, local, "handoff", {"township_code": OTHER_TOWNSHIP}),
        409,
        "not_district_wide",
    )
    assert_problem(
        await act(desk, number, "handoff", {"township_code": "330109999"}),
        422,
        "township_unknown",
    )
    assert_problem(
        await act(desk, number, "handoff", {"township_code": TOWNSHIP}), 422, "township_same"
    )
    moved = await ok(desk, number, "handoff", {"township_code": OTHER_TOWNSHIP})
    assert moved["township_code"] == OTHER_TOWNSHIP and moved["status"] == "queued"
    hop = moved["timeline"][-1]
    assert hop["action"] == "handoff" and hop["at"]
    assert hop["data"] == {"from": TOWNSHIP, "to": OTHER_TOWNSHIP}
    assert hop["actor"] == {"id": desk.id, "name": "window-a"} and hop["channel"] == "window"
    assert_problem(await desk.get(f"/api/v1/window/cases/{number}"), 404, "case_not_found")
    theirs = (await elsewhere.get("/api/v1/window/queue")).json()
    assert [e["number"] for e in theirs["items"]] == [number]
    back = await ok(elsewhere, number, "handoff", {"township_code": TOWNSHIP})
    assert [e["action"] for e in back["timeline"]][-2:] == ["handoff", "handoff"]
    citizen_view = (await me.get(f"/api/v1/cases/{number}")).json()
    assert citizen_view["township_code"] == TOWNSHIP


async def test_staff_of_another_township_see_nothing_before_the_body_is_read(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wq-scope")
    number = await queued(me)
    photo = await me.upload("照片")
    elsewhere = await clerk(api, "window-glx", OTHER_TOWNSHIP)
    routes = [
        ("get", f"/api/v1/window/cases/{number}"),
        ("post", f"/api/v1/window/cases/{number}/release"),
        ("post", f"/api/v1/window/cases/{number}/accept"),
        ("post", f"/api/v1/window/cases/{number}/reject"),
        ("post", f"/api/v1/window/cases/{number}/supplement"),
        ("post", f"/api/v1/window/cases/{number}/transfer"),
        ("post", f"/api/v1/window/cases/{number}/handoff"),
        ("post", f"/api/v1/window/cases/{number}/result"),
        ("post", f"/api/v1/window/cases/{number}/deliver"),
        ("post", f"/api/v1/window/cases/{number}/materials/{photo}/link"),
        ("get", "/api/v1/window/cases/XS20260101999999"),
    ]
    for method, path in routes:
        response = await (
            elsewhere.get(path) if method == "get" else elsewhere.post(path, json={"junk": 1})
        )
        assert_problem(response, 404, "case_not_found")
    assert_problem(await me.get("/api/v1/window/queue"), 403, "not_allowed")
    reviewer = await clerk(api, "window-c")
    assert (await reviewer.get(f"/api/v1/window/cases/{number}")).status_code == 200
    assert_problem(await reviewer.get("/api/v1/review/cases"), 403, "not_allowed")
