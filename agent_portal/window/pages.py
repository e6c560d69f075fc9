"""The township window's pages (一窗受理): the queue, the township's cases, a case and its actions.

Each page calls the same use cases as ``backend.window.routes`` (``backend.window.service``),
each in its own unit of work. A refused action (409/422 from the domain) shows its Chinese
detail on the case page, and the case is as it was (the transaction rolled back).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.common import casepage, desk, texts
from agent_portal.common.desk import choices, text
from agent_portal.common.errors import PageNotFound
from agent_portal.window import search
from backend.cases.store.cases import CaseRecord
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.window import listing
from backend.window.access import Clerk
from backend.window.delivery import Collector
from backend.window.listing import SearchTerms
from backend.window.schemas import CaseForStaff, StaffCasePage
from backend.window.service import front_desk, views

Act = Callable[[str, Clerk, Deps, FormMultiDict], Awaitable[object]]


def _on(deps: Deps) -> dict[str, Any]:
    """What every front-desk action takes besides the case and the clerk."""
    return {"doorbell": deps.doorbell, "lapse_s": deps.settings.window_claim_s}


ACTS: Final[dict[str, Act]] = {
    "accept": lambda n, c, d, f: front_desk.accept(number=n, clerk=c, **_on(d)),
    "reject": lambda n, c, d, f: front_desk.reject(
        number=n, clerk=c, **_on(d), reason=text(f, "reason", label="理由")
    ),
    "supplement": lambda n, c, d, f: front_desk.supplement(
        number=n,
        clerk=c,
        **_on(d),
        missing=choices(f, "missing"),
        note=text(f, "note", label="补正说明"),
    ),
    "transfer": lambda n, c, d, f: front_desk.transfer(
        number=n,
        clerk=c,
        **_on(d),
        department_code=text(f, "department_code", label="部门", limit=16) or None,
    ),
    "handoff": lambda n, c, d, f: front_desk.handoff(
        number=n, clerk=c, **_on(d), township_code=text(f, "township_code", label="镇街", limit=12)
    ),
    "result": lambda n, c, d, f: front_desk.issue_result(
        number=n, clerk=c, **_on(d), note=text(f, "note", label="出件说明")
    ),
    "finish": lambda n, c, d, f: front_desk.finish_on_the_spot(
        number=n, clerk=c, **_on(d), note=text(f, "note", label="出件说明")
    ),
    "deliver": lambda n, c, d, f: front_desk.deliver(
        number=n,
        clerk=c,
        **_on(d),
        method=text(f, "method", label="送达方式", limit=16),
        tracking_no=text(f, "tracking_no", label="快递单号", limit=64) or None,
        collector=Collector(
            text(f, "collector_name", label="领取人姓名", limit=64),
            text(f, "collector_id_number", label="领取人身份证号码", limit=24),
        ),
        cipher=d.cipher,
        address=text(f, "delivery_address", label="收件地址", limit=200) or None,
    ),
}


def _case_url(number: str, done: str | None = None) -> str:
    return f"/portal/window/cases/{number}" + (f"?done={done}" if done else "")


async def _refused(
    view: CaseForStaff, row: CaseRecord, action: str, exc: DomainError, form: FormMultiDict
) -> Template:
    """The case page again, the refusal beside the action's form."""
    return await casepage.page(
        view,
        row=row,
        desk=casepage.WINDOW,
        refused=casepage.refusal(action, exc, form),
        status_code=exc.status,
    )


async def _township_cases(
    clerk: Clerk, status: str, page: int, terms: SearchTerms, deps: Deps
) -> StaffCasePage:
    return await front_desk.township_cases(
        clerk=clerk,
        status=listing.status_filter(status),
        page=page,
        page_size=desk.PAGE_SIZE,
        terms=terms,
        cipher=deps.cipher,
    )


