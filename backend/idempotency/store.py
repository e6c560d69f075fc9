"""The idempotency keys (``idempotency_key``) and their stored answers; JSON decoded here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from backend import db

TABLE: Final = "idempotency_key"
"""Where stored answers live (for maintenance such as ``VACUUM FULL`` after a rewrite)."""


@dataclass(frozen=True, slots=True)
class Stored:
    """A claimed key: the request it was claimed for and its answer once there is one."""

    request_hash: str
    status: int | None
    body: Any


@dataclass(frozen=True, slots=True)
class StoredBody:
    id: int
    body: dict[str, Any]


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


async def forget_expired(*, scoped_key: str, now: datetime) -> None:
    """Forget the key once expired: the same key may then start a new request."""
    await db.fetch(
        "DELETE FROM idempotency_key WHERE scoped_key = $1 AND expires_at < $2", scoped_key, now
    )


async def set_lock_timeout(value: str) -> str:
    """Set the transaction's ``lock_timeout``; the value it had."""
    row = await db.fetchrow(
        "SELECT current_setting('lock_timeout') AS was, set_config('lock_timeout', $1, true)",
        value,
    )
    return str(row["was"]) if row is not None else "0"


async def restore_lock_timeout(value: str) -> None:
    await db.fetch("SELECT set_config('lock_timeout', $1, true)", value)


async def claim(*, scoped_key: str, request_hash: str, now: datetime, expires_at: datetime) -> bool:
    """Claim the key (waiting on a concurrent claim's commit); False when it was claimed before."""
    inserted = await db.fetchrow(
        "INSERT INTO idempotency_key (scoped_key, request_hash, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (scoped_key) DO NOTHING RETURNING id",
        scoped_key,
        request_hash,
        now,
        expires_at,
    )
    return inserted is not None


async def stored(*, scoped_key: str, unexpired_at: datetime | None = None) -> Stored | None:
    """The key's claim and answer (only while unexpired at ``unexpired_at``, when given)."""
    if unexpired_at is None:
        row = await db.fetchrow(
            "SELECT request_hash, response_status, response_body FROM idempotency_key"
            " WHERE scoped_key = $1",
            scoped_key,
        )
    else:
        row = await db.fetchrow(
            "SELECT request_hash, response_status, response_body FROM idempotency_key"
            " WHERE scoped_key = $1 AND expires_at > $2",
            scoped_key,
            unexpired_at,
        )
    if row is None:
        return None
    return Stored(row["request_hash"], row["response_status"], _json(row["response_body"]))


async def answer(*, scoped_key: str, status: int, body: Any) -> None:
    """Store the answer to the key's request."""
    await db.fetch(
        "UPDATE idempotency_key SET response_status = $1, response_body = $2::jsonb"
        " WHERE scoped_key = $3",
        status,
        json.dumps(body),
        scoped_key,
    )


async def purge_expired() -> int:
    """Delete the expired keys; how many went."""
    rows = await db.fetch("DELETE FROM idempotency_key WHERE expires_at < now() RETURNING id")
    return len(rows)


async def answers_having(*, key: str, after: int, limit: int) -> list[StoredBody]:
    """Stored answers (objects) holding ``key``, by id after ``after``; locked."""
    rows = await db.fetch(
        "SELECT id, response_body FROM idempotency_key"
        " WHERE jsonb_typeof(response_body) = 'object' AND response_body ? $1"
        " AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE",
        key,
        after,
        limit,
    )
    return [StoredBody(int(r["id"]), _json(r["response_body"])) for r in rows]


async def replace_body(*, key_id: int, body: dict[str, Any]) -> None:
    await db.fetch(
        "UPDATE idempotency_key SET response_body = $2::jsonb WHERE id = $1",
        key_id,
        json.dumps(body, ensure_ascii=False),
    )
