"""The platform context's SQL: townships' platforms, pushes and the platforms' callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.custom_types import Combinable

from backend import db
from backend.platform.tables import PlatformCallback, PlatformPush, TownshipPlatform

_BEGIN = (
    'INSERT INTO platform_push ("case", township_code, app_id, attempts, last_status,'
    " last_error, failed_at, created_at, updated_at)"
    " VALUES ($1, $2, $3, 1, 'pushing', $4, $5, $6, $6)"
    ' ON CONFLICT ("case") DO UPDATE SET attempts = platform_push.attempts + 1,'
    " last_status = 'pushing', township_code = EXCLUDED.township_code,"
    " app_id = EXCLUDED.app_id, failed_at = EXCLUDED.failed_at,"
    " last_error = CASE WHEN EXCLUDED.failed_at IS NULL THEN platform_push.last_error"
    " ELSE EXCLUDED.last_error END, updated_at = EXCLUDED.updated_at"
)


async def begin_push(
    *,
    case_id: int,
    township_code: str,
    app_id: str,
    last_error: str,
    failed_at: datetime | None,
    now: datetime,
) -> None:
    """Count one more attempt to push the case (the first one creates its row)."""
    await db.fetch(_BEGIN, case_id, township_code, app_id, last_error, failed_at, now)


async def active_platform(township_code: str) -> tuple[str, str] | None:
    """``(base_url, app_id)`` of the township's active platform, or None."""
    row = (
        await TownshipPlatform.select(TownshipPlatform.base_url, TownshipPlatform.app_id)
        .where(
            (TownshipPlatform.township_code == township_code) & (TownshipPlatform.active == True)  # noqa: E712
        )
        .first()
        .run()
    )
    return None if row is None else (str(row["base_url"]), str(row["app_id"]))


async def mark_pushed(*, case_id: int, external_id: str, now: datetime) -> None:
    """The platform took the case; a push row already marked pushed is left as it is."""
    await (
        PlatformPush.update(
            {
                PlatformPush.pushed_at: now,
                PlatformPush.external_id: external_id,
                PlatformPush.last_status: "pushed",
                PlatformPush.last_error: "",
                PlatformPush.failed_at: None,
                PlatformPush.updated_at: now,
            }
        )
        .where((PlatformPush.case == case_id) & PlatformPush.pushed_at.is_null())
        .run()
    )


async def mark_failed(*, case_id: int, reason: str, terminal: bool, now: datetime) -> None:
    """A failed attempt: ``retrying``, or ``failed`` (with ``failed_at``) when ``terminal``."""
    values: dict[Any, Any] = {
        PlatformPush.last_status: "failed" if terminal else "retrying",
        PlatformPush.last_error: reason,
        PlatformPush.updated_at: now,
    }
    if terminal:
        values[PlatformPush.failed_at] = now
    await PlatformPush.update(values).where(PlatformPush.case == case_id).run()


async def mark_pending(*, case_id: int, now: datetime) -> None:
    """A failed push goes back to ``pending`` for another attempt."""
    await (
        PlatformPush.update(
            {
                PlatformPush.failed_at: None,
                PlatformPush.last_status: "pending",
                PlatformPush.updated_at: now,
            }
        )
        .where(PlatformPush.case == case_id)
        .run()
    )


_UPSERT_TOWNSHIP = (
    "INSERT INTO township_platform (township_code, base_url, app_id, active, updated_by,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (township_code) DO UPDATE SET base_url = EXCLUDED.base_url,"
    " app_id = EXCLUDED.app_id, active = EXCLUDED.active,"
    " updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at"
)


async def upsert_township(
    *, township_code: str, base_url: str, app_id: str, active: bool, by: str, at: datetime
) -> None:
    """Point the township at a platform (a second time replaces the first)."""
    await db.fetch(_UPSERT_TOWNSHIP, township_code, base_url, app_id, active, by, at)


_INSERT_CALLBACK = (
    'INSERT INTO platform_callback (event_id, "case", app_id, status, occurred_at,'
    " received_at, applied, reason, detail, note)"
    " VALUES ($1, $2, $3, $4, $5, $6, false, '', '', $7)"
    " ON CONFLICT (event_id) DO NOTHING RETURNING id"
)


async def insert_callback(
    *,
    event_id: str,
    case_id: int,
    app_id: str,
    status: str,
    occurred_at: datetime,
    received_at: datetime,
    note: str,
) -> int | None:
    """Record a callback; its id, or None when its event id was received before."""
    row = await db.fetchrow(
        _INSERT_CALLBACK, event_id, case_id, app_id, status, occurred_at, received_at, note
    )
    return None if row is None else int(row["id"])


