"""Window staff routes (镇街窗口): the township queue, claims, front-desk actions, walk-ins.

Every route needs the ``window`` role (403 otherwise); every route on one case answers 404 for a
case outside the clerk's township before the body is read (``guards.township_case``). Each
action answers the staff view of the case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, State
from litestar.params import JSONBody

from backend import db
from backend.cases import service as cases
from backend.cases.schemas import SupplementIn
from backend.cases.service import Submitter
from backend.cases.submission import Plan
from backend.http.auth import Principal
from backend.http.idempotent import claim_of, respond
from backend.http.pagination import Page, PageSize
from backend.http.throttle import limit_id_lookup
from backend.idempotency.service import run_once
from backend.outbox.service import unit_of_work
from backend.window import actions, claims, listing, present, service, walkin
from backend.window.guards import (
    clerk_of,
    lapse_s,
    material_link_for,
    reveal_for,
    township_case,
    window_staff,
)
from backend.window.schemas import (
    CaseForStaff,
    CasePage,
    DeliverIn,
    HandoffIn,
    MaterialLinkOut,
    NoteIn,
    RejectIn,
    RevealedOut,
    RevealIn,
    SupplementRequestIn,
    TransferIn,
    WalkInSubmission,
)
from backend.workdays.calendar import ChinaCalendar
from backend.workdays.service import load_calendar

Action = Callable[..., Awaitable[None]]
NO_STORE = CacheControlHeader(no_store=True)


async def _act(
    request: Request[Principal, Any, Any], state: State, number: str, act: Action, **body: Any
) -> CaseForStaff:
    clerk = clerk_of(request.user)
    calendar = await load_calendar()
    async with unit_of_work(state.doorbell):
        await act(number=number, clerk=clerk, calendar=calendar, lapse_s=lapse_s(state), **body)
    return await service.staff_view(number=number, clerk=clerk)


async def _page(listed: listing.Listed) -> CasePage:
    names = await listing.names_of(listed.rows)
    return CasePage(items=[present.entry(r, names) for r in listed.rows], total=listed.total)


class WindowController(Controller):
    path = "/api/v1/window"
    tags = ["window staff"]
    guards = [window_staff]

    @get("/queue", summary="My township's queue, most urgent first, with claims")
    async def queue(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> CasePage:
        township = clerk_of(request.user).area_code
        return await _page(
            await listing.queue(township_code=township, page=page, page_size=page_size)
        )

    @post(
        "/queue/claim",
        status_code=200,
        summary="Claim the next unclaimed case (200 with it, 204 when none is left)",
    )
    async def claim(self, request: Request[Principal, Any, Any], state: State) -> Response[Any]:
        clerk = clerk_of(request.user)
        async with unit_of_work(state.doorbell):
            number = await claims.claim_next(
                staff_id=clerk.id, township_code=clerk.area_code, lapse_s=lapse_s(state)
            )
        if number is None:
            return Response(content=None, status_code=204)
        view = await service.staff_view(number=number, clerk=clerk)
        return Response(msgspec.to_builtins(view), status_code=200)

    @get("/cases", summary="My township's cases (bundle children too), optionally by status")
    async def township_cases(
        self,
        request: Request[Principal, Any, Any],
        status: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> CasePage:
        listed = await listing.township_cases(
            township_code=clerk_of(request.user).area_code,
            status=listing.status_filter(status),
            page=page,
            page_size=page_size,
        )
        return await _page(listed)

    @post("/cases", status_code=201, summary="A walk-in accepted at the window (Idempotency-Key)")
    async def walk_in(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: JSONBody[WalkInSubmission],
    ) -> Response[Any]:
        clerk = clerk_of(request.user)

        async def prepare() -> tuple[Plan, Submitter, ChinaCalendar]:
            await walkin.check_here(
                item_code=data.item_code,
                bundle_code=data.bundle_code,
                service_point_id=data.service_point_id,
                township_code=clerk.area_code,
            )
            a = data.applicant
            await limit_id_lookup(
                request, route="walk_in", account=request.user.scope_key, fail_open=True
            )
            # A new applicant is registered only with a submission that holds: a refused
            # walk-in (a bad form, a missing material) rolls the registration back.
            async with db.engine().transaction():
                citizen_id = await walkin.find_or_register(
                    applicant=walkin.Applicant(a.name, a.id_number, a.village_code, a.phone),
                    cipher=state.cipher,
                )
                by = walkin.submitter(citizen_id=citizen_id, clerk=clerk)
                plan = await cases.prepare(body=data, by=by, shared_data=state.shared_data)
            return plan, by, await load_calendar()

        async def create(ready: tuple[Plan, Submitter, ChinaCalendar]) -> Any:
            plan, by, calendar = ready
            number = await walkin.file_and_accept(
                plan=plan, by=by, clerk=clerk, calendar=calendar, lapse_s=lapse_s(state)
            )
            return await service.staff_view(number=number, clerk=clerk)

        answer = await run_once(
            await claim_of(request),
            ttl_s=state.settings.idempotency_ttl_s,
            doorbell=state.doorbell,
            prepare=prepare,
            create=create,
        )
        return respond(answer)

    @get("/cases/{number:str}", guards=[township_case], summary="One case, as staff see it")
    async def detail(
        self, request: Request[Principal, Any, Any], state: State, number: str
    ) -> CaseForStaff:
        return await service.look(
            number=number, clerk=clerk_of(request.user), lapse_s=lapse_s(state)
        )

    @post(
        "/cases/{number:str}/release",
        guards=[township_case],
        status_code=200,
        summary="Give a claimed case back to the queue",
    )
    async def release(
        self, request: Request[Principal, Any, Any], state: State, number: str
    ) -> CaseForStaff:
        clerk = clerk_of(request.user)
        async with unit_of_work(state.doorbell):
            await service.release(number=number, clerk=clerk)
        return await service.staff_view(number=number, clerk=clerk)

    @post(
        "/cases/{number:str}/accept",
        guards=[township_case],
        status_code=200,
        summary="受理: accept (starts the clock)",
    )
    async def accept(
        self, request: Request[Principal, Any, Any], state: State, number: str
    ) -> CaseForStaff:
        return await _act(request, state, number, actions.accept)

    @post(
        "/cases/{number:str}/reject",
        guards=[township_case],
        status_code=200,
        summary="不予受理: reject, with the reason",
    )
    async def reject(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[RejectIn],
    ) -> CaseForStaff:
        return await _act(request, state, number, actions.reject, reason=data.reason)

    @post(
        "/cases/{number:str}/supplement",
        guards=[township_case],
        status_code=200,
        summary="补正: ask for every missing material at once",
    )
    async def supplement(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[SupplementRequestIn],
    ) -> CaseForStaff:
        return await _act(
            request, state, number, actions.supplement, missing=data.missing, note=data.note
        )

    @post(
        "/cases/{number:str}/supplements",
        guards=[township_case],
        status_code=200,
        summary="补正材料窗口递交: the applicant hands the missing materials in at the window",
    )
    async def supply(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[SupplementIn],
    ) -> CaseForStaff:
        return await _act(
            request,
            state,
            number,
            actions.supply_at_window,
            materials=list(data.materials),
            note=data.note,
        )

    @post(
        "/cases/{number:str}/transfer",
        guards=[township_case],
        status_code=200,
        summary="Transfer to a back office (default: the routing table)",
    )
    async def transfer(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[TransferIn],
    ) -> CaseForStaff:
        return await _act(
            request, state, number, actions.transfer, department_code=data.department_code
        )

    @post(
        "/cases/{number:str}/handoff",
        guards=[township_case],
        status_code=200,
        summary="全区通办: hand a queued case to another township",
    )
    async def handoff(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[HandoffIn],
    ) -> CaseForStaff:
        return await _act(request, state, number, actions.handoff, township_code=data.township_code)

    @post(
        "/cases/{number:str}/result",
        guards=[township_case],
        status_code=200,
        summary="出件: the result is ready",
    )
    async def result(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[NoteIn],
    ) -> CaseForStaff:
        return await _act(request, state, number, actions.issue_result, note=data.note)

    @post(
        "/cases/{number:str}/deliver",
        guards=[township_case],
        status_code=200,
        summary="送达: window, mail (tracking number) or agent",
    )
    async def deliver(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[DeliverIn],
    ) -> CaseForStaff:
        return await _act(
            request,
            state,
            number,
            actions.deliver,
            method=data.method,
            tracking_no=data.tracking_no,
        )

    @post(
        "/cases/{number:str}/materials/{upload_id:str}/link",
        guards=[township_case],
        status_code=200,
        summary="A short-lived link to a material (the read is audited)",
    )
    async def material_link(
        self, request: Request[Principal, Any, Any], state: State, number: str, upload_id: str
    ) -> MaterialLinkOut:
        return await material_link_for(request, state, number=number, upload_id=upload_id)

    @post(
        "/cases/{number:str}/form/{field:str}/reveal",
        guards=[township_case],
        status_code=200,
        cache_control=NO_STORE,
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