class WindowPages(Controller):
    path = "/window"
    include_in_schema = False

    @get("/queue", name="portal:window-queue")
    async def queue(
        self,
        staff: StaffAccount,
        deps: Deps,
        page: int = 1,
        notice: str = "",
        number: str = "",
        name: str = "",
        id_last4: str = "",
        phone: str = "",
        item: str = "",
        filed_from: str = "",
        filed_to: str = "",
    ) -> Template:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        page = desk.page_number(page)
        terms = search.terms_of(number, name, id_last4, phone, item, filed_from, filed_to)
        return await search.page(
            "window/queue.html",
            "/portal/window/queue",
            lambda: front_desk.queue_page(
                clerk=clerk, page=page, page_size=desk.PAGE_SIZE, terms=terms, cipher=deps.cipher
            ),
            terms=terms,
            page=page,
            clerk=clerk,
            extra={"notice": texts.QUEUE_NOTICES.get(notice)},
        )

    @post("/queue/claim", name="portal:window-claim")
    async def claim(self, staff: StaffAccount, deps: Deps) -> Redirect:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        view = await front_desk.claim_next(
            clerk=clerk, doorbell=deps.doorbell, lapse_s=deps.settings.window_claim_s
        )
        if view is None:
            return Redirect("/portal/window/queue?notice=empty", status_code=303)
        return Redirect(_case_url(view.number, "claim"), status_code=303)

    @get("/cases", name="portal:window-cases")
    async def township_cases(
        self,
        staff: StaffAccount,
        deps: Deps,
        status: str = "",
        page: int = 1,
        number: str = "",
        name: str = "",
        id_last4: str = "",
        phone: str = "",
        item: str = "",
        filed_from: str = "",
        filed_to: str = "",
    ) -> Template:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        page = desk.page_number(page)
        tabs = dict(texts.TOWNSHIP_TABS)
        if status not in tabs:
            raise PageNotFound
        terms = search.terms_of(number, name, id_last4, phone, item, filed_from, filed_to)
        return await search.page(
            "window/cases.html",
            "/portal/window/cases",
            lambda: _township_cases(clerk, status, page, terms, deps),
            terms=terms,
            page=page,
            clerk=clerk,
            extra={"tabs": texts.TOWNSHIP_TABS, "status": status},
        )

    @get("/cases/{number:str}", name="portal:window-case")
    async def case(
        self, staff: StaffAccount, deps: Deps, number: str, done: str | None = None
    ) -> Template:
        clerk, row = await desk.window_row(staff, number)
        view = await views.look(number=number, clerk=clerk, lapse_s=deps.settings.window_claim_s)
        return await casepage.page(view, row=row, desk=casepage.WINDOW, done=done)

    @post("/cases/{number:str}/release", name="portal:window-release")
    async def release(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
    ) -> Response[Any]:
        clerk, row = await desk.window_row(staff, number)
        form = await request.form()
        try:
            await front_desk.release(number=number, clerk=clerk, doorbell=deps.doorbell)
        except DomainError as exc:
            view = await views.staff_view(number=number, clerk=clerk)
            return await _refused(view, row, "release", exc, form)
        if form.get("next") == "case":
            return Redirect(_case_url(number), status_code=303)
        return Redirect("/portal/window/queue?notice=released", status_code=303)

    @post("/cases/{number:str}/{action:str}", name="portal:window-act")
    async def act(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
        action: str,
    ) -> Response[Any]:
        clerk, row = await desk.window_row(staff, number)
        run = ACTS.get(action)
        if run is None:
            raise PageNotFound
        form = await request.form()
        try:
            await run(number, clerk, deps, form)
        except DomainError as exc:
            view = await views.look(
                number=number, clerk=clerk, lapse_s=deps.settings.window_claim_s
            )
            return await _refused(view, row, action, exc, form)
        if action == "handoff":  # the case is another township's now: back to our queue
            return Redirect("/portal/window/queue?notice=handoff", status_code=303)
        return Redirect(_case_url(number, action), status_code=303)

    @post("/cases/{number:str}/form/{field:str}/reveal", name="portal:window-reveal")
    async def reveal(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
        field: str,
    ) -> Response[Any]:
        """查看完整号码: the page again, with that one value in full (the read audited)."""
        clerk, row = await desk.window_row(staff, number)
        return await casepage.reveal_page(
            request,
            deps,
            clerk=clerk,
            row=row,
            number=number,
            field=field,
            desk=casepage.WINDOW,
            view=lambda: views.look(
                number=number, clerk=clerk, lapse_s=deps.settings.window_claim_s
            ),
        )

    @post("/cases/{number:str}/materials/{upload_id:str}/link", name="portal:window-material")
    async def material(
        self, staff: StaffAccount, deps: Deps, number: str, upload_id: str
    ) -> Redirect:
        clerk, _ = await desk.window_row(staff, number)
        url = await views.material_link(
            number=number,
            upload_id=upload_id,
            clerk=clerk,
            doorbell=deps.doorbell,
            audit=deps.audit,
            settings=deps.settings,
            lapse_s=deps.settings.window_claim_s,
        )
        return Redirect(url, status_code=303)
