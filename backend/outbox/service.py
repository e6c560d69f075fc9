"""Writing outbox rows in the caller's transaction, and ringing the doorbell after commit.

Publishing is only ever done inside :func:`unit_of_work`: the rows commit with the state change
they belong to, and the arq doorbell rings only after the commit succeeded. A doorbell that fails
(Redis down, flushed) loses nothing: the sweeper finds every due row.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from backend import db


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
    row = await db.fetchrow(
        "INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
        " created_at) VALUES ($1, $2::jsonb, $3, 'pending', 0, $4, '', now())"
        " ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        kind,
        json.dumps(dict(payload), ensure_ascii=False),
        dedup_key,
        due,
    )
    if row is None:
        return None
    event_id = int(row["id"])
    pending.append(event_id)
    return event_id


async def dead_jobs(kind: str) -> int:
    """How many rows of ``kind`` ran out of attempts."""
    row = await db.fetchrow(
        "SELECT count(*) AS n FROM outbox_event WHERE kind = $1 AND status = 'dead'", kind
    )
    return int(row["n"]) if row is not None else 0
