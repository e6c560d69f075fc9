"""A supervisor's pages on cases (督办): the overdue list with its filters and export, and one
case read-only with 催办 (urge its holder) as the only action.

Every open of a case page is audited by the use case (``service.case``); a case outside the
supervisor's scope is the 404 page.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from agent_portal.common import casepage, desk
from agent_portal.common.errors import PageNotFound
from agent_portal.supervision import overdue_view, texts
from agent_portal.supervision.pages import _pages, _scope
from backend.cases.store.cases import CaseRecord
from backend.deps import Deps
from backend.errors import DomainError, NotFound
from backend.identity.service import StaffAccount
from backend.settings import Settings
from backend.supervision import casework, service
from backend.supervision import texts as domain_texts
from backend.supervision.scope import Scope
from backend.window.schemas import CaseForStaff


async def _view(deps: Deps, scope: Scope, number: str) -> tuple[CaseForStaff, CaseRecord]:
    try:
        return await service.case(
            scope=scope, number=number, doorbell=deps.doorbell, audit=deps.audit
        )
    except NotFound as exc:
        raise PageNotFound from exc


async def _in_scope(scope: Scope, number: str) -> None:
    try:
        await service.check_in_scope(scope=scope, number=number)
    except NotFound as exc:
        raise PageNotFound from exc


async def _case_page(
    found: tuple[CaseForStaff, CaseRecord],
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
    note: str = "",
) -> Template:
    view, row = found
    ctx = await casepage.context(view, row=row, desk=casepage.SUPERVISION)
    holder = casework.holder_of(view)
    ctx |= {
        "done": texts.DONE.get(done or ""),
        "error": error,
        "holder": holder,
        "holders": domain_texts.HOLDERS,
        "holder_label": texts.urge_holder(holder, ctx["township"], ctx["department"]),
        "note_limit": casework.URGE_NOTE_LIMIT,
        "posted_note": note,
        "closed": view.public_status == "closed",
    }
    return Template("supervision/case.html", context=ctx, status_code=status)


class SupervisionCasePages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/cases/{number:str}", name="portal:supervision-case")
    async def case(
        self, deps: Deps, staff: StaffAccount, number: str, done: str | None = None
    ) -> Template:
        found = await _view(deps, await _scope(staff), number)
        shown = await _case_page(found, done=done)
        shown.headers["Cache-Control"] = "no-store"
        return shown

    @post("/cases/{number:str}/urge", name="portal:supervision-urge")
    async def urge(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount, number: str
    ) -> Response[Any]:
        scope = await _scope(staff)
        await _in_scope(scope, number)  # 404 outside the scope, before the body is read
        form = await request.form()
        note = form.get("note")
        note = note if isinstance(note, str) else ""
        try:
            await service.urge(scope=scope, number=number, note=note, doorbell=deps.doorbell)
        except DomainError as exc:
            found = await _view(deps, scope, number)
            return await _case_page(found, error=exc.detail, status=exc.status, note=note)
        return Redirect(f"/portal/supervision/cases/{number}?done=urge", status_code=303)

    @get("/overdue", name="portal:supervision-overdue")
    async def overdue(
        self, request: Request[Any, Any, Any], staff: StaffAccount, settings: Settings
    ) -> Template:
        scope = await _scope(staff)
        query = overdue_view.Query.parse(request.query_params, settings.overdue_soon_days)
        page = desk.page_number(query.page)
        found, total = await service.overdue_list(
            scope=scope, where=query.where, sort=query.sort, page=page, page_size=desk.PAGE_SIZE
        )
        ctx = await overdue_view.context(scope, query, found, settings.overdue_soon_days)
        ctx["pages"] = _pages(page, total)
        return Template("supervision/overdue.html", context=ctx)

    @get("/overdue/export", name="portal:supervision-overdue-export")
    async def overdue_export(
        self, request: Request[Any, Any, Any], staff: StaffAccount, settings: Settings
    ) -> Response[bytes]:
        scope = await _scope(staff)
        query = overdue_view.Query.parse(request.query_params, settings.overdue_soon_days)
        found, _ = await service.overdue_list(
            scope=scope, where=query.where, sort=query.sort, page=None, page_size=0
        )
        body, disposition = overdue_view.export(found)
        return Response(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
        )
