"""The back office's use cases (后台审批): its list, approve, deny, ask for a supplement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from backend.cases.states import Status
from backend.cases.store import queue
from backend.clock import now_utc
from backend.outbox.service import Doorbell, unit_of_work
from backend.window import access, review
from backend.window.access import Clerk
from backend.window.schemas import CaseForStaff, StaffCasePage
from backend.window.service.front_desk import page_of
from backend.window.service.views import staff_view
from backend.workdays.service import load_calendar


async def review_cases(
    *, clerk: Clerk, status: Status | None, page: int, page_size: int
) -> StaffCasePage:
    """Cases transferred to the approver's department (by default those in review); a
    township-level approver sees only their township's."""
    lines = await queue.review_cases(
        department_code=clerk.department_code or "",
        township_code=await access.approver_township(clerk),
        status=(status or Status.IN_REVIEW).value,
        now=now_utc(),
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return await page_of(lines)


async def _decide(
    step: Callable[..., Awaitable[None]],
    *,
    number: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    **data: Any,
) -> CaseForStaff:
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        await step(number=number, clerk=clerk, calendar=calendar, **data)
    return await staff_view(number=number, clerk=clerk)


async def approve(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, note: str
) -> CaseForStaff:
    """审批通过, with an optional opinion; the window then issues the result."""
    return await _decide(review.approve, number=number, clerk=clerk, doorbell=doorbell, note=note)


async def deny(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, reason: str
) -> CaseForStaff:
    """审批不通过, with the reason told to the applicant."""
    return await _decide(review.deny, number=number, clerk=clerk, doorbell=doorbell, reason=reason)


async def supplement(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, missing: list[str], note: str
) -> CaseForStaff:
    """后台要求补正: the clock pauses until the materials are in."""
    return await _decide(
        review.supplement,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        missing=missing,
        note=note,
    )
