"""The platform context's SQL: townships' platforms, pushes and the platforms' callbacks."""

from __future__ import annotations

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


async def update_push(case_id: int, values: dict[Any, Any], *, unpushed_only: bool) -> None:
    """Write ``values`` (columns of ``PlatformPush``) on the case's push row."""
    where: Combinable = PlatformPush.case == case_id
    if unpushed_only:
        where &= PlatformPush.pushed_at.is_null()
    await PlatformPush.update(values).where(where).run()


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
