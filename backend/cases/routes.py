"""Citizen case routes: submit, list mine, detail, withdraw, supplement, evaluate.

Object-level authorization comes first: the ``own_case`` guard answers 404 for a case that is
not the caller's *before* the body is read or validated, so a stranger learns nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from backend.audit.service import Actor as AuditActor
from backend.cases import present, service
from backend.cases import views as case_views
from backend.cases.schemas import CasePage, CaseSubmission, EvaluationIn, MaterialLink, SupplementIn
from backend.cases.service import Submitter
from backend.cases.submission import Plan
from backend.cases.transitions import Actor
from backend.http.auth import Principal, citizen_only, principal_of
from backend.http.idempotent import claim_of, respond
from backend.http.pagination import Page, PageSize
from backend.idempotency.service import run_once
from backend.outbox.service import unit_of_work
from backend.workdays.calendar import ChinaCalendar
from backend.workdays.service import load_calendar

CASE_ROW = "cases.row"
"""Request-state key of the case row the ``own_case`` guard read (the detail route reuses it)."""


async def own_case(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    number = str(connection.path_params.get("number", ""))
    row = (
        await case_views.citizen_case(number=number, citizen_id=who.id)
        if who.kind == "citizen"
        else None
    )
    if row is None:
        raise service.not_found()
    connection.state[CASE_ROW] = row


def _citizen(who: Principal) -> Submitter:
    return Submitter(
        applicant_id=who.id,
        actor=Actor("citizen", who.id, "citizen", channel="miniprogram"),
        channel="miniprogram",
        filed_by_kind="self",
    )


async def _row(number: str) -> dict[str, Any]:
    row = await case_views.case_row(number=number)
    if row is None:
        raise service.not_found()
    return row


async def _detail(number: str, row: dict[str, Any] | None = None) -> Any:
    calendar = await load_calendar()
    return present.for_citizen(
        await case_views.view(row=row or await _row(number), calendar=calendar)
    )


class CitizenCaseController(Controller):
    path = "/api/v1/cases"
    tags = ["citizen cases"]

    @post("/", guards=[citizen_only], summary="Submit an application (accepts Idempotency-Key)")
    async def submit(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[CaseSubmission]
    ) -> Response[Any]:
        by = _citizen(request.user)

        async def prepare() -> tuple[Plan, ChinaCalendar]:
            plan = await service.prepare(body=data, by=by, shared_data=state.shared_data)
            return plan, await load_calendar()

        async def create(ready: tuple[Plan, ChinaCalendar]) -> Any:
            plan, calendar = ready
            return present.for_citizen(await service.submit(plan=plan, by=by, calendar=calendar))

        answer = await run_once(
            await claim_of(request),
            ttl_s=state.settings.idempotency_ttl_s,
            doorbell=state.doorbell,
            prepare=prepare,
            create=create,
        )
        return respond(answer)

    @get("/", guards=[citizen_only], summary="My cases, including those an agent filed for me")
    async def list_mine(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> CasePage:
        rows, total = await case_views.list_for_citizen(
            citizen_id=request.user.id, page=page, page_size=page_size
        )
        calendar = await load_calendar()
        items = [
            present.summary(
                row,
                name,
                shown.deadline.isoformat() if shown.deadline else None,
                shown.working_days_left,
            )
            for row, name, shown in await case_views.summaries(rows=rows, calendar=calendar)
        ]
        return CasePage(items=items, total=total)

    @get("/{number:str}", guards=[own_case], summary="One of my cases with its timeline")
    async def detail(self, request: Request[Principal, Any, Any], number: str) -> Any:
        return await _detail(number, request.state.get(CASE_ROW))

    @post(
        "/{number:str}/withdraw",
        guards=[own_case],
        status_code=200,
        summary="Withdraw before acceptance",
    )
    async def withdraw(
        self, request: Request[Principal, Any, Any], state: State, number: str
    ) -> Any:
        calendar = await load_calendar()
        actor = _citizen(request.user).actor
        async with unit_of_work(state.doorbell):
            await service.withdraw(row=await _row(number), actor=actor, calendar=calendar)
        return await _detail(number)

    @post(
        "/{number:str}/supplements",
        guards=[own_case],
        status_code=200,
        summary="Answer a supplement request (补正)",
    )
    async def supplement(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[SupplementIn],
    ) -> Any:
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            await service.supply(
                row=await _row(number),
                materials=data.materials,
                note=data.note,
                by=_citizen(request.user),
                calendar=calendar,
            )
        return await _detail(number)

    @post(
        "/{number:str}/materials/{upload_id:str}/link",
        guards=[own_case],
        status_code=200,
        summary="A short-lived link to one of the case's materials (the read is audited)",
    )
    async def material_link(
        self, request: Request[Principal, Any, Any], state: State, number: str, upload_id: str
    ) -> MaterialLink:
        reader = AuditActor("citizen", request.user.id, on_behalf_of=request.user.id)
        async with unit_of_work(state.doorbell):
            url = await service.material_link(
                row=await _row(number),
                upload_id=upload_id,
                reader=reader,
                audit=state.audit,
                settings=state.settings,
            )
        return MaterialLink(url=url, expires_in=state.settings.signed_url_ttl_s)

    @post(
        "/{number:str}/evaluation",
        guards=[own_case],
        status_code=201,
        summary="Rate a closed case (好差评)",
    )
    async def evaluate(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        number: str,
        data: JSONBody[EvaluationIn],
    ) -> Any:
        async with unit_of_work(state.doorbell):
            await service.evaluate(
                row=await _row(number),
                citizen_id=request.user.id,
                score=data.score,
                comment=data.comment or "",
            )
        return await _detail(number)
