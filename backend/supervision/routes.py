"""Routes of supervision (``/api/v1/supervision/…``), for supervisors and administrators.

A township supervisor sees their township, a district one (and an administrator) the whole
district; a follow-up or call-back of another township is 404 before the body is read. The audit
viewer is for administrators and district supervisors only (403 for a township supervisor).
The spot checks of paper mandates (``/supervision/mandates``) live in ``backend.delegation``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody, Parameter

from backend.clock import today
from backend.http.auth import Principal, principal_of, staff_roles
from backend.http.pagination import Page, PageSize
from backend.identity import roles as R
from backend.outbox.service import unit_of_work
from backend.supervision import (
    audit_view,
    callbacks,
    escalation,
    followups,
    overdue,
    present,
    ratings,
    workload,
)
from backend.supervision import schemas as S
from backend.supervision.scope import Scope, load_scope, require_district
from backend.workdays.service import load_calendar

supervisors = staff_roles(R.SUPERVISOR, R.ADMIN)
WithinDays = Annotated[int | None, Parameter(ge=0, le=30, description="working days ahead")]
Day = Annotated[date | None, Parameter(description="YYYY-MM-DD, Asia/Shanghai")]


async def scope_of(who: Principal) -> Scope:
    return await load_scope(staff_id=who.id, role=who.role, area_code=who.area_code)


async def follow_up_in_scope(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    scope = await scope_of(principal_of(connection))
    await followups.get(follow_up_id=int(connection.path_params["follow_up_id"]), scope=scope)


async def call_in_scope(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    scope = await scope_of(principal_of(connection))
    await callbacks.get(call_id=int(connection.path_params["call_id"]), scope=scope)


async def _follow_up_out(scope: Scope, follow_up_id: int) -> S.FollowUpOut:
    row = await followups.get(follow_up_id=follow_up_id, scope=scope)
    return present.follow_up(followups.view_of(row, today()))


def _page(items: list[Any], page: int, page_size: int) -> list[Any]:
    return items[(page - 1) * page_size : page * page_size]


class SupervisionController(Controller):
    path = "/api/v1/supervision"
    tags = ["supervision"]
    guards = [supervisors]

    @get("/overdue", summary="Open cases past or near their deadline, and who holds each")
    async def overdue_cases(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        township: str | None = None,
        within_days: WithinDays = None,
        overdue_only: bool = False,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.OverduePage:
        scope = await scope_of(request.user)
        if scope.township is not None and township not in (None, scope.township):
            return S.OverduePage(items=[], total=0)
        found = await overdue.find(
            today=today(),
            calendar=await load_calendar(),
            soon_days=state.settings.overdue_soon_days if within_days is None else within_days,
            township=scope.township or township,
            overdue_only=overdue_only,
        )
        return S.OverduePage(
            items=[present.overdue(c) for c in _page(found, page, page_size)], total=len(found)
        )

    @get("/escalations", summary="Overdue cases escalated to the township's or district's")
    async def escalations(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> S.EscalationPage:
        scope = await scope_of(request.user)
        rows, total = await escalation.listed(
            township=scope.township, page=page, page_size=page_size
        )
        return S.EscalationPage(items=[present.escalation(r) for r in rows], total=total)

    @get("/evaluations", summary="Ratings (bad=true: 2 or less) with their follow-up's state")
    async def evaluations(
        self,
        request: Request[Principal, Any, Any],
        bad: bool = False,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.EvaluationPage:
        scope = await scope_of(request.user)
        rows, total = await ratings.listed(
            scope=scope, bad_only=bad, today=today(), page=page, page_size=page_size
        )
        return S.EvaluationPage(items=[present.evaluation(r, v) for r, v in rows], total=total)

    @get("/follow-ups", summary="Bad-rating follow-ups: open, overdue, resolved or all")
    async def follow_ups(
        self,
        request: Request[Principal, Any, Any],
        which: Annotated[str, Parameter(query="state", max_length=16)] = "open",
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.FollowUpPage:
        scope = await scope_of(request.user)
        views, total = await followups.listed(
            scope=scope, state=which, today=today(), page=page, page_size=page_size
        )
        return S.FollowUpPage(items=[present.follow_up(v) for v in views], total=total)

    @get("/follow-ups/{follow_up_id:int}", guards=[follow_up_in_scope], summary="A follow-up")
    async def follow_up(
        self, request: Request[Principal, Any, Any], follow_up_id: int
    ) -> S.FollowUpOut:
        return await _follow_up_out(await scope_of(request.user), follow_up_id)

    @post(
        "/follow-ups/{follow_up_id:int}/contact",
        guards=[follow_up_in_scope],
        status_code=200,
        summary="Record the call-back to the citizen (回访)",
    )
    async def contact(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        follow_up_id: int,
        data: JSONBody[S.NoteIn],
    ) -> S.FollowUpOut:
        scope = await scope_of(request.user)
        async with unit_of_work(state.doorbell):
            await followups.contact(follow_up_id=follow_up_id, scope=scope, note=data.note)
        return await _follow_up_out(scope, follow_up_id)

    @post(
        "/follow-ups/{follow_up_id:int}/resolve",
        guards=[follow_up_in_scope],
        status_code=200,
        summary="Resolve the follow-up (整改办结); the citizen may then rate once more",
    )
    async def resolve(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        follow_up_id: int,
        data: JSONBody[S.NoteIn],
    ) -> S.FollowUpOut:
        scope = await scope_of(request.user)
        async with unit_of_work(state.doorbell):
            await followups.resolve(follow_up_id=follow_up_id, scope=scope, note=data.note)
        return await _follow_up_out(scope, follow_up_id)

    @get("/callbacks", summary="The week's call-back sample (week=2026-W48 or a date in it)")
    async def calls(
        self,
        request: Request[Principal, Any, Any],
        week: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.CallPage:
        scope = await scope_of(request.user)
        monday = callbacks.parse_week(week) if week else callbacks.last_week(today())
        rows, total = await callbacks.listed(
            scope=scope, week=monday, page=page, page_size=page_size
        )
        return S.CallPage(week=monday, items=[present.call(r) for r in rows], total=total)

    @post(
        "/callbacks/{call_id:int}",
        guards=[call_in_scope],
        status_code=200,
        summary="Record a call's answers: reached, satisfied 1–5, trips, a note",
    )
    async def record_call(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        call_id: int,
        data: JSONBody[S.CallIn],
    ) -> S.CallOut:
        scope = await scope_of(request.user)
        async with unit_of_work(state.doorbell):
            await callbacks.record(
                call_id=call_id,
                scope=scope,
                reached=data.reached,
                satisfied=data.satisfied,
                trips=data.trips,
                note=data.note,
            )
        return present.call(await callbacks.get(call_id=call_id, scope=scope))

    @get("/agents", summary="Agents' workload: errands, filings, mandates, what they hold")
    async def agents(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> S.WorkloadPage:
        scope = await scope_of(request.user)
        found, total = await workload.workloads(
            scope=scope, today=today(), page=page, page_size=page_size
        )
        return S.WorkloadPage(items=[present.workload(w) for w in found], total=total)

    @get("/audit", summary="Who read which full ID numbers and materials (admin, district)")
    async def audit(
        self,
        request: Request[Principal, Any, Any],
        actor: str | None = None,
        citizen: str | None = None,
        from_: Annotated[date | None, Parameter(query="from", description="YYYY-MM-DD")] = None,
        to: Day = None,
        action: str | None = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> S.AuditPage:
        require_district(await scope_of(request.user))
        rows, total = await audit_view.entries(
            where=audit_view.AuditFilter(
                actor=actor, citizen=citizen, start=from_, end=to, action=action
            ),
            page=page,
            page_size=page_size,
        )
        return S.AuditPage(items=[present.audit(r) for r in rows], total=total)