async def latest_applied_callback(*, case_id: int, other_than: int) -> datetime | None:
    """When the latest callback applied to the case happened (this one left out), or None."""
    row = await db.fetchrow(
        'SELECT max(occurred_at) AS at FROM platform_callback WHERE "case" = $1 AND applied'
        " AND id <> $2",
        case_id,
        other_than,
    )
    return None if row is None else row["at"]


async def settle_callback(*, callback_id: int, reason: str | None, detail: str | None) -> None:
    """Whether the callback took effect (no reason) and, if not, why."""
    await (
        PlatformCallback.update(
            {
                PlatformCallback.applied: reason is None,
                PlatformCallback.reason: reason or "",
                PlatformCallback.detail: detail or "",
            }
        )
        .where(PlatformCallback.id == callback_id)
        .run()
    )


@dataclass(frozen=True, slots=True)
class TownshipPlatformView:
    township_code: str
    township_name: str
    base_url: str
    app_id: str
    active: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PushFailure:
    case_number: str
    township_code: str
    app_id: str
    attempts: int
    last_error: str
    failed_at: datetime
    case_status: str


async def townships_page(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[TownshipPlatformView], int]:
    """Townships with a platform (only ``township`` when given), by code; a page and the count."""
    where = TownshipPlatform.township_code == township if township else None
    query = TownshipPlatform.select(
        TownshipPlatform.township_code,
        TownshipPlatform.township_code.name.as_alias("township_name"),
        TownshipPlatform.base_url,
        TownshipPlatform.app_id,
        TownshipPlatform.active,
        TownshipPlatform.updated_at,
    )
    count = TownshipPlatform.count()
    if where is not None:
        query, count = query.where(where), count.where(where)
    rows = (
        await query.order_by(TownshipPlatform.township_code)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .run()
    )
    views = [
        TownshipPlatformView(
            r["township_code"],
            r["township_name"],
            r["base_url"],
            r["app_id"],
            r["active"],
            r["updated_at"],
        )
        for r in rows
    ]
    return views, await count.run()


async def failures_page(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[PushFailure], int]:
    """Pushes that failed for good, newest first (in ``township`` when given), with their
    case's number and status; a page and the count."""
    where: Combinable = PlatformPush.failed_at.is_not_null()
    if township:
        where &= PlatformPush.township_code == township
    rows = (
        await PlatformPush.select(
            PlatformPush.case.number.as_alias("case_number"),
            PlatformPush.case.status.as_alias("case_status"),
            PlatformPush.township_code,
            PlatformPush.app_id,
            PlatformPush.attempts,
            PlatformPush.last_error,
            PlatformPush.failed_at,
        )
        .where(where)
        .order_by(PlatformPush.failed_at, ascending=False)
        .order_by(PlatformPush.id, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .run()
    )
    total = await PlatformPush.count().where(where).run()
    return [
        PushFailure(
            r["case_number"],
            r["township_code"],
            r["app_id"],
            r["attempts"],
            r["last_error"],
            r["failed_at"],
            r["case_status"],
        )
        for r in rows
    ], total


@dataclass(frozen=True, slots=True)
class PushState:
    """A case's push row as a retry reads it."""

    township_code: str
    attempts: int
    failed: bool


async def lock_push(case_id: int) -> PushState | None:
    """The case's push row, locked until the transaction ends, or None."""
    row = (
        await PlatformPush.select(
            PlatformPush.township_code, PlatformPush.attempts, PlatformPush.failed_at
        )
        .where(PlatformPush.case == case_id)
        .lock_rows()
        .first()
        .run()
    )
    if row is None:
        return None
    return PushState(row["township_code"], int(row["attempts"]), row["failed_at"] is not None)


async def push_target(case_id: int) -> tuple[str, datetime | None] | None:
    """``(app_id, pushed_at)`` of the case's push, or None when it was never pushed."""
    row = (
        await PlatformPush.select(PlatformPush.app_id, PlatformPush.pushed_at)
        .where(PlatformPush.case == case_id)
        .first()
        .run()
    )
    return None if row is None else (str(row["app_id"]), row["pushed_at"])


async def first_callback(event_id: str) -> tuple[bool, str, str] | None:
    """``(applied, reason, detail)`` of the callback first received with this event id."""
    row = (
        await PlatformCallback.select(
            PlatformCallback.applied, PlatformCallback.reason, PlatformCallback.detail
        )
        .where(PlatformCallback.event_id == event_id)
        .first()
        .run()
    )
    return None if row is None else (bool(row["applied"]), row["reason"], row["detail"])
