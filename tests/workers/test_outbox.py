"""The outbox: written with the state change, delivered at least once, never lost.

Redis may lose everything at any moment and a worker may die mid-handler; these tests do both
and check that the work is late, never lost.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from backend.outbox.doorbell import ArqDoorbell, job_id
from backend.outbox.runner import HandlerContext, OutboxRunner, RunnerConfig, sweep
from backend.outbox.service import publish, unit_of_work
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from tests.conftest import ROOT
from tests.workers.conftest import arq_redis, running_worker

pytestmark = pytest.mark.workers


async def wait_for_status(event_id: int, status: str, timeout_s: float = 60.0) -> dict:
    """The row once it has ``status``; the deadline only says "stuck" (a loaded machine is slow)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = await OutboxEvent.select().where(OutboxEvent.id == event_id).first().run()
        if row and row["status"] == status:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox row {event_id} not {status} after {timeout_s} s: {row}")


async def test_publish_outside_a_unit_of_work_is_refused():
    with pytest.raises(RuntimeError, match="unit_of_work"):
        await publish(kind="x", payload={})


async def test_doorbell_rings_only_after_commit(doorbell: ArqDoorbell, settings: Settings):
    redis = arq_redis(settings.redis_url)
    async with unit_of_work(doorbell):
        event_id = await publish(kind="test.noop", payload={"n": 1})
        assert not await redis.exists(f"arq:job:{job_id(settings.arq_queue, event_id, 0)}")
    assert await redis.exists(f"arq:job:{job_id(settings.arq_queue, event_id, 0)}")

    published: list[int | None] = []

    async def fail_after_publishing() -> None:
        async with unit_of_work(doorbell):
            published.append(await publish(kind="test.noop", payload={"n": 2}))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await fail_after_publishing()
    rolled_back = published[0]
    assert await OutboxEvent.count().where(OutboxEvent.id == rolled_back).run() == 0
    assert not await redis.exists(f"arq:job:{job_id(settings.arq_queue, rolled_back, 0)}")
    await redis.delete(f"arq:job:{job_id(settings.arq_queue, event_id, 0)}")
    await redis.zrem(settings.arq_queue, job_id(settings.arq_queue, event_id, 0))
    await redis.aclose()


async def test_dedup_key_records_the_work_once(doorbell: ArqDoorbell):
    async with unit_of_work(None):
        first = await publish(kind="test.noop", payload={}, dedup_key="case:1:accepted")
        second = await publish(kind="test.noop", payload={}, dedup_key="case:1:accepted")
    assert first is not None
    assert second is None
    assert await OutboxEvent.count().run() == 1


async def test_worker_handles_an_event_and_marks_it_done(doorbell: ArqDoorbell, settings: Settings):
    seen: list[tuple[int, dict]] = []

    async def record(ctx: HandlerContext, payload: dict) -> None:
        seen.append((ctx.attempt, payload))

    async with running_worker(settings, {"test.record": record}):
        async with unit_of_work(doorbell):
            event_id = await publish(kind="test.record", payload={"case": "XS1"})
        row = await wait_for_status(event_id, "done")
    assert seen == [(1, {"case": "XS1"})]
    assert row["attempts"] == 1
    assert row["lease_until"] is None
    assert row["done_at"] is not None


async def test_flushall_between_commit_and_handling_delays_and_loses_nothing(
    private_settings: Settings,
):
    redis = arq_redis(private_settings.redis_url)
    doorbell = ArqDoorbell(redis, queue_name=private_settings.arq_queue)
    async with unit_of_work(doorbell):
        ids = [await publish(kind="test.record", payload={"n": n}) for n in range(5)]
    assert await redis.zcard(private_settings.arq_queue) == 5
    await redis.flushall()  # Redis loses everything after the commit, before any worker ran
    assert await redis.zcard(private_settings.arq_queue) == 0

    seen: list[int] = []

    async def record(ctx: HandlerContext, payload: dict) -> None:
        seen.append(payload["n"])

    async with running_worker(private_settings, {"test.record": record}):
        for event_id in ids:
            await wait_for_status(event_id, "done")
    assert sorted(seen) == [0, 1, 2, 3, 4]
    await redis.aclose()


