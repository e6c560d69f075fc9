"""Messages on their way out: locked, marked and finished by delivery, found again by WeChat's
word on them, counted and re-driven by operations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend import db
from backend.clock import now_utc

FINAL = frozenset({"delivered", "permanent_failure", "technical_failure"})


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message as delivery reads it."""

    id: int
    key: str
    event: str
    recipient_id: str
    channel: str
    case_number: str | None
    title: str
    body: str
    page: str | None
    template_id: str | None
    data: dict[str, Any]
    needs_action: bool
    status: str
    credit_spent: bool


@dataclass(frozen=True, slots=True)
class Stuck:
    """A message not finished for longer than it should take."""

    id: int
    event: str
    channel: str
    status: str
    attempts: int
    case_number: str | None
    last_error: str
    created_at: datetime


_COLUMNS = (
    "id, key, event, recipient_id, channel, case_number, title, body, page, template_id, data,"
    " needs_action, status, credit_spent"
)


def _outgoing(row: Any) -> Outgoing:
    data = row["data"]
    return Outgoing(
        id=int(row["id"]),
        key=row["key"],
        event=row["event"],
        recipient_id=row["recipient_id"],
        channel=row["channel"],
        case_number=row["case_number"],
        title=row["title"],
        body=row["body"],
        page=row["page"],
        template_id=row["template_id"],
        data=json.loads(data) if isinstance(data, str) else dict(data or {}),
        needs_action=bool(row["needs_action"]),
        status=row["status"],
        credit_spent=bool(row["credit_spent"]),
    )


async def lock(message_id: int) -> Outgoing | None:
    """The message, locked for the caller's transaction."""
    row = await db.fetchrow(
        "SELECT id, key, event, recipient_id, channel, case_number, title, body, page,"
        " template_id, data, needs_action, status, credit_spent FROM message WHERE id = $1"
        " FOR UPDATE",
        message_id,
    )
    return _outgoing(row) if row is not None else None


async def lock_sent(*, citizen_id: str, msgid: str) -> Outgoing | None:
    """The citizen's message WeChat took under ``msgid``, locked for the caller's transaction."""
    row = await db.fetchrow(
        "SELECT id, key, event, recipient_id, channel, case_number, title, body, page,"
        " template_id, data, needs_action, status, credit_spent FROM message"
        " WHERE recipient_id = $1 AND wechat_msgid = $2 LIMIT 1 FOR UPDATE",
        citizen_id,
        msgid,
    )
    return _outgoing(row) if row is not None else None


async def mark_sending(message_id: int, *, credit_spent: bool) -> None:
    await db.fetch(
        "UPDATE message SET status = 'sending', credit_spent = $2, attempts = attempts + 1,"
        " sending_at = $3 WHERE id = $1",
        message_id,
        credit_spent,
        now_utc(),
    )


async def finish(
    message_id: int,
    status: str,
    *,
    error: str = "",
    errcode: int | None = None,
    msgid: str | None = None,
) -> None:
    """Record where a message stands (a final status also sets when it finished)."""
    await db.fetch(
        "UPDATE message SET status = $2, last_error = $3, errcode = $4,"
        " finished_at = CASE WHEN $5 THEN $6 ELSE finished_at END,"
        " wechat_msgid = COALESCE($7, wechat_msgid) WHERE id = $1",
        message_id,
        status,
        error[:500],
        errcode,
        status in FINAL,
        now_utc(),
        msgid,
    )


async def counts() -> dict[tuple[str, str], int]:
    """How many messages there are, by (channel, status)."""
    rows = await db.fetch(
        "SELECT channel, status, count(*) AS n FROM message GROUP BY channel, status"
    )
    return {(r["channel"], r["status"]): int(r["n"]) for r in rows}


async def stuck(*, older_than: timedelta, limit: int) -> list[Stuck]:
    rows = await db.fetch(
        "SELECT id, event, channel, status, attempts, case_number, last_error, created_at"
        " FROM message WHERE status IN ('created', 'sending', 'temporary_failure')"
        " AND created_at < $1 ORDER BY id LIMIT $2",
        now_utc() - older_than,
        limit,
    )
    return [
        Stuck(
            int(r["id"]),
            r["event"],
            r["channel"],
            r["status"],
            int(r["attempts"]),
            r["case_number"],
            r["last_error"],
            r["created_at"],
        )
        for r in rows
    ]


async def reset_for_replay(
    *, statuses: list[str], stuck_before: datetime, limit: int
) -> list[tuple[int, int]]:
    """Put failed (and stuck) messages back to ``created``; their (id, attempts). In the
    caller's transaction."""
    rows = await db.fetch(
        "UPDATE message SET status = 'created', finished_at = NULL, last_error = ''"
        " WHERE id IN (SELECT id FROM message WHERE channel <> 'inbox' AND status = ANY($1)"
        " AND (status IN ('technical_failure', 'temporary_failure') OR created_at < $2)"
        " ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, attempts",
        statuses,
        stuck_before,
        limit,
    )
    return [(int(r["id"]), int(r["attempts"])) for r in rows]


async def erase_citizen(citizen_id: str) -> None:
    """Every message to the citizen goes (an erasure)."""
    await db.fetch(
        "DELETE FROM message WHERE recipient_kind = 'citizen' AND recipient_id = $1", citizen_id
    )
