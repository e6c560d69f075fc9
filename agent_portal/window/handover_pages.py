"""The township's side of the handover batches (材料交接 · 镇村联动).

The window receives the agents' batches of paper originals, ticking anything missing
(``service.receive_batch``), and sends results for delivery through the agent back the other way
(``service.send_results``). A batch of another township is the 404 page, as in the API's guards.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.common import desk, handovers, texts
from agent_portal.common.errors import PageNotFound
from agent_portal.common.lists import Pages
from backend.delegation import custody, service
from backend.delegation.store.handovers import Batch
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.window.access import Clerk
from backend.window.steps import front_desk


async def _township_batch(clerk: Clerk, handover_id: str) -> Batch:
    found = await custody.batch(handover_id)
    if found is None or found.township != clerk.area_code:
        raise PageNotFound
    return found


async def _results_page(clerk: Clerk, *, error: str | None = None, status: int = 200) -> Template:
    return Template(
        "window/send_results.html",
        context={
            "groups": await handovers.results_to_send(clerk.area_code),
            "error": error,
            "empty": texts.SEND_RESULTS_NONE,
        },
        status_code=status,
    )


async def _window_list(
    clerk: Clerk, *, status: str, code: str, page: int, notice: str | None
) -> Template:
    """The township's batches of one status, a page of them."""
    page = desk.page_number(page)
    rows, total = await custody.list_batches(
        agent_id=None,
        township=clerk.area_code,
        status=status or None,
        page=page,
        page_size=desk.PAGE_SIZE,
    )
    return Template(
        "window/handovers.html",
        context={
            "batches": handovers.summaries(rows),
            "pages": Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total),
            "tabs": texts.HANDOVER_TABS,
            "status": status,
            "code": code.strip()[:40],
            "notice": notice,
        },
    )


async def _receive(deps: Deps, clerk: Clerk, handover_id: str, form: FormMultiDict) -> None:
    """Confirm the batch arrived, with what was ticked missing."""
    await service.receive_batch(
        handover_id=handover_id,
        direction=custody.TO_TOWNSHIP,
        actor=front_desk(clerk),
        missing=handovers.missing_of(form),
        doorbell=deps.doorbell,
    )


async def _send_results(deps: Deps, clerk: Clerk, form: FormMultiDict) -> str:
    """Batch the ticked results for delivery through their agents; the batch's id."""
    limit = deps.settings.handover_max_cases
    answer = await service.send_results(
        township_code=clerk.area_code,
        clerk=front_desk(clerk),
        numbers=handovers.numbers(form, limit),
        limit=limit,
        claim=None,
        doorbell=deps.doorbell,
        ttl_s=deps.settings.idempotency_ttl_s,
    )
    return str(answer.body["id"])


class WindowHandoverPages(Controller):
    path = "/window/handovers"
    include_in_schema = False

    @get("/", name="portal:window-handovers")
    async def batches(
        self, staff: StaffAccount, status: str = "sent", code: str = "", page: int = 1
    ) -> Response[Any]:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        tabs = dict(texts.HANDOVER_TABS)
        if status not in tabs:
            raise PageNotFound
        if code.strip():
            found = await custody.find_by_code(code[:40])
            batch = await custody.batch(found) if found else None
            if batch is not None and batch.township == clerk.area_code:
                return Redirect(f"{handovers.WINDOW_BASE}/{found}", status_code=303)
        notice = texts.HANDOVER_CODE_UNKNOWN if code.strip() else None
        return await _window_list(clerk, status=status, code=code, page=page, notice=notice)

    @get("/results", name="portal:window-send-results")
    async def results(self, staff: StaffAccount) -> Template:
        return await _results_page(desk.clerk_in_role(staff, roles.WINDOW))

    @post("/results", name="portal:window-send-results-submit")
    async def send_results(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
    ) -> Response[Any]:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        form = await request.form()
        try:
            batch_id = await _send_results(deps, clerk, form)
        except DomainError as exc:
            return await _results_page(clerk, error=exc.detail, status=exc.status)
        return Redirect(f"{handovers.WINDOW_BASE}/{batch_id}", status_code=303)

    @get("/{handover_id:str}", name="portal:window-handover")
    async def batch(self, staff: StaffAccount, handover_id: str, done: str = "") -> Template:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        found = await _township_batch(clerk, handover_id)
        return await handovers.batch_page(found, side="window", done=done)

    @post("/{handover_id:str}/receive", name="portal:window-handover-receive")
    async def receive(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        handover_id: str,
    ) -> Response[Any]:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        found = await _township_batch(clerk, handover_id)
        form = await request.form()
        try:
            await _receive(deps, clerk, handover_id, form)
        except DomainError as exc:
            return await handovers.batch_page(
                found, side="window", error=exc.detail, status=exc.status
            )
        return Redirect(f"{handovers.WINDOW_BASE}/{handover_id}?done=received", status_code=303)
