"""整改通知 pages: the supervisor's (issue, list, close or send back) and the addressee's — a
township's window clerks or a department's approvers (list, respond).

The use cases are ``backend.supervision.service``'s; an order outside the caller's reach is the
404 page, decided before a form is read. A refusal shows the page again with the reason and
what was typed, and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Response, Template

from agent_portal.common import desk as paging
from agent_portal.common.errors import PageNotFound, WrongRole
from agent_portal.supervision import texts
from agent_portal.supervision.pages import _pages, _scope, _when
from backend.deps import Deps
from backend.errors import DomainError, NotAllowed, NotFound
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.supervision import rectification, service
from backend.supervision.rectification import Desk, OrderDraft
from backend.supervision.scope import Scope

SUPERVISOR_BASE: Final = "/portal/supervision/rectifications"
DESK_BASE: Final = "/portal/rectifications"


def _text(form: FormMultiDict, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _state(raw: str) -> str:
    return raw if raw in dict(texts.ORDER_TABS) else "open"


def _list_context(
    rows: list[Any], total: int, page: int, state: str, base: str, done: str | None
) -> dict[str, Any]:
    return {
        "orders": rows,
        "pages": _pages(page, total),
        "tabs": texts.ORDER_TABS,
        "state": state,
        "states": texts.ORDER_STATES,
        "base": base,
        "done": texts.DONE.get(done or ""),
        "when": _when,
        "addressee_label": "",
    }


def _order_context(found: Any, base: str, **extra: Any) -> dict[str, Any]:
    row, steps = found
    return {
        "order": row,
        "steps": steps,
        "states": texts.ORDER_STATES,
        "step_labels": texts.ORDER_STEPS,
        "base": base,
        "limit": rectification.TEXT_LIMIT,
        "when": _when,
        "done": None,
        "error": None,
        "note": "",
        "addressee": False,
        **extra,
    }


async def _supervisor_order(scope: Scope, order_id: int) -> Any:
    try:
        return await service.order(scope=scope, order_id=order_id)
    except NotFound as exc:
        raise PageNotFound from exc


async def _new_context(scope: Scope, draft: OrderDraft, error: str | None) -> dict[str, Any]:
    towns, depts = await service.order_addressees(scope=scope)
    return {
        "draft": draft,
        "townships": towns,
        "departments": depts,
        "error": error,
        "limit": rectification.TEXT_LIMIT,
    }


def _draft(form: FormMultiDict) -> OrderDraft:
    return OrderDraft(
        target=_text(form, "target"),
        requirement=_text(form, "requirement"),
        deadline=_text(form, "deadline"),
        case_number=_text(form, "case_number")[:40],
    )


class SupervisionRectificationPages(Controller):
    """The supervisor's side: issue an order, follow it, close it or send it back."""

    path = "/supervision/rectifications"
    include_in_schema = False

    @get("/", name="portal:supervision-rectifications")
    async def orders(
        self,
        staff: StaffAccount,
        which: Annotated[str, Parameter(query="state")] = "open",
        page: int = 1,
        done: str | None = None,
    ) -> Template:
        scope = await _scope(staff)
        state, page = _state(which), paging.page_number(page)
        rows, total = await service.orders(
            scope=scope, state=state, page=page, page_size=paging.PAGE_SIZE
        )
        ctx = _list_context(rows, total, page, state, SUPERVISOR_BASE, done)
        ctx["counts"] = await service.rectification_counts(township=scope.township)
        ctx["township_names"] = dict((await service.order_addressees(scope=scope))[0])
        return Template("supervision/rectifications.html", context=ctx)

    @get("/new", name="portal:supervision-rectification-new")
    async def new(self, staff: StaffAccount, case: str = "") -> Template:
        scope = await _scope(staff)
        draft = OrderDraft(target="", requirement="", deadline="", case_number=case.strip()[:40])
        ctx = await _new_context(scope, draft, None)
        return Template("supervision/rectification_new.html", context=ctx)

    @post("/", name="portal:supervision-rectification-issue")
    async def issue(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        scope = await _scope(staff)
        draft = _draft(await request.form())
        try:
            order_id = await service.issue_order(
                scope=scope, draft=draft, doorbell=deps.doorbell, audit=deps.audit
            )
        except DomainError as exc:
            ctx = await _new_context(scope, draft, exc.detail)
            return Template(
                "supervision/rectification_new.html", context=ctx, status_code=exc.status
            )
        return Redirect(f"{SUPERVISOR_BASE}/{order_id}?done=issued", status_code=303)

    @get("/{order_id:int}", name="portal:supervision-rectification")
    async def order(self, staff: StaffAccount, order_id: int, done: str | None = None) -> Template:
        found = await _supervisor_order(await _scope(staff), order_id)
        ctx = _order_context(found, SUPERVISOR_BASE, done=texts.DONE.get(done or ""))
        return Template("supervision/rectification.html", context=ctx)

    @post("/{order_id:int}/{action:str}", name="portal:supervision-rectification-decide")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        deps: Deps,
        staff: StaffAccount,
        order_id: int,
        action: str,
    ) -> Response[Any]:
        scope = await _scope(staff)
        await _supervisor_order(scope, order_id)  # 404 outside the scope, before the body
        if action not in rectification.DECISIONS:
            raise PageNotFound
        note = _text(await request.form(), "note")
        return await _decide(deps, scope, order_id, action, note)


