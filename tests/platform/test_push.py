"""Forwarding to an external platform: pushed over HTTP, retried with back-off, failed for good."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from backend.cases.tables import Case, CaseEvent
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.platform.client import PlatformClients
from backend.platform.config import PlatformConfig
from backend.platform.forward import forward_case
from backend.settings import Settings
from tests.api.test_login import assert_problem
from tests.platform.conftest import (
    TOWNSHIP,
    eventually,
    forwarded,
    new_citizen,
    outbox_status,
    push_row,
    staff_headers,
    status_of,
    submit,
)
from tests.workers.conftest import running_worker

pytestmark = [pytest.mark.workers, pytest.mark.api]


async def _outbox(number: str) -> dict:
    """The case's forward outbox row (the one written with the submission)."""
    row = (
        await OutboxEvent.select().where(OutboxEvent.dedup_key == f"forward:{number}").first().run()
    )
    assert row is not None
    return row


async def test_a_platform_township_case_is_pushed_then_queued(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    me = await new_citizen(api, "pf-push")
    photo = await me.upload("照片")
    body = {
        "bundle_code": "CSYJS",
        "delivery": {"method": "window"},
        "form": {
            "baby_name": "王小宝",
            "birth_date": "2026-11-20",
            "relationship": "子",
            "guardian_phone": "13800001111",
        },
        "materials": [{"type": "照片", "upload_id": photo}],
    }
    number = (await me.post("/api/v1/cases", json=body)).json()["number"]
    async with running_worker(fast, {}):
        await eventually(lambda: _queued(number), what="the case queued")
    pushed = platform.pushes[number]
    assert pushed["idempotency_key"] == number
    sent = pushed["case"]
    assert sent["township_code"] == TOWNSHIP and sent["bundle_code"] == "CSYJS"
    assert [c["number"] for c in sent["children"]] == [f"{number}-0{i}" for i in (1, 2, 3)]
    assert sent["applicant_name"] == "王秀英"
    assert "id_number" not in sent and sent["applicant_id_number_masked"].count("*") >= 8
    assert sent["form"]["guardian_phone"] == "*******1111"  # masked like the applicant's number
    assert sent["form"]["baby_name"] == "王小宝"
    assert all(r["signature_problem"] is None for r in platform.received)

    case = (await me.get(f"/api/v1/cases/{number}")).json()
    assert case["status"] == "queued" and case["township_code"] == TOWNSHIP
    assert all(c["status"] == "queued" for c in case["children"])
    forward = (
        await CaseEvent.select(CaseEvent.data)
        .where(CaseEvent.action == "forward")
        .output(load_json=True)
        .run()
    )
    assert len(forward) == 4  # the bundle and its three children
    assert {r["data"]["platform"] for r in forward} == {platform.app_id}
    assert {r["data"]["external_id"] for r in forward} == {pushed["external_id"]}
    row = await push_row(number)
    assert row["attempts"] == 1 and row["pushed_at"] is not None and row["failed_at"] is None
    assert row["external_id"] == pushed["external_id"] and row["last_status"] == "pushed"
    assert (await _outbox(number))["status"] == "done"

    desk = await staff_headers(api, role="window", area_code=TOWNSHIP, username="pf-desk")
    refused = await api.post(f"/api/v1/window/cases/{number}/accept", headers=desk)
    assert_problem(refused, 409, "case_on_external_platform")  # the platform works it
    assert (await status_of(number)) == "queued"


async def test_a_second_run_after_success_changes_nothing(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    number = await submit(api, "pf-twice")
    async with running_worker(fast, {}):
        await eventually(lambda: _queued(number), what="the case queued")
    case = await Case.select(Case.id).where(Case.number == number).first().run()
    events = await CaseEvent.count().where(CaseEvent.case == case["id"]).run()
    before = await push_row(number)
    clients = PlatformClients(PlatformConfig.from_values(fast.platform_secrets))
    try:
        ctx = HandlerContext(
            event_id=0, kind="case.forward", attempt=1, services={"platform": clients}
        )
        await forward_case(ctx, {"case_id": case["id"]})
    finally:
        await clients.aclose()
    assert len(platform.received) == 1
    assert await CaseEvent.count().where(CaseEvent.case == case["id"]).run() == events
    assert await push_row(number) == before


async def test_cases_wait_while_the_platform_is_down_and_all_arrive_after(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    platform.set_down(True)
    numbers = [await submit(api, f"pf-down-{i}") for i in range(3)]
    async with running_worker(fast, {}):
        await eventually(
            lambda: _all_tried(numbers), what="every case tried against the platform at least once"
        )
        await asyncio.sleep(2.0)  # down for a while: retried with back-off, nothing queued
        assert [await status_of(n) for n in numbers] == ["submitted"] * 3
        rows = [await push_row(n) for n in numbers]
        assert all(r["pushed_at"] is None and r["failed_at"] is None for r in rows)
        assert all("unreachable" in r["last_error"] for r in rows), rows
        platform.set_down(False)
        await eventually(
            lambda: _all_queued(numbers), timeout_s=30, what="every case queued after the outage"
        )
    assert sorted(platform.pushes) == sorted(numbers)  # each received once
    for number in numbers:
        row = await push_row(number)
        assert row["pushed_at"] is not None and row["attempts"] >= 2


async def test_two_failures_then_success_is_one_push_after_three_attempts(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    platform.fail_next(2)
    number = await submit(api, "pf-flaky")
    async with running_worker(fast, {}):
        await eventually(lambda: _queued(number), what="the case queued")
    row = await push_row(number)
    assert row["attempts"] == 3 and row["last_status"] == "pushed"
    assert row["pushed_at"] is not None and row["failed_at"] is None and row["last_error"] == ""
    assert list(platform.pushes) == [number] and len(platform.received) == 3
    outbox = await _outbox(number)
    assert outbox["status"] == "done" and outbox["attempts"] == 3


async def test_a_slow_platform_times_out_and_the_retry_is_idempotent(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    platform.set_delay(1.5)  # longer than the 0.5 s read timeout: the answer comes too late
    number = await submit(api, "pf-slow")
    async with running_worker(fast, {}):
        await eventually(lambda: _tried(number), what="a first attempt")
        await eventually(lambda: _failed_once(number), what="the first attempt timing out")
        platform.set_delay(0)
        await eventually(lambda: _queued(number), what="the case queued")
    row = await push_row(number)
    assert row["attempts"] >= 2 and row["external_id"] == platform.pushes[number]["external_id"]
    assert list(platform.pushes) == [number]  # received twice, recorded once
    assert len(platform.received) >= 2


async def test_a_refused_push_fails_for_good_is_listed_and_can_be_retried(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    platform.reject_next(1, "事项编码未开通")
    number = await submit(api, "pf-refused")
    async with running_worker(fast, {}):
        await eventually(lambda: _dead(number), what="the outbox row dead")
        row = await push_row(number)
        assert row["failed_at"] is not None and row["last_status"] == "failed"
        assert "422" in row["last_error"] and "事项编码未开通" in row["last_error"]
        assert row["attempts"] == 1 and await status_of(number) == "submitted"

        supervisor = await staff_headers(api, role="supervisor", username="sup-district")
        listed = await api.get("/api/v1/platform/failures", headers=supervisor)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["total"] == 1
        item = body["items"][0]
        assert item["case_number"] == number and item["township_code"] == TOWNSHIP
        assert item["case_status"] == "submitted" and item["attempts"] == 1
        assert item["failed_at"].endswith("+08:00")
        other = await staff_headers(
            api, role="supervisor", area_code="330109105", username="sup-guali"
        )
        assert (await api.get("/api/v1/platform/failures", headers=other)).json()["total"] == 0
        assert_problem(
            await api.post(f"/api/v1/platform/failures/{number}/retry", headers=other),
            404,
            "case_not_found",
        )
        window = await staff_headers(api, role="window", username="win-yinong")
        assert_problem(
            await api.get("/api/v1/platform/failures", headers=window), 403, "not_allowed"
        )

        retried = await api.post(f"/api/v1/platform/failures/{number}/retry", headers=supervisor)
        assert retried.status_code == 202, retried.text
        await eventually(lambda: _retry_done(number), what="the retried case queued")
        assert_problem(
            await api.post(f"/api/v1/platform/failures/{number}/retry", headers=supervisor),
            409,
            "platform_push_not_retryable",
        )
    row = await push_row(number)
    assert row["failed_at"] is None and row["pushed_at"] is not None and row["attempts"] == 2
    assert (await api.get("/api/v1/platform/failures", headers=supervisor)).json()["total"] == 0


async def test_the_last_failed_attempt_marks_the_push_failed(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    platform.fail_next(100)
    number = await submit(api, "pf-always-503")
    async with running_worker(replace(fast, outbox_max_attempts=3), {}):
        await eventually(lambda: _dead(number), what="the outbox row dead")
    row = await push_row(number)
    assert row["attempts"] == 3 and row["failed_at"] is not None
    assert row["last_status"] == "failed" and "503" in row["last_error"]
    assert (await _outbox(number))["attempts"] == 3
    assert await status_of(number) == "submitted"


async def test_townships_without_a_platform_keep_the_built_in_queue(
    api, platform_township, platform, elicense, wechat, fast: Settings
):
    from backend.platform.tables import TownshipPlatform

    await (
        TownshipPlatform.update({TownshipPlatform.active: False})
        .where(TownshipPlatform.township_code == TOWNSHIP)
        .run()
    )
    number = await submit(api, "pf-inactive")
    async with running_worker(fast, {}):
        await eventually(lambda: _queued(number), what="the case queued")
    assert platform.received == [] and await push_row(number) is None


async def _queued(number: str) -> bool:
    return await forwarded(number)


async def _retry_done(number: str) -> bool:
    pending = await OutboxEvent.count().where(OutboxEvent.status == "pending").run()
    return await status_of(number) == "queued" and pending == 0


async def _all_queued(numbers: list[str]) -> bool:
    return all([await _queued(n) for n in numbers])


async def _tried(number: str) -> bool:
    row = await push_row(number)
    return row is not None and row["attempts"] >= 1


async def _all_tried(numbers: list[str]) -> bool:
    return all([await _tried(n) for n in numbers])


async def _failed_once(number: str) -> bool:
    row = await push_row(number)
    return row is not None and row["last_status"] == "retrying"


async def _dead(number: str) -> bool:
    return await outbox_status(number) == "dead"
