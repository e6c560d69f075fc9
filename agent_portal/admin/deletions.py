"""The administrator's deletion requests (PIPL 删除申请): list, approve or refuse with a reason.

The pages call the same use cases as ``/api/v1/admin/deletion-requests``
(``backend.identity.service.deletions``). Before approving, the page says in plain words what
an approval does (docs/personal-data.md, "Carrying a deletion out"), and the administrator ticks
that they understood it.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_accounts as texts
from agent_portal.admin.accounts_forms import FormCheck, FormRefused, admin_actor, refusal
from agent_portal.common import desk
from agent_portal.common.errors import PageNotFound
from agent_portal.common.lists import Pages
from backend.clock import local
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity.service import StaffAccount, deletions
from backend.settings import Settings

BASE: Final = "/portal/admin/deletions"
DECISIONS: Final = {"approve": True, "refuse": False}


def _when(moment: Any) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


async def _list_page(status: str, page: int, done: str | None) -> Template:
    error = None if status in dict(texts.DELETION_TABS) else texts.FILTER_INVALID
    rows: list[deletions.RequestRow] = []
    total = 0
    if error is None:
        rows, total = await deletions.list_requests(
            status=None if status == "all" else status, page=page, page_size=desk.PAGE_SIZE
        )
    return Template(
        "admin/deletions_list.html",
        context={
            "rows": rows,
            "pages": Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total),
            "tabs": texts.DELETION_TABS,
            "status": status,
            "states": texts.DELETION_STATES,
            "error": error,
            "done": done,
            "when": _when,
            "applicant": texts.applicant,
        },
        status_code=422 if error else 200,
    )


async def _request_page(
    request_id: str,
    settings: Settings,
    *,
    check: FormCheck | None = None,
    failed: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    found = await deletions.get_request(request_id=request_id)
    effects = texts.approval_effects(
        notice_s=settings.deletion_notice_s,
        case_years=settings.retention_case_years,
        audit_years=settings.retention_audit_years,
    )
    return Template(
        "admin/deletions_detail.html",
        context={
            "r": found,
            "states": texts.DELETION_STATES,
            "effects": effects,
            "kept": check.values if check is not None else {},
            "problems": check.problems if check is not None else {},
            "failed": failed,
            "error": error,
            "when": _when,
            "applicant": texts.applicant,
        },
        status_code=status,
    )


async def _decide(
    deps: Deps, staff: StaffAccount, request_id: str, check: FormCheck, approve: bool
) -> str:
    reason = check.text("reason", limit=deletions.MAX_REASON, multiline=True)
    if approve:
        check.ticked("confirm", missing=texts.CONFIRM_APPROVAL)
    if not check.ok:
        raise FormRefused
    done = await deletions.decide(
        request_id=request_id,
        approve=approve,
        reason=reason,
        staff_id=staff.id,
        audit=deps.audit,
        doorbell=deps.doorbell,
        notice_s=deps.settings.deletion_notice_s,
    )
    return done.status


class DeletionPages(Controller):
    path = "/admin/deletions"
    include_in_schema = False

    @get("/", name="portal:admin-deletions")
    async def requests(
        self, staff: StaffAccount, status: str = "pending", page: int = 1, done: str = ""
    ) -> Template:
        admin_actor(staff)
        return await _list_page(status, desk.page_number(page), texts.DELETION_DONE.get(done))

    @get("/{request_id:str}", name="portal:admin-deletion")
    async def request(self, staff: StaffAccount, settings: Settings, request_id: str) -> Template:
        admin_actor(staff)
        return await _request_page(request_id, settings)

    @post("/{request_id:str}/{decision:str}", name="portal:admin-deletion-decide", status_code=200)
    async def decide(
        self,
        request: Request[Any, Any, Any],
        deps: Deps,
        staff: StaffAccount,
        request_id: str,
        decision: str,
    ) -> Response[Any]:
        admin_actor(staff)
        if decision not in DECISIONS:
            raise PageNotFound
        await deletions.get_request(request_id=request_id)  # 404 before the form is read
        check = FormCheck(await request.form())
        try:
            outcome = await _decide(deps, staff, request_id, check, DECISIONS[decision])
        except (FormRefused, DomainError) as exc:
            error, status = refusal(exc)
            return await _request_page(
                request_id, deps.settings, check=check, failed=decision, error=error, status=status
            )
        return Redirect(f"{BASE}/?status=pending&done={outcome}", status_code=303)
