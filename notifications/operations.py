"""Operations on messages: counts by status, the stuck and the dead, and re-driving failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from backend.clock import now_utc
from backend.outbox.service import publish, unit_of_work
from notifications.planner import DELIVER
from notifications.tables import Message

STUCK_AFTER: Final = timedelta(minutes=10)
REPLAYABLE: Final = ("temporary_failure", "technical_failure")


@dataclass(frozen=True, slots=True)
class Status:
    counts: dict[tuple[str, str], int]  # (channel, status) → count
    stuck: list[dict[str, object]]  # created/sending/temporary_failure for over 10 minutes
    dead_jobs: int  # message.deliver outbox rows that gave up


async def status(limit: int = 20) -> Status:
    rows = await Message.raw(
        "SELECT channel, status, count(*) AS n FROM message GROUP BY channel, status"
    ).run()
    stuck = await Message.raw(
        "SELECT id, event, channel, status, attempts, case_number, last_error, created_at"
        " FROM message WHERE status IN ('created', 'sending', 'temporary_failure')"
        " AND created_at < {} ORDER BY id LIMIT {}",
        now_utc() - STUCK_AFTER,
        limit,
    ).run()
    dead = await Message.raw(
        "SELECT count(*) AS n FROM outbox_event WHERE kind = {} AND status = 'dead'", DELIVER
    ).run()
    return Status(
        counts={(r["channel"], r["status"]): int(r["n"]) for r in rows},
        stuck=[dict(r) for r in stuck],
        dead_jobs=int(dead[0]["n"]),
    )


async def replay(*, include_stuck: bool = True, limit: int = 10_000) -> int:
    """Send again the messages that failed for a technical reason (and, with ``include_stuck``,
    those stuck for over 10 minutes): each gets a new delivery job. Permanent failures (the
    citizen refused, a bad template) are not replayed. Returns how many were re-driven."""
    statuses = list(REPLAYABLE) + (["created", "sending"] if include_stuck else [])
    async with unit_of_work(None):
        rows = await Message.raw(
            "UPDATE message SET status = 'created', finished_at = NULL, last_error = ''"
            " WHERE id IN (SELECT id FROM message WHERE channel <> 'inbox' AND status = ANY({})"
            " AND (status IN ('technical_failure', 'temporary_failure') OR created_at < {})"
            " ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED) RETURNING id, attempts",
            statuses,
            now_utc() - STUCK_AFTER,
            limit,
        ).run()
        for row in rows:
            await publish(
                kind=DELIVER,
                payload={"message_id": row["id"]},
                dedup_key=f"deliver:{row['id']}:replay:{row['attempts']}:{now_utc().timestamp()}",
            )
    return len(rows)
