"""SMS codes confirming a phone number (``phone_code``): hashes only, never the number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend import db

KEEP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Sent:
    """When the codes of the last day were sent, newest first."""

    by_citizen: list[datetime]
    to_phone: list[datetime]


async def lock_sending(*, citizen_id: str, phone_hash: str) -> None:
    """Serialise sends for this citizen and this number, in the caller's transaction."""
    await db.fetch("SELECT pg_advisory_xact_lock(hashtext($1))", f"sms:c:{citizen_id}")
    await db.fetch("SELECT pg_advisory_xact_lock(hashtext($1))", f"sms:p:{phone_hash}")


async def sent_since(*, citizen_id: str, phone_hash: str, since: datetime) -> Sent:
    rows = await db.fetch(
        "SELECT created_at, citizen = $1::uuid AS mine, phone_hash = $2 AS same_phone"
        " FROM phone_code WHERE (citizen = $1::uuid OR phone_hash = $2) AND created_at > $3"
        " ORDER BY created_at DESC",
        citizen_id,
        phone_hash,
        since,
    )
    return Sent(
        [r["created_at"] for r in rows if r["mine"]],
        [r["created_at"] for r in rows if r["same_phone"]],
    )


async def add(
    *, citizen_id: str, phone_hash: str, code_hash: str, now: datetime, expires_at: datetime
) -> int:
    """A new code; earlier unused ones of the citizen stop counting (one live code at a time)."""
    await db.execute("DELETE FROM phone_code WHERE created_at < $1", now - KEEP)
    await db.execute(
        "UPDATE phone_code SET expires_at = LEAST(expires_at, $2)"
        " WHERE citizen = $1::uuid AND used_at IS NULL",
        citizen_id,
        now,
    )
    row = await db.fetchrow(
        "INSERT INTO phone_code (citizen, phone_hash, code_hash, created_at, expires_at)"
        " VALUES ($1::uuid, $2, $3, $4, $5) RETURNING id",
        citizen_id,
        phone_hash,
        code_hash,
        now,
        expires_at,
    )
    assert row is not None
    return int(row["id"])


async def forget(*, code_id: int) -> None:
    """A code whose SMS could not be sent: it neither works nor counts."""
    await db.execute("DELETE FROM phone_code WHERE id = $1", code_id)


@dataclass(frozen=True, slots=True)
class Live:
    id: int
    code_hash: str
    expires_at: datetime
    attempts: int


async def latest(*, citizen_id: str, phone_hash: str) -> Live | None:
    """The citizen's newest unused code for this number, locked for the transaction."""
    row = await db.fetchrow(
        "SELECT id, code_hash, expires_at, attempts FROM phone_code"
        " WHERE citizen = $1::uuid AND phone_hash = $2 AND used_at IS NULL"
        " ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE",
        citizen_id,
        phone_hash,
    )
    return None if row is None else Live(**dict(row))


async def wrong_try(*, code_id: int) -> None:
    await db.execute("UPDATE phone_code SET attempts = attempts + 1 WHERE id = $1", code_id)


async def use(*, code_id: int, at: datetime) -> None:
    await db.execute("UPDATE phone_code SET used_at = $2 WHERE id = $1", code_id, at)
