"""Operations on messages: counts by status, the stuck and the dead, and re-driving failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from backend.clock import now_utc
from backend.outbox.service import dead_jobs, publish, unit_of_work
from notifications.events import DELIVER, deliver_payload
from notifications.store import outgoing

STUCK_AFTER: Final = timedelta(minutes=10)
REPLAYABLE: Final = ("temporary_failure", "technical_failure")


@dataclass(frozen=True, slots=True)
class Status:
    counts: dict[tuple[str, str], int]  # (channel, status) → count
    stuck: list[outgoing.Stuck]  # created/sending/temporary_failure for over 10 minutes
    dead_jobs: int  # message.deliver outbox rows that gave up


async def status(limit: int = 20) -> Status:
    return Status(
        counts=await outgoing.counts(),
        stuck=await outgoing.stuck(older_than=STUCK_AFTER, limit=limit),
        dead_jobs=await dead_jobs(DELIVER),
    )


async def replay(*, include_stuck: bool = True, limit: int = 10_000) -> int:
    """Send again the messages that failed for a technical reason (and, with ``include_stuck``,
    those stuck for over 10 minutes): each gets a new delivery job. Permanent failures (the
    citizen refused, a bad template) are not replayed. Returns how many were re-driven."""
    statuses = list(REPLAYABLE) + (["created", "sending"] if include_stuck else [])
    async with unit_of_work(None):
        rows = await outgoing.reset_for_replay(
            statuses=statuses, stuck_before=now_utc() - STUCK_AFTER, limit=limit
        )
        for message_id, attempts in rows:
            await publish(
                kind=DELIVER,
                payload=deliver_payload(message_id),
                dedup_key=f"deliver:{message_id}:replay:{attempts}:{now_utc().timestamp()}",
            )
    return len(rows)
