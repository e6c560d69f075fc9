"""Status callbacks from the platform: signed, applied through the state machine, in order."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from backend import db
from backend.cases.tables import Case, CaseEvent, Supplement
from backend.platform import pushes
from backend.platform.tables import PlatformCallback
from backend.settings import Settings
from tests.api.test_login import assert_problem
from tests.platform.conftest import (
    TOWNSHIP,
    eventually,
    forwarded,
    new_citizen,
    queued_case,
    send,
    status_of,
    submit,
    submit_as,
)
from tests.workers.conftest import running_worker

pytestmark = [pytest.mark.api, pytest.mark.workers]

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def _events(number: str) -> list[str]:
    case = await Case.select(Case.id).where(Case.number == number).first().run()
    rows = (
        await CaseEvent.select(CaseEvent.action)
        .where(CaseEvent.case == case["id"])
        .order_by(CaseEvent.id)
        .run()
    )
    return [r["action"] for r in rows]


async def test_a_signed_accepted_callback_accepts_the_case_and_starts_the_clock(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    number, me = await queued_case(api, fast, "pf-cb-accept")
    before = (await me.get(f"/api/v1/cases/{number}")).json()
    assert before["status"] == "queued" and before["deadline"] is None

    answer = await send(api, platform, number, "accepted", note="材料齐全，予以受理")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "event_id": answer.json()["event_id"],
        "case_number": number,
        "applied": True,
        "replayed": False,
        "status": "accepted",
        "reason": None,
        "detail": None,
    }
    after = (await me.get(f"/api/v1/cases/{number}")).json()
    assert after["status"] == "accepted" and after["deadline"] is not None
    assert isinstance(after["working_days_left"], int)
    last = after["timeline"][-1]
    assert last["actor_role"] == "platform" and last["note"] == "材料齐全，予以受理"
    event = await CaseEvent.select().where(CaseEvent.action == "accept").first().run()
    assert event["channel"] == "platform" and event["actor_kind"] == "system"
    assert await PlatformCallback.count().where(PlatformCallback.applied == True).run() == 1  # noqa: E712


async def test_the_platform_walks_the_case_to_delivery(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    number, me = await queued_case(api, fast, "pf-cb-walk")

    async def step(minute: int, status: str, expected: str, **options: object) -> None:
        answer = await send(api, platform, number, status, occurred_at=at(minute), **options)
        assert answer.status_code == 200, answer.text
        assert answer.json()["applied"], answer.json()
        assert answer.json()["status"] == expected

    await step(1, "accepted", "accepted")
    await step(2, "supplement", "awaiting_supplement", missing=["户口簿"], note="户口簿页面不清晰")
    supplement = await Supplement.select().first().run()
    assert supplement["missing"] == ["户口簿"] and supplement["note"] == "户口簿页面不清晰"
    assert_problem(
        await send(api, platform, number, "supplement", occurred_at=at(3)),
        422,
        "supplement_empty",
    )
    upload = await me.upload("户口簿")
    supplied = await me.post(
        f"/api/v1/cases/{number}/supplements",
        json={"materials": [{"type": "户口簿", "upload_id": upload}], "note": "已重新拍摄"},
    )
    assert supplied.status_code == 200 and supplied.json()["status"] == "accepted"
    await step(4, "in_review", "in_review")
    await step(5, "approved", "approved")
    await step(6, "result_ready", "result_ready")
    await step(7, "delivered", "delivered")
    assert await _events(number) == [
        "submit",
        "forward",
        "accept",
        "request_supplement",
        "supply",
        "transfer",
        "approve",
        "issue_result",
        "deliver",
    ]
    case = (await me.get(f"/api/v1/cases/{number}")).json()
    assert case["public_status"] == "closed"


async def test_rejected_and_denied_close_the_case(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    first, _ = await queued_case(api, fast, "pf-cb-reject")
    answer = await send(api, platform, first, "rejected", note="不属于本镇受理范围")
    assert answer.json()["applied"] and answer.json()["status"] == "rejected"
    second, _ = await queued_case(api, fast, "pf-cb-deny")
    await send(api, platform, second, "accepted", occurred_at=at(1))
    answer = await send(api, platform, second, "denied", occurred_at=at(2), note="不符合条件")
    assert answer.json()["applied"] and answer.json()["status"] == "denied"


async def test_a_replayed_callback_changes_nothing(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    number, _ = await queued_case(api, fast, "pf-cb-replay")
    first = await send(api, platform, number, "accepted", event_id="evt-1", occurred_at=at(1))
    assert first.json()["applied"] and not first.json()["replayed"]
    events = await _events(number)
    again = await send(api, platform, number, "accepted", event_id="evt-1", occurred_at=at(1))
    assert again.status_code == 200, again.text
    assert again.json()["replayed"] and again.json()["applied"]
    assert again.json()["status"] == "accepted"
    # the same event id with another content is still the same event: nothing changes
    other = await send(api, platform, number, "in_review", event_id="evt-1", occurred_at=at(2))
    assert other.json()["replayed"] and other.json()["status"] == "accepted"
    assert await _events(number) == events
    assert await PlatformCallback.count().run() == 1


async def test_a_forged_or_stale_callback_is_refused_and_changes_nothing(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    number, _ = await queued_case(api, fast, "pf-cb-forged")
    forged = await send(api, platform, number, "accepted", secret="not-the-shared-secret-at-all")
    assert_problem(forged, 401, "platform_signature_invalid")
    body, headers = platform.signed_callback(number, "accepted")
    tampered = body.replace(b'"accepted"', b'"rejected"')
    assert_problem(
        await api.post("/api/v1/platform/callbacks", content=tampered, headers=headers),
        401,
        "platform_signature_invalid",
    )
    unknown = {**headers, "X-Platform-App-Id": "someone-else"}
    assert_problem(
        await api.post("/api/v1/platform/callbacks", content=body, headers=unknown),
        401,
        "platform_signature_invalid",
    )
    unsigned = {"content-type": "application/json"}
    assert_problem(
        await api.post("/api/v1/platform/callbacks", content=body, headers=unsigned),
        401,
        "platform_signature_invalid",
    )
    stale = await send(api, platform, number, "accepted", timestamp=int(time.time()) - 6 * 60)
    assert_problem(stale, 401, "platform_timestamp_invalid")
    assert await status_of(number) == "queued"
    assert await PlatformCallback.count().run() == 0
    assert await _events(number) == ["submit", "forward"]


async def test_an_out_of_order_or_refused_callback_is_recorded_and_ignored(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    number, _ = await queued_case(api, fast, "pf-cb-order")
    accepted = await send(api, platform, number, "accepted", occurred_at=at(10))
    assert accepted.json()["applied"]
    late = await send(
        api, platform, number, "supplement", occurred_at=at(5), missing=["户口簿"], note="迟到"
    )
    assert late.status_code == 200, late.text
    assert late.json()["applied"] is False and late.json()["reason"] == "out_of_order"
    assert late.json()["status"] == "accepted" and late.json()["detail"]
    refused = await send(api, platform, number, "delivered", occurred_at=at(11))
    assert refused.status_code == 200, refused.text
    assert refused.json()["applied"] is False
    assert refused.json()["reason"] == "transition_not_allowed"
    assert "已受理" in refused.json()["detail"]
    assert await status_of(number) == "accepted"
    assert await _events(number) == ["submit", "forward", "accept"]
    rows = await PlatformCallback.select().order_by(PlatformCallback.id).run()
    assert [(r["status"], r["applied"], r["reason"]) for r in rows] == [
        ("accepted", True, ""),
        ("supplement", False, "out_of_order"),
        ("delivered", False, "transition_not_allowed"),
    ]
    # a refused event does not set the bar: a later, valid one still applies
    review = await send(api, platform, number, "in_review", occurred_at=at(12))
    assert review.json()["applied"] and review.json()["status"] == "in_review"


async def test_a_callback_before_the_push_is_recorded_asks_the_platform_to_retry(
    api, platform_township, platform, elicense, wechat
):
    number = await submit(api, "pf-cb-early")
    case = await Case.select(Case.id).where(Case.number == number).first().run()
    target = pushes.Target(TOWNSHIP, platform.url, platform.app_id)
    async with db.engine().transaction():
        await pushes.begin(case_id=case["id"], target=target, last_attempt=False)
    early = await send(api, platform, number, "accepted", event_id="evt-early")
    assert_problem(early, 409, "platform_case_not_ready")
    assert await PlatformCallback.count().run() == 0  # so its retry is not taken for a replay
    assert await status_of(number) == "submitted"


async def test_callbacks_only_reach_cases_the_platform_was_given(
    api, small_catalogue, platform, elicense, wechat
):
    number = await submit(api, "pf-cb-builtin")  # 益农镇 has no platform here
    assert_problem(await send(api, platform, number, "accepted"), 404, "case_not_found")
    assert_problem(await send(api, platform, "XS20261127999999", "accepted"), 404, "case_not_found")
    assert_problem(await send(api, platform, "nonsense", "accepted"), 404, "case_not_found")
    bad = await send(api, platform, number, "teleported")
    assert_problem(bad, 422, "validation_failed")
    assert await status_of(number) == "submitted"


async def test_a_callback_may_name_a_bundle_child(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    me = await new_citizen(api, "pf-cb-child")
    photo = await me.upload("照片")
    number = await submit_as(
        me, item_code=None, bundle_code="CSYJS", materials=[{"type": "照片", "upload_id": photo}]
    )
    async with running_worker(fast, {}):
        await eventually(lambda: forwarded(number), what="the bundle queued")
    child = f"{number}-02"
    answer = await send(api, platform, child, "accepted")
    assert answer.status_code == 200, answer.text
    assert answer.json()["applied"] and answer.json()["case_number"] == child
    assert await status_of(child) == "accepted"
    assert await status_of(number) == "queued" and await status_of(f"{number}-01") == "queued"
