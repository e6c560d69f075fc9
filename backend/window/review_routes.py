"""Back-office routes (后台审批): cases transferred to my department; approve, deny, supplement.

Every route needs the ``approver`` role (403 otherwise); every route on one case answers 404
for a case not transferred to the approver's department (or, for a township-level approver,
not in their township) before the body is read (``guards.department_case``).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader, State
from litestar.params import JSONBody

from backend.http.auth import Principal
from backend.http.pagination import Page, PageSize
from backend.outbox.service import unit_of_work
from backend.window import access, listing, present, review, service
from backend.window.guards import (
    approvers,
    clerk_of,
    department_case,
    material_link_for,
    reveal_for,
)
from backend.window.schemas import (
    CaseForStaff,
    CasePage,
    DenyIn,
    MaterialLinkOut,
    NoteIn,
    RevealedOut,
    RevealIn,
    SupplementRequestIn,
)
from backend.workdays.service import load_calendar


class ReviewController(Controller):
    path = "/api/v1/review"
    tags = ["back office"]
    guards = [approvers]

    @get("/cases", summary="Cases transferred to my department (default: in_review)")
    async def list_cases(
        self,
        request: Request[Principal, Any, Any],
        status: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> CasePage:
        clerk = clerk_of(request.user)
        listed = await listing.review_cases(
            department_code=clerk.department_code or "",
            township_code=await access.approver_township(clerk),
            status=listing.status_filter(status),
            page=page,
            page_size=page_size,
        )
        names = await listing.names_of(listed.rows)
        return CasePage(items=[present.entry(r, names) for r in listed.rows], total=listed.total)

    @get("/cases/{number:str}", guards=[department_case], summary="One case, as staff see it")
    async def detail(self, request: Request[Principal, Any, Any], number: str) -> CaseForStaff:
        return await service.staff_view(number=number, clerk=clerk_of(request.user))

    @post(
        "/cases/{number:str}/approve",
        guards=[department_case],
        status_code=200,
        summary="Approve",
    )
    async def approve(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[NoteIn],
    ) -> CaseForStaff:
        clerk = clerk_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            await review.approve(number=number, clerk=clerk, calendar=calendar, note=data.note)
        return await service.staff_view(number=number, clerk=clerk)

    @post(
        "/cases/{number:str}/deny",
        guards=[department_case],
        status_code=200,
        summary="Deny, with the reason",
    )
    async def deny(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[DenyIn],
    ) -> CaseForStaff:
        clerk = clerk_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            await review.deny(number=number, clerk=clerk, calendar=calendar, reason=data.reason)
        return await service.staff_view(number=number, clerk=clerk)

    @post(
        "/cases/{number:str}/supplement",
        guards=[department_case],
        status_code=200,
        summary="补正 from the back office (the clock pauses)",
    )
    async def supplement(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[SupplementRequestIn],
    ) -> CaseForStaff:
        clerk = clerk_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            await review.supplement(
                number=number, clerk=clerk, calendar=calendar, missing=data.missing, note=data.note
            )
        return await service.staff_view(number=number, clerk=clerk)

    @post(
        "/cases/{number:str}/materials/{upload_id:str}/link",
        guards=[department_case],
        status_code=200,
        summary="A short-lived link to a material (the read is audited)",
    )
    async def material_link(
        self, request: Request[Principal, Any, Any], state: State, number: str, upload_id: str
    ) -> MaterialLinkOut:
        return await material_link_for(request, state, number=number, upload_id=upload_id)

    @post(
        "/cases/{number:str}/form/{field:str}/reveal",
        guards=[department_case],
        status_code=200,
        cache_control=CacheControlHeader(no_store=True),
        summary="查看完整号码: one masked form value in full, with a reason (audited)",
    )
    async def reveal(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        field: str,
        data: JSONBody[RevealIn],
    ) -> RevealedOut:
        return await reveal_for(request, state, number=number, field=field, reason=data.reason)