async def _decide(deps: Deps, scope: Scope, order_id: int, action: str, note: str) -> Response[Any]:
    """Close or return the order; on a refusal, its page again with the reason and the note."""
    try:
        await service.decide_order(
            scope=scope,
            order_id=order_id,
            action=action,
            note=note,
            doorbell=deps.doorbell,
            audit=deps.audit,
        )
    except DomainError as exc:
        found = await _supervisor_order(scope, order_id)
        ctx = _order_context(found, SUPERVISOR_BASE, error=exc.detail, note=note)
        return Template("supervision/rectification.html", context=ctx, status_code=exc.status)
    return Redirect(f"{SUPERVISOR_BASE}/{order_id}?done={action}", status_code=303)


async def _desk(staff: StaffAccount) -> Desk:
    try:
        return await service.desk_of(
            staff_id=staff.id,
            role=staff.role,
            area_code=staff.area_code,
            department=staff.department_code,
        )
    except NotAllowed as exc:
        raise WrongRole(roles.WINDOW) from exc


async def _desk_order(desk: Desk, order_id: int) -> Any:
    try:
        return await service.desk_order(desk=desk, order_id=order_id)
    except NotFound as exc:
        raise PageNotFound from exc


class RectificationDeskPages(Controller):
    """The addressee's side: a township's window clerks, a department's approvers."""

    path = "/rectifications"
    include_in_schema = False

    @get("/", name="portal:rectifications")
    async def orders(
        self,
        staff: StaffAccount,
        which: Annotated[str, Parameter(query="state")] = "open",
        page: int = 1,
        done: str | None = None,
    ) -> Template:
        desk = await _desk(staff)
        state, page = _state(which), paging.page_number(page)
        rows, total = await service.desk_orders(
            desk=desk, state=state, page=page, page_size=paging.PAGE_SIZE
        )
        ctx = _list_context(rows, total, page, state, DESK_BASE, done)
        ctx["addressee_label"] = texts.ORDER_ADDRESSEES.get(staff.role, "")
        return Template("supervision/rectifications.html", context=ctx)

    @get("/{order_id:int}", name="portal:rectification")
    async def order(self, staff: StaffAccount, order_id: int, done: str | None = None) -> Template:
        found = await _desk_order(await _desk(staff), order_id)
        ctx = _order_context(found, DESK_BASE, done=texts.DONE.get(done or ""), addressee=True)
        return Template("supervision/rectification.html", context=ctx)

    @post("/{order_id:int}/respond", name="portal:rectification-respond")
    async def respond(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount, order_id: int
    ) -> Response[Any]:
        desk = await _desk(staff)
        await _desk_order(desk, order_id)  # 404 outside the desk's reach, before the body
        text = _text(await request.form(), "text")
        try:
            await service.respond_order(
                desk=desk, order_id=order_id, text=text, doorbell=deps.doorbell, audit=deps.audit
            )
        except DomainError as exc:
            found = await _desk_order(desk, order_id)
            ctx = _order_context(found, DESK_BASE, error=exc.detail, note=text, addressee=True)
            return Template("supervision/rectification.html", context=ctx, status_code=exc.status)
        return Redirect(f"{DESK_BASE}/{order_id}?done=respond", status_code=303)
