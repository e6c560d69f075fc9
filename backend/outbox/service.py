"""Writing outbox rows in the caller's transaction, and ringing the doorbell after commit.

Publishing is only ever done inside :func:`unit_of_work`: the rows commit with the state change
they belong to, and the arq doorbell rings only after the commit succeeded. A doorbell that fails
(Redis down, flushed) loses nothing: the sweeper finds every due row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from backend import db
from backend.outbox import store


class Doorbell(Protocol):
    async def ring(self, event_ids: list[int]) -> None: ...


_PENDING: ContextVar[list[int] | None] = ContextVar("outbox_pending", default=None)


@asynccontextmanager
async def unit_of_work(doorbell: Doorbell | None) -> AsyncIterator[None]:
    """One database transaction; outbox rows published inside it are rung after commit."""
    pending: list[int] = []
    token = _PENDING.set(pending)
    try:
        async with db.engine().transaction():
            yield
    finally:
        _PENDING.reset(token)
    if pending and doorbell is not None:
        await doorbell.ring(pending)


async def publish(
    *,
    kind: str,
    payload: Mapping[str, Any],
    dedup_key: str | None = None,
    delay_s: float = 0.0,
) -> int | None:
    """Record work to do once the current transaction commits.

    Returns the new row's id, or None when a row with ``dedup_key`` already exists (the work is
    already recorded, so publishing twice is harmless).
    """
    pending = _PENDING.get()
    if pending is None or not db.engine().transaction_exists():
        raise RuntimeError("outbox.publish must run inside unit_of_work()")
    due = datetime.now(UTC) + timedelta(seconds=delay_s)
    event_id = await store.insert(kind=kind, payload=payload, dedup_key=dedup_key, due=due)
    if event_id is not None:
        pending.append(event_id)
    return event_id


async def dead_jobs(kind: str) -> int:
    """How many rows of ``kind`` ran out of attempts."""
    return await store.dead_count(kind)
