"""The back office's pages (后台审批): cases transferred to my department; approve, deny, 补正.

The same use cases as ``backend.window.review_routes`` (``backend.window.service``), each in
its own unit of work; a case not transferred to the approver's department is the 404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.common import casepage, desk, lists, texts
from agent_portal.common.desk import choices, text
from agent_portal.common.errors import PageNotFound
from backend.cases.store.cases import CaseRecord
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.window import listing
from backend.window.access import Clerk
from backend.window.service import back_office, views

Act = Callable[[str, Clerk, Deps, FormMultiDict], Awaitable[object]]

ACTS: Final[dict[str, Act]] = {
    "approve": lambda n, c, d, f: back_office.approve(
        number=n, clerk=c, doorbell=d.doorbell, note=text(f, "note", label="审批意见")
    ),
    "deny": lambda n, c, d, f: back_office.deny(
        number=n, clerk=c, doorbell=d.doorbell, reason=text(f, "reason", label="理由")
    ),
    "supplement": lambda n, c, d, f: back_office.supplement(
        number=n,
        clerk=c,
        doorbell=d.doorbell,
        missing=choices(f, "missing"),
        note=text(f, "note", label="补正说明"),
    ),
}


def _case_url(number: str, done: str | None = None) -> str:
    return f"/portal/review/cases/{number}" + (f"?done={done}" if done else "")


async def _refused(
    clerk: Clerk,
    row: CaseRecord,
    number: str,
    action: str,
    exc: DomainError,
    form: FormMultiDict,
) -> Template:
    """The case page again, the refusal beside the action's form."""
    view = await views.staff_view(number=number, clerk=clerk)
    return await casepage.page(
        view,
        row=row,
        desk=casepage.REVIEW,
        refused=casepage.refusal(action, exc, form),
        status_code=exc.status,
    )


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
        listed = await back_office.review_cases(
            clerk=clerk,
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
        view = await views.staff_view(number=number, clerk=clerk)
        return await casepage.page(view, row=row, desk=casepage.REVIEW, done=done)

    @post("/cases/{number:str}/{action:str}", name="portal:review-act")
    async def act(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
        action: str,
    ) -> Response[Any]:
        clerk, row = await desk.review_row(staff, number)
        run = ACTS.get(action)
        if run is None:
            raise PageNotFound
        form = await request.form()
        try:
            await run(number, clerk, deps, form)
        except DomainError as exc:
            return await _refused(clerk, row, number, action, exc, form)
        return Redirect(_case_url(number, action), status_code=303)

    @post("/cases/{number:str}/form/{field:str}/reveal", name="portal:review-reveal")
    async def reveal(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
        field: str,
    ) -> Response[Any]:
        """查看完整号码: the page again, with that one value in full (the read audited)."""
        clerk, row = await desk.review_row(staff, number)
        return await casepage.reveal_page(
            request,
            deps,
            clerk=clerk,
            row=row,
            number=number,
            field=field,
            desk=casepage.REVIEW,
            view=lambda: views.staff_view(number=number, clerk=clerk),
        )

    @post("/cases/{number:str}/materials/{upload_id:str}/link", name="portal:review-material")
    async def material(
        self, staff: StaffAccount, deps: Deps, number: str, upload_id: str
    ) -> Redirect:
        clerk, _ = await desk.review_row(staff, number)
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
