"""The outbox's SQL: the only module that reads or writes ``outbox_event`` (with its table's
Piccolo class, for migrations), returning typed rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backend import db
from backend.outbox.tables import OutboxEvent


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row whose lease this worker now holds: what to run, and which attempt this is."""

    kind: str
    payload: dict[str, Any]
    attempt: int


@dataclass(frozen=True, slots=True)
class Due:
    """A pending row that is due and not leased (the sweeper's)."""

    id: int
    attempts: int
    due_at: datetime


async def insert(
    *, kind: str, payload: Mapping[str, Any], dedup_key: str | None, due: datetime
) -> int | None:
    """A new pending row; None when a row with ``dedup_key`` already exists."""
    row = await db.fetchrow(
        "INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
        " created_at) VALUES ($1, $2::jsonb, $3, 'pending', 0, $4, '', now())"
        " ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        kind,
        json.dumps(dict(payload), ensure_ascii=False),
        dedup_key,
        due,
    )
    return int(row["id"]) if row is not None else None


async def claim(event_id: int, *, lease_s: int) -> Claimed | None:
    """Take the lease on a due, unleased pending row; None if there is nothing to do."""
    now = datetime.now(UTC)
    async with db.engine().transaction():
        rows = (
            await OutboxEvent.select(OutboxEvent.kind, OutboxEvent.payload, OutboxEvent.attempts)
            .where(
                (OutboxEvent.id == event_id)
                & (OutboxEvent.status == "pending")
                & (OutboxEvent.due_at <= now)
                & (OutboxEvent.lease_until.is_null() | (OutboxEvent.lease_until < now))
            )
            .lock_rows(skip_locked=True)
            .run()
        )
        if not rows:
            return None
        attempt = rows[0]["attempts"] + 1
        await (
            OutboxEvent.update(
                {
                    OutboxEvent.attempts: attempt,
                    OutboxEvent.lease_until: now + timedelta(seconds=lease_s),
                }
            )
            .where(OutboxEvent.id == event_id)
            .run()
        )
    payload = rows[0]["payload"]
    if isinstance(payload, str):
        payload = json.loads(payload)
    return Claimed(rows[0]["kind"], payload, attempt)


async def hold(event_id: int, *, attempts: int, until: datetime, why: str) -> None:
    """Put a row back without using up an attempt, due again at ``until``."""
    await (
        OutboxEvent.update(
            {
                OutboxEvent.attempts: attempts,
                OutboxEvent.lease_until: None,
                OutboxEvent.due_at: until,
                OutboxEvent.last_error: why,
            }
        )
        .where(OutboxEvent.id == event_id)
        .run()
    )


async def done(event_id: int) -> None:
    await (
        OutboxEvent.update(
            {
                OutboxEvent.status: "done",
                OutboxEvent.done_at: datetime.now(UTC),
                OutboxEvent.lease_until: None,
                OutboxEvent.last_error: "",
            }
        )
        .where((OutboxEvent.id == event_id) & (OutboxEvent.status == "pending"))
        .run()
    )


async def dead(event_id: int, *, error: str) -> None:
    await (
        OutboxEvent.update(
            {
                OutboxEvent.status: "dead",
                OutboxEvent.lease_until: None,
                OutboxEvent.last_error: error[:2000],
            }
        )
        .where(OutboxEvent.id == event_id)
        .run()
    )


async def retry_at(event_id: int, *, due: datetime, error: str) -> None:
    await (
        OutboxEvent.update(
            {
                OutboxEvent.due_at: due,
                OutboxEvent.lease_until: None,
                OutboxEvent.last_error: error[:2000],
            }
        )
        .where(OutboxEvent.id == event_id)
        .run()
    )


async def due(*, limit: int) -> list[Due]:
    """The pending rows that are due and not leased (or whose lease ran out), oldest first."""
    now = datetime.now(UTC)
    rows = (
        await OutboxEvent.select(OutboxEvent.id, OutboxEvent.attempts, OutboxEvent.due_at)
        .where(
            (OutboxEvent.status == "pending")
            & (OutboxEvent.due_at <= now)
            & (OutboxEvent.lease_until.is_null() | (OutboxEvent.lease_until < now))
        )
        .order_by(OutboxEvent.due_at)
        .limit(limit)
        .run()
    )
    return [Due(int(r["id"]), int(r["attempts"]), r["due_at"]) for r in rows]


async def counts() -> dict[str, int]:
    """How many rows there are, by status."""
    rows = await db.fetch("SELECT status, count(*) AS n FROM outbox_event GROUP BY status")
    return {r["status"]: int(r["n"]) for r in rows}


async def dead_count(kind: str) -> int:
    """How many rows of ``kind`` ran out of attempts."""
    row = await db.fetchrow(
        "SELECT count(*) AS n FROM outbox_event WHERE kind = $1 AND status = 'dead'", kind
    )
    return int(row["n"]) if row is not None else 0


async def forget_payloads_naming(text: str) -> None:
    """Empty the payload (and error) of every finished row whose payload contains ``text``."""
    await db.fetch(
        "UPDATE outbox_event SET payload = '{}'::jsonb, last_error = ''"
        " WHERE status <> 'pending' AND strpos(payload::text, $1) > 0",
        text,
    )
