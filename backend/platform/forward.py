"""The ``case.forward`` outbox handler: a submitted case lands in its township's queue.

The township is the chosen service point's, else the applicant's village's. A township that
uses an external one-window platform (an active ``township_platform`` row) gets the case over
HTTP instead: the push happens outside any transaction, and only once the platform took it does
the case move to ``queued`` (its event names the platform). A platform that is unavailable makes
the handler raise, so the outbox retries with back-off; one that refuses the case is a
``PermanentFailure``. Either way ``platform_push`` records what happened, and the last failure
for good (``failed_at``), for the supervisors.

Idempotent: a case that is no longer ``submitted`` is left alone, so a second run changes
nothing; a push repeated after a crash carries the same ``Idempotency-Key`` (the case number).
"""

from __future__ import annotations

from typing import Any

import structlog

from backend import db
from backend.cases.clock import Calendar
from backend.cases.events import read_forward
from backend.cases.states import Action, Status
from backend.cases.store import oversight
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import SYSTEM, Change, apply
from backend.geo.store import areas
from backend.identity.store.oversight import citizen_village
from backend.outbox.runner import HandlerContext, PermanentFailure
from backend.platform import pushes
from backend.platform.ports import PlatformDirectory, PlatformError, PlatformRejected, PushedCase
from backend.workdays.service import load_calendar

log = structlog.get_logger(__name__)

PLATFORM_SERVICE = "platform"  # key of the worker's PlatformDirectory in ``ctx.services``


async def township_for(row: CaseRecord) -> str | None:
    """The service point's township, else the township of the applicant's village."""
    if row.service_point:
        township = await areas.point_township(row.service_point)
        if township is not None:
            return township
    village = await citizen_village(row.applicant)
    if village is None:
        return None
    area = await areas.area(village)
    if area is None:
        return None
    return village if area.level == "township" else area.parent_code


async def _queue(
    case_id: int, township: str, calendar: Calendar, *, data: dict[str, Any] | None = None
) -> None:
    """FORWARD the case and its submitted children to ``queued`` in ``township``."""
    change = Change(Action.FORWARD, SYSTEM, data=data or {}, township=township)
    await apply(case_id, change, calendar=calendar)
    for child in await oversight.submitted_children(case_id):
        await apply(
            child,
            Change(Action.FORWARD, SYSTEM, data=data or {}, township=township),
            calendar=calendar,
        )


async def forward_case(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    case_id = read_forward(payload).case_id
    calendar = await load_calendar()
    planned = await _queue_or_plan_push(ctx, case_id, calendar)
    if planned is not None:
        target, case = planned
        await _push(ctx, case_id, target, case, calendar)


async def _queue_or_plan_push(
    ctx: HandlerContext, case_id: int, calendar: Calendar
) -> tuple[pushes.Target, PushedCase] | None:
    """Queue the case in the built-in queue, or say what to push where (None: nothing to push)."""
    async with db.engine().transaction():
        planned = await _decide(ctx, case_id, calendar)
    return planned


async def _decide(
    ctx: HandlerContext, case_id: int, calendar: Calendar
) -> tuple[pushes.Target, PushedCase] | None:
    row = await oversight.locked_case_row(case_id)
    if row is None or row.status != Status.SUBMITTED.value:
        return None
    township = await township_for(row)
    if township is None:
        raise PermanentFailure(f"case {row.number}: no township (no service point, no village)")
    target = await pushes.active_platform(township)
    if target is None:
        await _queue(case_id, township, calendar)
        return None
    await pushes.begin(case_id=case_id, target=target, last_attempt=ctx.last_attempt)
    return target, await pushes.pushed_case(row, township)


def _directory(ctx: HandlerContext) -> PlatformDirectory:
    directory: PlatformDirectory | None = ctx.services.get(PLATFORM_SERVICE)
    if directory is None:  # retried: a worker wired with the clients will pick it up
        raise RuntimeError("this worker has no platform clients (services['platform'])")
    return directory


async def _push(
    ctx: HandlerContext,
    case_id: int,
    target: pushes.Target,
    case: PushedCase,
    calendar: Calendar,
) -> None:
    """Push outside any transaction; move the case to ``queued`` only once the platform took it."""
    bound = log.bind(case=case.number, app_id=target.app_id, attempt=ctx.attempt)
    try:
        platform = _directory(ctx).for_platform(base_url=target.base_url, app_id=target.app_id)
        receipt = await platform.push(case)
    except PlatformRejected as exc:
        bound.error("platform_push_rejected", reason=exc.reason)
        await pushes.record_failure(case_id=case_id, reason=exc.reason, terminal=True)
        raise PermanentFailure(
            f"case {case.number}: the platform refused it: {exc.reason}"
        ) from exc
    except Exception as exc:
        reason = exc.reason if isinstance(exc, PlatformError) else f"{type(exc).__name__}: {exc}"
        bound.warning("platform_push_failed", reason=reason, last=ctx.last_attempt)
        await pushes.record_failure(case_id=case_id, reason=reason, terminal=ctx.last_attempt)
        raise
    async with db.engine().transaction():
        status = await oversight.case_status(case_id, lock=True)
        await pushes.record_success(case_id=case_id, external_id=receipt.external_id)
        if status == Status.SUBMITTED.value:
            data = {"platform": target.app_id, "external_id": receipt.external_id}
            await _queue(case_id, target.township_code, calendar, data=data)
        else:
            # Withdrawn (or moved on) while the push was under way: the platform holds it anyway.
            bound.warning("platform_pushed_case_moved_on", status=status)
    bound.info("platform_pushed", external_id=receipt.external_id)


HANDLERS = {"case.forward": forward_case}
