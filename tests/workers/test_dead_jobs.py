"""Jobs left by killed workers never stall the queue.

A worker killed while running jobs leaves them in arq's queue, marked as started for as long as
arq's longest timeout (minutes). A worker reads only the 100 oldest due jobs per poll and skips
the marked ones, so once a hundred of them sat at the queue's head every worker stopped starting
jobs — including the outbox sweeper, itself an arq job queued behind them. The sweeper now runs
beside arq's polling and takes the job a claim came from off the queue once the claim's lease
ran out (``backend.outbox.runner.sweep``).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from arq.constants import in_progress_key_prefix

from backend.outbox.doorbell import ArqDoorbell, job_id
from backend.outbox.runner import HandlerContext
from backend.outbox.service import publish, unit_of_work
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from tests.workers.conftest import arq_redis, running_worker, wait_until

pytestmark = pytest.mark.workers

DEAD = 120
"""More than the 100 due jobs a worker reads per poll."""


async def _count_done(ids: list[int]) -> int:
    return (
        await OutboxEvent.count()
        .where(OutboxEvent.id.is_in(ids) & (OutboxEvent.status == "done"))
        .run()
    )


@pytest.mark.timeout(600)
async def test_a_queue_headed_by_a_killed_workers_jobs_still_drains(
    doorbell: ArqDoorbell, settings: Settings
):
    ran: set[int] = set()

    async def record(ctx: HandlerContext, payload: dict) -> None:
        ran.add(ctx.event_id)

    async with unit_of_work(None):  # no doorbell yet: the jobs are set up by hand below
        ids = [await publish(kind="test.dead_jobs", payload={"n": n}) for n in range(DEAD)]
    assert all(ids)
    # What a killed worker leaves: each row claimed (attempt 1, its lease now run out) and the
    # job that claimed it still queued, marked as started, for half an hour.
    redis = arq_redis(settings.redis_url)
    try:
        for event_id in ids:
            assert await doorbell.enqueue(event_id, attempts=0)
            await redis.psetex(
                in_progress_key_prefix + job_id(settings.arq_queue, event_id, 0), 1_800_000, b"1"
            )
    finally:
        await redis.aclose()
    await (
        OutboxEvent.update(
            {
                OutboxEvent.attempts: 1,
                OutboxEvent.lease_until: datetime.now(UTC) - timedelta(seconds=1),
            }
        )
        .where(OutboxEvent.id.is_in(ids))
        .run()
    )

    async with running_worker(settings, {"test.dead_jobs": record}):
        await wait_until(lambda: len(ran) == DEAD, timeout_s=240, what="every row run")
        deadline = time.monotonic() + 60  # liveness, not speed
        while await _count_done(ids) < DEAD:
            assert time.monotonic() < deadline, "rows run but not marked done"
            await asyncio.sleep(0.1)
    assert ran == set(ids)
