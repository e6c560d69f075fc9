"""Configuring townships' platforms, and the supervisors' view of pushes that failed for good.

Each use case (``configure_township``, ``retry``, ``receive_callback``) opens its own unit of
work; the API handlers parse, call one and present.
"""

from __future__ import annotations

import json
from collections.abc import Container
from typing import Final

from backend.audit.service import Actor, AuditLog
from backend.cases import numbers
from backend.cases.events import forward_payload
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
from backend.platform.store import PushFailure as PushFailure
from backend.platform.store import TownshipPlatformView as TownshipPlatformView
from backend.workdays.service import load_calendar

PLATFORM_CONFIGURE: Final = "platform_configure_township"
PLATFORM_RETRY: Final = "platform_retry_push"


def _view_state(view: TownshipPlatformView | None) -> dict[str, object] | None:
    """What the audit keeps of a township's platform: never a secret (none is in the row)."""
    if view is None:
        return None
    return {"base_url": view.base_url, "app_id": view.app_id, "active": view.active}


async def _audit(
    audit: AuditLog,
    by: str,
    action: str,
    subject_kind: str,
    subject_id: str,
    before: object,
    after: object,
) -> None:
    reason = json.dumps(
        {"note": texts.AUDIT_NOTES[action], "before": before, "after": after},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    await audit.record(
        actor=Actor("staff", by),
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        reason=reason,
    )


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
    """The townships with a platform (only ``township`` when given), by code."""
    return await store.townships_page(township=township, page=page, page_size=page_size)


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
    audit: AuditLog,
) -> TownshipPlatformView:
    """Point a township at an external platform (or, with ``active=False``, back at the queue).

    The audit log gets the township's address, account and switch before and after.
    """
    async with unit_of_work(doorbell):
        found, _ = await list_townships(township=township_code, page=1, page_size=1)
        after = await _configure_township(
            township_code=township_code,
            base_url=base_url,
            app_id=app_id,
            active=active,
            known_app_ids=known_app_ids,
            by=by,
            outbound=outbound,
        )
        before = found[0] if found else None
        await _audit(
            audit,
            by,
            PLATFORM_CONFIGURE,
            "township_platform",
            township_code,
            _view_state(before),
            _view_state(after),
        )
        return after


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
    return await store.failures_page(township=township, page=page, page_size=page_size)


async def retry(
    *,
    doorbell: Doorbell | None,
    number: str,
    township: str | None,
    audit: AuditLog,
    by: str,
) -> None:
    """Push a case again whose push failed for good (it must still be ``submitted``); the
    audit log gets the push's state before (failed) and after (pending)."""
    async with unit_of_work(doorbell):
        attempts = await _retry(number=number, township=township)
        before = {"status": "failed", "attempts": attempts}
        await _audit(audit, by, PLATFORM_RETRY, "case", number, before, {"status": "pending"})


async def _retry(*, number: str, township: str | None) -> int:
    if not numbers.looks_like_number(number):
        raise NotFound(texts.CASE_NOT_FOUND, code="case_not_found")
    case = await oversight.case_by_number(number)
    push = await store.lock_push(case[0]) if case else None
    if case is None or push is None or (township and push.township_code != township):
        raise NotFound(texts.CASE_NOT_FOUND, code="case_not_found")
    case_id, status = case
    if not push.failed or status != Status.SUBMITTED.value:
        raise Conflict(texts.NOT_RETRYABLE, code="platform_push_not_retryable")
    await store.mark_pending(case_id=case_id, now=now_utc())
    await publish(
        kind=FORWARD_EVENT,
        payload=forward_payload(case_id),
        dedup_key=f"forward:{number}:retry:{push.attempts}",
    )
    return push.attempts


# --- callbacks --------------------------------------------------------------------------------


async def receive_callback(
    *, doorbell: Doorbell | None, app_id: str, event: CallbackEvent
) -> Outcome:
    """Apply a signed status callback of the platform ``app_id`` (once per event id)."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        return await callbacks.receive(app_id=app_id, event=event, calendar=calendar)
