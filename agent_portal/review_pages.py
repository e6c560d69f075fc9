"""The back office's pages (后台审批): cases transferred to my department; approve, deny, 补正.

The same domain functions as ``backend.window.review_routes``, each POST in ``unit_of_work``;
a case not transferred to the approver's department is the 404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal import casepage, desk, lists, texts
from agent_portal.desk import choices, text
from agent_portal.errors import PageNotFound
from backend.cases.clock import Calendar
from backend.errors import DomainError
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.outbox.service import unit_of_work
from backend.settings import Settings
from backend.window import access, listing, review, service
from backend.window.access import Clerk
from backend.workdays.service import load_calendar

Act = Callable[[str, Clerk, Calendar, FormMultiDict], Awaitable[None]]

ACTS: Final[dict[str, Act]] = {
    "approve": lambda n, c, cal, f: review.approve(
        number=n, clerk=c, calendar=cal, note=text(f, "note", label="审批意见")
    ),
    "deny": lambda n, c, cal, f: review.deny(
        number=n, clerk=c, calendar=cal, reason=text(f, "reason", label="理由")
    ),
    "supplement": lambda n, c, cal, f: review.supplement(
        number=n,
        clerk=c,
        calendar=cal,
        missing=choices(f, "missing"),
        note=text(f, "note", label="补正说明"),
    ),
}


def _case_url(number: str, done: str | None = None) -> str:
    return f"/portal/review/cases/{number}" + (f"?done={done}" if done else "")


class ReviewPages(Controller):
    path = "/review"
    include_in_schema = False

    @get("/", name="portal:review")
    async def cases(
        self, staff: StaffAccount, status: str = "in_review", page: int = 1
    ) -> Template:
        clerk = desk.clerk_in_role(staff, roles.APPROVER)
        page = desk.page_number(page)
        if status not in dict(texts.REVIEW_TABS):
            raise PageNotFound
        listed = await listing.review_cases(
            department_code=clerk.department_code or "",
            township_code=await access.approver_township(clerk),
            status=listing.status_filter(status),
            page=page,
            page_size=desk.PAGE_SIZE,
        )
        ctx = await lists.context(listed, page=page, clerk=clerk)
        ctx.update(tabs=texts.REVIEW_TABS, status=status)
        return Template("review/cases.html", context=ctx)

    @get("/cases/{number:str}", name="portal:review-case")
    async def case(self, staff: StaffAccount, number: str, done: str | None = None) -> Template:
        clerk, row = await desk.review_row(staff, number)
        view = await service.staff_view(number=number, clerk=clerk)
        return await casepage.page(view, row=row, desk=casepage.REVIEW, done=done)

    @post("/cases/{number:str}/{action:str}", name="portal:review-act")
    async def act(
        self, request: Request[Any, Any, Any], staff: StaffAccount, number: str, action: str
    ) -> Response[Any]:
        clerk, row = await desk.review_row(staff, number)
        run = ACTS.get(action)
        if run is None:
            raise PageNotFound
        form = await request.form()
        calendar = await load_calendar()
        try:
            async with unit_of_work(desk.doorbell(request.app.state)):
                await run(number, clerk, calendar, form)
        except DomainError as exc:
            view = await service.staff_view(number=number, clerk=clerk)
            return await casepage.page(
                view,
                row=row,
                desk=casepage.REVIEW,
                refused=casepage.refusal(action, exc, form),
                status_code=exc.status,
            )
        return Redirect(_case_url(number, action), status_code=303)

    @post("/cases/{number:str}/form/{field:str}/reveal", name="portal:review-reveal")
    async def reveal(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        settings: Settings,
        number: str,
        field: str,
    ) -> Response[Any]:
        """查看完整号码: the page again, with that one value in full (the read audited)."""
        clerk, row = await desk.review_row(staff, number)
        return await casepage.reveal_page(
            request,
            clerk=clerk,
            row=row,
            number=number,
            field=field,
            desk=casepage.REVIEW,
            view=lambda: service.staff_view(number=number, clerk=clerk),
        )

    @post("/cases/{number:str}/materials/{upload_id:str}/link", name="portal:review-material")
    async def material(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        settings: Settings,
        number: str,
        upload_id: str,
    ) -> Redirect:
        clerk, _ = await desk.review_row(staff, number)
        async with unit_of_work(desk.doorbell(request.app.state)):
            url = await service.material_link(
                number=number,
                upload_id=upload_id,
                clerk=clerk,
                audit=request.app.state.audit,
                settings=settings,
                lapse_s=settings.window_claim_s,
            )
        return Redirect(url, status_code=303)
