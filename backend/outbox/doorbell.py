"""The arq doorbell: tells a worker that an outbox row is ready. Losing a ring is harmless."""

from __future__ import annotations

import asyncio

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

JOB_NAME = "run_outbox_event"


def job_id(queue_name: str, event_id: int, attempts: int, tag: str | None = None) -> str:
    """A fresh id per attempt, since arq refuses a ``_job_id`` it still knows.

    arq keeps job keys outside the queue, so the queue name is part of the id: two deployments
    (or a test run beside a dev instance) sharing one Redis never collide. ``tag`` makes a
    further id for the same attempt (the sweeper's, for a row whose job arq still holds as
    in progress after its worker was killed).
    """
    base = f"{queue_name}:outbox:{event_id}:{attempts}"
    return f"{base}:{tag}" if tag else base


class ArqDoorbell:
    def __init__(self, redis: ArqRedis, *, queue_name: str, timeout_s: float = 2.0) -> None:
        self._redis = redis
        self._queue = queue_name
        self._timeout = timeout_s

    async def ring(self, event_ids: list[int]) -> None:
        for event_id in event_ids:
            await self.enqueue(event_id, attempts=0)

    async def forget(self, event_id: int, *, attempts: int) -> None:
        """Take an attempt's job off the queue (a killed worker's, which arq would keep at the
        queue's head, skipped but counted against each poll's read limit, until it expires)."""
        try:
            await asyncio.wait_for(
                self._redis.zrem(self._queue, job_id(self._queue, event_id, attempts)),
                timeout=self._timeout,
            )
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("outbox_doorbell_failed", event_id=event_id, error=str(exc))

    async def enqueue(
        self, event_id: int, *, attempts: int, defer_s: float = 0.0, tag: str | None = None
    ) -> bool:
        """Enqueue the run of one row.

        True when a job was enqueued; False when that attempt's job is already queued or Redis
        could not be reached (the sweeper tries again later).
        """
        try:
            job = await asyncio.wait_for(
                self._redis.enqueue_job(
                    JOB_NAME,
                    event_id,
                    _job_id=job_id(self._queue, event_id, attempts, tag),
                    _queue_name=self._queue,
                    _defer_by=defer_s or None,
                ),
                timeout=self._timeout,
            )
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("outbox_doorbell_failed", event_id=event_id, error=str(exc))
            return False
        return job is not None
