"""The PDF of a formal notice from a staff case page (the 文书 card's 打印 / 下载 PDF links).

The window clerk of the case's township, the back office its department sent it to and the
agent who filed it (while they may read it) print a notice for the applicant in front of them;
each PDF read is audited as the citizen's is (``backend.notices.service.notice_pdf``) and
counted against the reader's limit (``backend.notices.limits``). Standing
is each desk's own case lookup: anyone else gets the 404 page before anything is read.
"""

from __future__ import annotations

from litestar import Controller, Response, get

from agent_portal.agent import desk as agent_desk
from agent_portal.common import desk
from agent_portal.common.errors import PageNotFound
from backend.audit.service import Actor
from backend.cases.store.cases import CaseRecord
from backend.delegation import errands
from backend.deps import Deps
from backend.errors import NotFound
from backend.identity.service import StaffAccount
from backend.notices import limits, present, service


async def _pdf(row: CaseRecord, staff: StaffAccount, deps: Deps, notice: str) -> Response[bytes]:
    """The PDF, counted against the staff member's per-minute limit (over it: the portal's
    429 page, in Chinese, from ``domain_error_page``)."""
    reader = Actor("staff", staff.id, on_behalf_of=str(row.applicant))
    try:
        notice_id = present.notice_id(notice)
    except NotFound as exc:
        raise PageNotFound from exc
    await limits.count_pdf_read(
        deps.redis, prefix=deps.settings.redis_prefix, reader=reader, limit=limits.PDF_LIMIT
    )
    try:
        found, pdf = await service.notice_pdf(
            row=row,
            notice_id=notice_id,
            base_url=deps.settings.base_url,
            reader=reader,
            audit=deps.audit,
        )
    except NotFound as exc:
        raise PageNotFound from exc
    response = present.pdf_response(found, pdf)
    response.headers.pop("Cache-Control", None)  # the portal's router says no-store already
    return response


class PaperPages(Controller):
    """GET …/cases/{number}/notices/{id}.pdf on each desk that has a case page."""

    path = ""
    include_in_schema = False

    @get("/window/cases/{number:str}/notices/{notice:str}", name="portal:window-notice")
    async def window(
        self, staff: StaffAccount, deps: Deps, number: str, notice: str
    ) -> Response[bytes]:
        _, row = await desk.window_row(staff, number)
        return await _pdf(row, staff, deps, notice)

    @get("/review/cases/{number:str}/notices/{notice:str}", name="portal:review-notice")
    async def review(
        self, staff: StaffAccount, deps: Deps, number: str, notice: str
    ) -> Response[bytes]:
        _, row = await desk.review_row(staff, number)
        return await _pdf(row, staff, deps, notice)

    @get("/agent/cases/{number:str}/notices/{notice:str}", name="portal:agent-notice")
    async def agent(
        self, staff: StaffAccount, deps: Deps, number: str, notice: str
    ) -> Response[bytes]:
        agent = await agent_desk.agent_of(staff)
        row = await errands.readable_case(number=number, agent=agent)
        if row is None:
            raise PageNotFound
        return await _pdf(row, staff, deps, notice)
