"""The township window's use cases (一窗受理): its lists, claims and actions on one case.

Each action locks the case in its own unit of work, is refused (409/422) before anything is
written when it may not run, and answers the staff view of the case as it is afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from backend.cases.schemas import MaterialIn
from backend.cases.states import Status
from backend.cases.store import queue
from backend.cases.store.queue import Lines, Search
from backend.clock import now_utc
from backend.outbox.service import Doorbell, unit_of_work
from backend.security.fieldcrypt import FieldCipher
from backend.window import actions, claims, delivery, listing, present
from backend.window.access import Clerk
from backend.window.delivery import Collector
from backend.window.listing import SearchTerms
from backend.window.schemas import CaseForStaff, StaffCasePage
from backend.window.service.views import row_of, staff_view
from backend.workdays.service import load_calendar


async def page_of(lines: Lines) -> StaffCasePage:
    """A list page as staff see it (names from the catalogue, applicants' names masked)."""
    names = await listing.names_for((line.item_code, line.bundle_code) for line in lines.rows)
    return StaffCasePage(
        items=[present.entry(line, names) for line in lines.rows], total=lines.total
    )


async def _search(terms: SearchTerms | None, cipher: FieldCipher | None) -> Search:
    if terms is None or terms.empty:
        return Search()
    assert cipher is not None, "a search needs the cipher (the phone's lookup hash)"
    return await listing.search_of(terms, cipher=cipher)


async def queue_page(
    *,
    clerk: Clerk,
    page: int,
    page_size: int,
    terms: SearchTerms | None = None,
    cipher: FieldCipher | None = None,
) -> StaffCasePage:
    """The township's queue (bundles as one), most urgent first, with their claims; only what
    matches the search ``terms`` when given (422 ``validation_failed`` for malformed ones)."""
    lines = await queue.search(
        scope="queue",
        township_code=clerk.area_code,
        search=await _search(terms, cipher),
        now=now_utc(),
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return await page_of(lines)


async def township_cases(
    *,
    clerk: Clerk,
    status: Status | None,
    page: int,
    page_size: int,
    terms: SearchTerms | None = None,
    cipher: FieldCipher | None = None,
) -> StaffCasePage:
    """Every case of the township (bundle children too), optionally of one status and matching
    the search ``terms``."""
    wanted = await _search(terms, cipher)
    if status is not None:
        wanted = replace(wanted, status=status.value)
    lines = await queue.search(
        scope="township",
        township_code=clerk.area_code,
        search=wanted,
        now=now_utc(),
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return await page_of(lines)


async def claim_next(
    *, clerk: Clerk, doorbell: Doorbell | None, lapse_s: int
) -> CaseForStaff | None:
    """认领下一件: the most urgent unclaimed case of the township, claimed (None: queue empty)."""
    async with unit_of_work(doorbell):
        number = await claims.claim_next(
            staff_id=clerk.id, township_code=clerk.area_code, lapse_s=lapse_s
        )
    if number is None:
        return None
    return await staff_view(number=number, clerk=clerk)


async def release(*, number: str, clerk: Clerk, doorbell: Doorbell | None) -> CaseForStaff:
    """放回队列: give up one's claim; 409 ``case_not_claimed`` without one."""
    async with unit_of_work(doorbell):
        await claims.release((await row_of(number)).id, staff_id=clerk.id)
    return await staff_view(number=number, clerk=clerk)


async def _act(
    step: Callable[..., Awaitable[None]],
    *,
    number: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    lapse_s: int,
    **data: Any,
) -> CaseForStaff:
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        await step(number=number, clerk=clerk, calendar=calendar, lapse_s=lapse_s, **data)
    return await staff_view(number=number, clerk=clerk)


async def accept(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, lapse_s: int
) -> CaseForStaff:
    """受理 (a bundle with its queued children)."""
    return await _act(
        actions.accept, number=number, clerk=clerk, doorbell=doorbell, lapse_s=lapse_s
    )


async def reject(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, lapse_s: int, reason: str
) -> CaseForStaff:
    """不予受理, with the reason told to the applicant."""
    return await _act(
        actions.reject,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        reason=reason,
    )


async def supplement(
    *,
    number: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    lapse_s: int,
    missing: list[str],
    note: str,
) -> CaseForStaff:
    """要求补正: every missing material in one notice."""
    return await _act(
        actions.supplement,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        missing=missing,
        note=note,
    )


async def supply(
    *,
    number: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    lapse_s: int,
    materials: list[MaterialIn],
    note: str,
) -> CaseForStaff:
    """窗口递交补正材料: the applicant hands the missing materials in at the window."""
    return await _act(
        actions.supply_at_window,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        materials=materials,
        note=note,
    )


async def transfer(
    *,
    number: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    lapse_s: int,
    department_code: str | None,
) -> CaseForStaff:
    """转后台审批: to the department given or where the routing table says."""
    return await _act(
        actions.transfer,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        department_code=department_code,
    )


async def handoff(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, lapse_s: int, township_code: str
) -> CaseForStaff:
    """全区通办: to another township's queue."""
    return await _act(
        actions.handoff,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        township_code=township_code,
    )


async def issue_result(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, lapse_s: int, note: str
) -> CaseForStaff:
    """出件: the approved result is ready at the window."""
    return await _act(
        actions.issue_result,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        note=note,
    )


async def finish_on_the_spot(
    *, number: str, clerk: Clerk, doorbell: Doorbell | None, lapse_s: int, note: str
) -> CaseForStaff:
    """即办办结: a 即办件 accepted and its result issued at the window in one step."""
    return await _act(
        actions.finish_on_the_spot,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        note=note,
    )


async def deliver(
    *,
    number: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    lapse_s: int,
    method: str,
    tracking_no: str | None,
    cipher: FieldCipher,
    collector: Collector | None = None,
    address: str | None = None,
) -> CaseForStaff:
    """送达: collected at the window (the collector's ID number checked against the case, not
    kept) or mailed (with its tracking number; ``address`` when the case has none)."""
    return await _act(
        delivery.deliver,
        number=number,
        clerk=clerk,
        doorbell=doorbell,
        lapse_s=lapse_s,
        method=method,
        tracking_no=tracking_no,
        collector=collector,
        cipher=cipher,
        address=address,
    )