async def test_redis_down_at_commit_still_records_the_work(settings: Settings):
    dead_redis = arq_redis("redis://127.0.0.1:1/0")
    doorbell = ArqDoorbell(dead_redis, queue_name=settings.arq_queue, timeout_s=0.5)
    async with unit_of_work(doorbell):  # the ring fails, the commit stands
        event_id = await publish(kind="test.record", payload={})
    seen: list[int] = []

    async def record(ctx: HandlerContext, payload: dict) -> None:
        seen.append(ctx.event_id)

    async with running_worker(settings, {"test.record": record}):
        await wait_for_status(event_id, "done")
    assert seen == [event_id]
    await dead_redis.aclose()


async def test_worker_killed_mid_handler_is_rerun_after_the_lease(
    doorbell: ArqDoorbell, settings: Settings, test_env: dict[str, str], tmp_path: Path
):
    env = {**os.environ, **test_env}
    # The first worker's handler timeout is long enough that only the kill can end its attempt
    # however slowly this test gets to send it (the tests' 2 s would let the worker give up on
    # the handler first, on a loaded machine); its lease, written at the claim, just above.
    first_env = {**env, "JOB_TIMEOUT_SECONDS": "20", "OUTBOX_LEASE_SECONDS": "21"}
    command = [sys.executable, "-m", "tests.workers.worker_main", str(tmp_path)]
    first = subprocess.Popen(
        command, env=first_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with unit_of_work(doorbell):
            event_id = await publish(kind="test.block_first_attempt", payload={})
        deadline = time.monotonic() + 120  # a process starting on a loaded machine: "stuck"
        while not (tmp_path / f"start-{event_id}-1").exists():
            assert first.poll() is None, f"the first worker exited with {first.returncode}"
            assert time.monotonic() < deadline, "the first worker never started the handler"
            await asyncio.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)  # dies mid-handler, lease held
        first.wait(timeout=60)
        row = await OutboxEvent.select().where(OutboxEvent.id == event_id).first().run()
        assert row["status"] == "pending"
        assert row["lease_until"] is not None

        second = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            row = await wait_for_status(event_id, "done", timeout_s=180)
        finally:
            second.terminate()
            try:
                second.wait(timeout=60)
            except subprocess.TimeoutExpired:
                second.kill()
                second.wait()
    finally:
        if first.poll() is None:
            first.kill()
    assert row["attempts"] == 2
    assert (tmp_path / f"done-{event_id}-2").exists()
    assert not (tmp_path / f"done-{event_id}-1").exists()


async def test_failures_back_off_then_go_dead_with_the_error(
    doorbell: ArqDoorbell, settings: Settings
):
    fast = replace(settings, outbox_backoff_s=0.1, outbox_max_attempts=3)
    calls: list[int] = []

    async def always_fails(ctx: HandlerContext, payload: dict) -> None:
        calls.append(ctx.attempt)
        raise ConnectionError("platform unreachable")

    async with running_worker(fast, {"test.fails": always_fails}):
        async with unit_of_work(doorbell):
            event_id = await publish(kind="test.fails", payload={})
        row = await wait_for_status(event_id, "dead")
    assert calls == [1, 2, 3]
    assert "platform unreachable" in row["last_error"]


async def test_a_second_run_of_a_done_event_changes_nothing(doorbell: ArqDoorbell):
    calls: list[int] = []

    async def record(ctx: HandlerContext, payload: dict) -> None:
        calls.append(ctx.attempt)

    runner = OutboxRunner(
        handlers={"test.record": record},
        config=RunnerConfig(lease_s=5, handler_timeout_s=2, max_attempts=3),
        doorbell=doorbell,
    )
    async with unit_of_work(None):
        event_id = await publish(kind="test.record", payload={})
    assert await runner.run(event_id) == "done"
    assert await runner.run(event_id) == "skipped"
    assert calls == [1]


async def test_unknown_kind_is_held_and_sweeper_skips_leased_rows(doorbell: ArqDoorbell):
    runner = OutboxRunner(
        handlers={},
        config=RunnerConfig(lease_s=60, handler_timeout_s=2, max_attempts=3),
        doorbell=doorbell,
    )
    async with unit_of_work(None):
        unknown = await publish(kind="test.nobody", payload={})
        leased = await publish(kind="test.record", payload={})
    assert await runner.run(unknown) == "held"
    held = await OutboxEvent.select().where(OutboxEvent.id == unknown).first().run()
    assert held["status"] == "pending"
    assert held["attempts"] == 0
    assert "held" in held["last_error"]
    assert await runner.claim(leased) is not None  # now leased for 60 s
    assert await sweep(doorbell=doorbell) == 0
