"""The arq worker riding out a Redis that goes away (restarted, failed over, briefly unreachable).

arq lets the first Redis error escape its polling loop, and the worker process exits — mid-job,
with its claimed outbox rows waiting for their lease. Redis is only the doorbell here
(PostgreSQL holds the work), so losing it for a while must only pause the worker:

- every command is retried on a refused or dropped connection with capped back-off for about
  ``COMMAND_RETRY_S`` (``redis_settings``): a job's bookkeeping, a health beat, a poll just wait;
- what still fails — a ``WATCH`` whose connection dropped (redis-py refuses to retry it), or an
  outage longer than the retries — ends that poll only: :class:`SteadyWorker` logs it once,
  gives back the job slot it had taken, and polls again. The job stays in arq's queue, or the
  outbox sweeper enqueues its row again once Redis is back (empty, if it restarted).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

import structlog
from arq.connections import RedisSettings
from arq.worker import Worker
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = structlog.get_logger(__name__)

COMMAND_RETRY_S = 15.0
"""About how long one Redis command waits for an unreachable Redis before it fails."""
RETRY_CAP_S = 1.0
POLL_PAUSE_S = 1.0
"""After a poll failed on Redis: the pause before the next one."""


def redis_settings(redis_url: str) -> RedisSettings:
    """arq's connection to ``redis_url``, retrying a refused or dropped connection.

    The retry must be redis-py's asyncio ``Retry`` (the sync one returns the coroutine
    unawaited, and never retries). ``OSError`` covers the refused connect itself
    (``ConnectionRefusedError``), which redis-py retries inside ``connect()``.
    """
    found = RedisSettings.from_dsn(redis_url)
    found.retry_on_timeout = True
    found.retry_on_error = [RedisConnectionError, RedisTimeoutError, OSError]
    found.retry = Retry(
        ExponentialBackoff(cap=RETRY_CAP_S, base=0.05),
        retries=math.ceil(COMMAND_RETRY_S / RETRY_CAP_S),
    )
    return found


class SteadyWorker(Worker):
    """An arq ``Worker`` whose polls survive Redis errors (see the module's docstring)."""

    _redis_lost = False

    async def start_jobs(self, job_ids: Sequence[bytes]) -> None:
        """arq's ``start_jobs``, one job at a time: arq takes a job slot (its semaphore and
        counter) before the ``WATCH`` that may fail, and gives it back only on the errors it
        expects, so a slot lost on a dropped connection is given back here."""
        for job_id in job_ids:
            if self.job_counter >= self.max_jobs:
                return  # arq's own start_jobs stops here too
            try:
                await super().start_jobs([job_id])
            except (RedisError, OSError):
                # The slot was taken and no task was started (arq starts it right after a
                # successful EXEC, with nothing in between that can fail).
                self.job_counter -= 1
                self.sem.release()
                raise

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except (RedisError, OSError) as exc:
            if not self._redis_lost:
                self._redis_lost = True
                log.warning("worker_redis_unavailable", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(POLL_PAUSE_S)
            return
        if self._redis_lost:
            self._redis_lost = False
            log.info("worker_redis_back")
