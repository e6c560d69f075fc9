"""Running outbox rows: claim with a lease, call the handler, then mark done or schedule a retry.

At-least-once: a row is marked ``done`` only after its handler returned. A worker killed
mid-handler leaves the lease to run out; the sweeper then re-enqueues the row under a new job id.
Handlers are idempotent, so a second run changes nothing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from backend import deadline
from backend.outbox import store
from backend.outbox.doorbell import ArqDoorbell

log = structlog.get_logger(__name__)


@dataclass
class HandlerContext:
    """What a handler gets besides its payload: the row's identity and the worker's clients."""

    event_id: int
    kind: str
    attempt: int
    services: Mapping[str, Any] = field(default_factory=dict)
    max_attempts: int = 0  # after this attempt a failure makes the row dead (0: not known)

    @property
    def last_attempt(self) -> bool:
        """A failure now is final: the row goes ``dead`` (handlers record why, if they keep a
        status of their own)."""
        return 0 < self.max_attempts <= self.attempt


Handler = Callable[[HandlerContext, dict[str, Any]], Awaitable[None]]


HOLD_S = 3600
STALE_S = 30
STALE_BUCKET_S = 15
"""A due row still pending after this long gets a sweeper job of its own (see ``sweep``)."""


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help; the row goes straight to ``dead``."""


@dataclass(frozen=True)
class RunnerConfig:
    lease_s: int
    handler_timeout_s: int
    max_attempts: int
    base_backoff_s: float = 5.0
    max_backoff_s: float = 3600.0


def backoff_s(attempts: int, config: RunnerConfig) -> float:
    delay = min(config.base_backoff_s * 2 ** max(attempts - 1, 0), config.max_backoff_s)
    return float(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


class OutboxRunner:
    def __init__(
        self,
        *,
        handlers: Mapping[str, Handler],
        config: RunnerConfig,
        doorbell: ArqDoorbell,
        services: Mapping[str, Any] | None = None,
    ) -> None:
        self.handlers = dict(handlers)
        self.config = config
        self.doorbell = doorbell
        self.services = dict(services or {})

    async def claim(self, event_id: int) -> tuple[str, dict[str, Any], int] | None:
        """Take the lease on a due, unleased pending row; None if there is nothing to do."""
        claimed = await store.claim(event_id, lease_s=self.config.lease_s)
        if claimed is None:
            return None
        return claimed.kind, claimed.payload, claimed.attempt

    async def run(self, event_id: int) -> str:
        """Run one row; returns ``done``, ``retry``, ``dead``, ``held`` or ``skipped``."""
        claimed = await self.claim(event_id)
        if claimed is None:
            return "skipped"
        kind, payload, attempt = claimed
        handler = self.handlers.get(kind)
        bound = log.bind(event_id=event_id, kind=kind, attempt=attempt)
        if handler is None:
            # Published by a newer part of the domain than this worker knows: keep the work, try
            # again in an hour (a deployment with the handler picks it up), without using up
            # attempts.
            await store.hold(
                event_id,
                attempts=attempt - 1,
                until=datetime.now(UTC) + timedelta(seconds=HOLD_S),
                why=f"no handler for kind {kind!r} yet: held",
            )
            bound.warning("outbox_no_handler_held")
            return "held"
        ctx = HandlerContext(
            event_id=event_id,
            kind=kind,
            attempt=attempt,
            services=self.services,
            max_attempts=self.config.max_attempts,
        )
        try:
            with deadline.within(self.config.handler_timeout_s):
                await asyncio.wait_for(handler(ctx, payload), timeout=self.config.handler_timeout_s)
        except PermanentFailure as exc:
            bound.error("outbox_permanent_failure", error=str(exc))
            await self._fail(event_id, attempt, str(exc), permanent=True)
            return "dead"
        except Exception as exc:  # every other failure is retried with back-off
            error = f"{type(exc).__name__}: {exc}"
            dead = attempt >= self.config.max_attempts
            bound.warning("outbox_handler_failed", error=error, dead=dead)
            return await self._fail(event_id, attempt, error, permanent=dead)
        await store.done(event_id)
        bound.info("outbox_done")
        return "done"

    async def _fail(self, event_id: int, attempt: int, error: str, *, permanent: bool) -> str:
        if permanent:
            await store.dead(event_id, error=error)
            return "dead"
        delay = backoff_s(attempt, self.config)
        await store.retry_at(
            event_id, due=datetime.now(UTC) + timedelta(seconds=delay), error=error
        )
        await self.doorbell.enqueue(event_id, attempts=attempt, defer_s=delay)
        return "retry"


async def sweep(*, doorbell: ArqDoorbell, limit: int = 1000) -> int:
    """Re-enqueue every pending row that is due and not leased (or whose lease ran out).

    Job ids carry the attempt count, so a row whose job is still queued is not enqueued twice,
    while a row whose job vanished (Redis flushed, worker killed) gets a new one.
    """
    now = datetime.now(UTC)
    rows = await store.due(limit=limit)
    enqueued = 0
    # A row overdue for a while may have a job arq still holds as started by a worker that was
    # killed (arq keeps that mark for the longest job timeout + 10 s, refusing the same id):
    # give it a further id, one per STALE_BUCKET_S at most (a killed worker may hold that one
    # too). A second job for a row is harmless — the database lease lets only one run it.
    stale = now - timedelta(seconds=STALE_S)
    bucket = f"s{int(now.timestamp()) // STALE_BUCKET_S}"
    for row in rows:
        if row.attempts:
            # The job whose run claimed the row last. A worker killed while running it leaves it
            # in arq's queue, marked as started for many minutes: a worker reads only the 100
            # oldest due jobs per poll and skips marked ones, so a hundred of those at the
            # queue's head would stall every worker. (Gone already after a normal run: harmless.)
            await doorbell.forget(row.id, attempts=row.attempts - 1)
        tag = None
        if row.due_at < stale:
            tag = bucket
            await doorbell.forget(row.id, attempts=row.attempts)
        if await doorbell.enqueue(row.id, attempts=row.attempts, tag=tag):
            enqueued += 1
    return enqueued


async def sweep_forever(*, doorbell: ArqDoorbell, every_s: float) -> None:
    """Sweep every ``every_s`` seconds for as long as the worker runs.

    This runs beside arq's polling, not as an arq job: the jobs it repairs are the ones that can
    block arq's queue (see ``sweep``), and a sweep queued behind them would never start. Every
    worker sweeps; two sweeps enqueue the same job ids, which arq takes once.
    """
    while True:
        try:
            count = await sweep(doorbell=doorbell)
        except Exception as exc:  # PostgreSQL or Redis away for a moment: the next round retries
            log.warning("outbox_sweep_failed", error=f"{type(exc).__name__}: {exc}")
        else:
            if count:
                log.info("outbox_swept", enqueued=count)
        await asyncio.sleep(every_s)


async def stats() -> dict[str, int]:
    return await store.counts()
