"""Configuring townships' platforms, and the supervisors' view of pushes that failed for good.

Each use case (``configure_township``, ``retry``, ``receive_callback``) opens its own unit of
work; the API handlers parse, call one and present.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.custom_types import Combinable

from backend.cases import numbers
from backend.cases.states import Status
from backend.cases.store import oversight
from backend.cases.transitions import FORWARD_EVENT
from backend.clock import now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.geo.store import areas
from backend.http.outbound import OutboundPolicy, check_url
from backend.outbox.service import Doorbell, publish, unit_of_work
from backend.platform import callbacks, store, texts
from backend.platform.callbacks import CallbackEvent, Outcome
from backend.platform.tables import PlatformPush, TownshipPlatform
from backend.workdays.service import load_calendar


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


async def township_scope(*, role: str | None, area_code: str | None) -> str | None:
    """The township a supervisor is limited to (None: the whole district)."""
    if role == "admin" or not area_code:
        return None
    area = await areas.area(area_code)
    return area_code if area and area.level == "township" else None


# --- configuration ----------------------------------------------------------------------------


async def list_townships(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[TownshipPlatformView], int]:
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
    return [_township(r) for r in rows], await count.run()


def _township(r: dict[str, Any]) -> TownshipPlatformView:
    return TownshipPlatformView(
        r["township_code"],
        r["township_name"],
        r["base_url"],
        r["app_id"],
        r["active"],
        r["updated_at"],
    )


async def configure_township(
    *,
    doorbell: Doorbell | None,
    township_code: str,
    base_url: str,
    app_id: str,
    active: bool,
    known_app_ids: Container[str],
    by: str,
    outbound: OutboundPolicy,
) -> TownshipPlatformView:
    """Point a township at an external platform (or, with ``active=False``, back at the queue)."""
    async with unit_of_work(doorbell):
        return await _configure_township(
            township_code=township_code,
            base_url=base_url,
            app_id=app_id,
            active=active,
            known_app_ids=known_app_ids,
            by=by,
            outbound=outbound,
        )


async def _configure_township(
    *,
    township_code: str,
    base_url: str,
    app_id: str,
    active: bool,
    known_app_ids: Container[str],
    by: str,
    outbound: OutboundPolicy,
) -> TownshipPlatformView:
    area = await areas.area(township_code)
    if area is None or area.level != "township":
        raise NotFound(texts.TOWNSHIP_UNKNOWN, code="township_not_found")
    url = base_url.strip()
    if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise InvalidInput(texts.BASE_URL_INVALID, code="platform_base_url_invalid")
    await check_url(url, outbound)  # SSRF: again on every push, after resolving
    if active and app_id not in known_app_ids:
        raise InvalidInput(texts.SECRET_MISSING, code="platform_secret_missing")
    await store.upsert_township(
        township_code=township_code, base_url=url, app_id=app_id, active=active, by=by, at=now_utc()
    )
    views, _ = await list_townships(township=township_code, page=1, page_size=1)
    return views[0]


# --- failures ---------------------------------------------------------------------------------


async def list_failures(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[PushFailure], int]:
    """Pushes the outbox gave up on, newest first (in ``township`` when given)."""
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


async def retry(*, doorbell: Doorbell | None, number: str, township: str | None) -> None:
    """Push a case again whose push failed for good (it must still be ``submitted``)."""
    async with unit_of_work(doorbell):
        await _retry(number=number, township=township)


async def _retry(*, number: str, township: str | None) -> None:
    if not numbers.looks_like_number(number):
        raise NotFound(texts.CASE_NOT_FOUND, code="case_not_found")
    found = await oversight.case_by_number(number)
    case = None if found is None else {"id": found[0], "status": found[1]}
    push = (
        await PlatformPush.select(PlatformPush.township_code, PlatformPush.attempts)
        .where(PlatformPush.case == case["id"])
        .lock_rows()
        .first()
        .run()
        if case
        else None
    )
    if case is None or push is None or (township and push["township_code"] != township):
        raise NotFound(texts.CASE_NOT_FOUND, code="case_not_found")
    failed = (
        await PlatformPush.exists()
        .where((PlatformPush.case == case["id"]) & PlatformPush.failed_at.is_not_null())
        .run()
    )
    if not failed or case["status"] != Status.SUBMITTED.value:
        raise Conflict(texts.NOT_RETRYABLE, code="platform_push_not_retryable")
    await (
        PlatformPush.update(
            {
                PlatformPush.failed_at: None,
                PlatformPush.last_status: "pending",
                PlatformPush.updated_at: now_utc(),
            }
        )
        .where(PlatformPush.case == case["id"])
        .run()
    )
    await publish(
        kind=FORWARD_EVENT,
        payload={"case_id": case["id"]},
        dedup_key=f"forward:{number}:retry:{push['attempts']}",
    )


# --- callbacks --------------------------------------------------------------------------------


async def receive_callback(
    *, doorbell: Doorbell | None, app_id: str, event: CallbackEvent
) -> Outcome:
    """Apply a signed status callback of the platform ``app_id`` (once per event id)."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        return await callbacks.receive(app_id=app_id, event=event, calendar=calendar)
