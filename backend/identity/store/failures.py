"""Failed staff logins and their locks (``login_failure``), per username string and address."""

from __future__ import annotations

from datetime import datetime

from backend import db
from backend.identity.tables import LoginFailure


async def failing_since(*, address: str, since: datetime) -> list[datetime]:
    """When each username failing from ``address`` since ``since`` last failed, oldest first."""
    rows = await db.fetch(
        "SELECT last_failure_at FROM login_failure WHERE address = $1 AND last_failure_at > $2"
        " ORDER BY last_failure_at",
        address,
        since,
    )
    return [r["last_failure_at"] for r in rows]


async def locked_until(
    *, username: str, addresses: tuple[str, str], now: datetime
) -> datetime | None:
    """The latest running lock of ``username`` from either of ``addresses``, or None."""
    row = await db.fetchrow(
        "SELECT max(locked_until) AS until FROM login_failure"
        " WHERE username = $1 AND address IN ($2, $3) AND locked_until > $4",
        username,
        addresses[0],
        addresses[1],
        now,
    )
    return None if row is None else row["until"]


async def count_failure(
    *, username: str, address: str, now: datetime, forget_before: datetime
) -> int:
    """Count one failure of the pair (restarting the count after a quiet spell); the new count."""
    row = await db.fetchrow(
        "INSERT INTO login_failure (username, address, failures, last_failure_at)"
        " VALUES ($1, $2, 1, $3) ON CONFLICT (username, address) DO UPDATE SET"
        " failures = CASE WHEN login_failure.last_failure_at < $4 THEN 1"
        " ELSE login_failure.failures + 1 END,"
        " last_failure_at = EXCLUDED.last_failure_at"
        " RETURNING failures",
        username,
        address,
        now,
        forget_before,
    )
    assert row is not None
    return int(row["failures"])


async def forget_old(*, before: datetime, now: datetime) -> None:
    """Drop the failures last seen before ``before`` that hold no running lock."""
    await db.fetch(
        "DELETE FROM login_failure WHERE last_failure_at < $1"
        " AND (locked_until IS NULL OR locked_until < $2)",
        before,
        now,
    )


async def spread(*, username: str, besides: str, since: datetime) -> tuple[int, int]:
    """How many addresses (other than ``besides``) failed for ``username`` since ``since``, and
    how many failures they add up to."""
    row = await db.fetchrow(
        "SELECT count(*) AS addresses, coalesce(sum(failures), 0) AS failures"
        " FROM login_failure WHERE username = $1 AND address <> $2 AND last_failure_at > $3",
        username,
        besides,
        since,
    )
    assert row is not None
    return int(row["addresses"]), int(row["failures"])


async def lock(*, username: str, address: str, now: datetime, until: datetime) -> None:
    await db.fetch(
        "INSERT INTO login_failure (username, address, failures, last_failure_at, locked_until)"
        " VALUES ($1, $2, 0, $3, $4) ON CONFLICT (username, address) DO UPDATE SET"
        " locked_until = GREATEST(login_failure.locked_until, EXCLUDED.locked_until),"
        " last_failure_at = GREATEST(login_failure.last_failure_at, EXCLUDED.last_failure_at)",
        username,
        address,
        now,
        until,
    )


async def clear_pair(*, username: str, address: str) -> None:
    """Forget the pair's failures (a successful login)."""
    await (
        LoginFailure.delete()
        .where((LoginFailure.username == username) & (LoginFailure.address == address))
        .run()
    )


async def clear(*, username: str) -> int:
    """Forget every failure and lock of ``username``; how many rows went."""
    rows = await db.fetch("DELETE FROM login_failure WHERE username = $1 RETURNING id", username)
    return len(rows)


async def locked(*, usernames: list[str]) -> set[str]:
    """Which of ``usernames`` have a lock running (from any address)."""
    rows = await db.fetch(
        "SELECT DISTINCT username FROM login_failure"
        " WHERE username = ANY($1::text[]) AND locked_until > now()",
        usernames,
    )
    return {r["username"] for r in rows}
