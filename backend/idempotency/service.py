"""Idempotency keys: replay the first answer to a repeated create, refuse a reused key.

The key row is inserted in the caller's transaction *before* the create runs. A concurrent
request with the same key blocks on the unique index until the first commits, then finds the
stored answer — so two racing retries never create two things.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.errors import InvalidInput
from backend.idempotency.tables import IdempotencyKey

MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: Any


def request_hash(method: str, path: str, body: bytes) -> str:
    """A hash of what was asked; JSON bodies are canonicalised so key order does not matter."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key 须为 1–{MAX_KEY_LENGTH} 个可打印字符。",
            code="idempotency_key_invalid",
        )


async def begin(*, scope: str, key: str, fingerprint: str, ttl_s: int) -> StoredResponse | None:
    """Claim ``key`` for this request, inside the caller's transaction.

    Returns the stored answer when the same request was already answered; raises 422
    ``idempotency_key_reused`` when the key was used for a different request; returns None
    when the caller should go ahead (and then call :func:`finish`).
    """
    _check_key(key)
    scoped = f"{scope}|{key}"
    now = datetime.now(UTC)
    # An expired key is forgotten: the same key may then start a new request.
    await (
        IdempotencyKey.delete()
        .where((IdempotencyKey.scoped_key == scoped) & (IdempotencyKey.expires_at < now))
        .run()
    )
    inserted = await IdempotencyKey.raw(
        "INSERT INTO idempotency_key (scoped_key, request_hash, created_at, expires_at)"
        " VALUES ({}, {}, {}, {}) ON CONFLICT (scoped_key) DO NOTHING RETURNING id",
        scoped,
        fingerprint,
        now,
        now + timedelta(seconds=ttl_s),
    ).run()
    if inserted:
        return None
    row = (
        await IdempotencyKey.select(
            IdempotencyKey.request_hash,
            IdempotencyKey.response_status,
            IdempotencyKey.response_body,
        )
        .where(IdempotencyKey.scoped_key == scoped)
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None or row["request_hash"] != fingerprint:
        raise InvalidInput(
            "该 Idempotency-Key 已用于另一个不同的请求，请换一个新的键。",
            code="idempotency_key_reused",
        )
    return StoredResponse(status=row["response_status"] or 200, body=row["response_body"])


async def peek(*, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """The stored answer for ``key`` if the same request was answered (no write, no lock).

    Lets a route skip expensive checks (or external calls) on a replay; :func:`begin` inside
    the transaction still decides races.
    """
    _check_key(key)
    row = (
        await IdempotencyKey.select(
            IdempotencyKey.request_hash,
            IdempotencyKey.response_status,
            IdempotencyKey.response_body,
        )
        .where(
            (IdempotencyKey.scoped_key == f"{scope}|{key}")
            & (IdempotencyKey.expires_at > datetime.now(UTC))
        )
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None or row["response_status"] is None:
        return None
    if row["request_hash"] != fingerprint:
        raise InvalidInput(
            "该 Idempotency-Key 已用于另一个不同的请求，请换一个新的键。",
            code="idempotency_key_reused",
        )
    return StoredResponse(status=row["response_status"], body=row["response_body"])


async def finish(*, scope: str, key: str, status: int, body: Any) -> None:
    await (
        IdempotencyKey.update(
            {IdempotencyKey.response_status: status, IdempotencyKey.response_body: json.dumps(body)}
        )
        .where(IdempotencyKey.scoped_key == f"{scope}|{key}")
        .run()
    )


async def purge_expired() -> int:
    """Delete keys past their 24 h; run by the worker's cron."""
    rows = await IdempotencyKey.raw(
        "DELETE FROM idempotency_key WHERE expires_at < now() RETURNING id"
    ).run()
    return len(rows)
