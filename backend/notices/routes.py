"""The citizen's notices (list, PDF) and the public verification page of a notice's QR code."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, HttpMethod, Response, get, route
from litestar.params import Parameter

from backend.audit.service import Actor
from backend.cases.routes import CASE_ROW, NOT_MINE, Number, own_case
from backend.cases.store.cases import CaseRecord
from backend.deps import Deps
from backend.errors import NotFound, RateLimited
from backend.http.auth import KIOSK_OK, PUBLIC, ApiRequest, PublicRequest
from backend.http.client import client_address
from backend.http.openapi import operation
from backend.notices import limits, present, service, texts
from backend.notices.schemas import NoticeForCitizen

NoticePdf = Annotated[
    str, Parameter(description="文书编号加 .pdf，例如 12.pdf（取自文书列表的 pdf_path）。")
]


class CitizenNoticeController(Controller):
    path = "/api/v1/cases"
    tags = ["市民办件"]

    @get(
        "/{number:str}/notices",
        guards=[own_case],
        **operation(
            "我的办件文书",
            "办件已出具的书面凭证：受理通知书、不予受理通知书、补正材料通知书、不予许可（办理）"
            "决定书、办结通知书（送达回执）；一件事含各子件的文书。每份可下载 PDF（pdf_path）。",
            problems=NOT_MINE,
            opt={KIOSK_OK: True},
        ),
    )
    async def list_notices(self, request: ApiRequest, number: Number) -> list[NoticeForCitizen]:
        row: CaseRecord = request.state[CASE_ROW]
        return present.for_citizen(await service.notices_of(row=row), number=number)

    @get(
        "/{number:str}/notices/{notice:str}",
        guards=[own_case],
        media_type="application/pdf",
        **operation(
            "下载文书 PDF",
            "一份文书的 PDF（A4，盖章处标注“（印章）”，附核验二维码）。下载文件名为文书标题和文号，"
            "例如“受理通知书-萧公受字〔2026〕第12号.pdf”（Content-Disposition 的 filename*）。"
            "别人的办件、不属于该办件的文书同样答 404。每次下载记入审计日志；"
            "每人每分钟至多下载 30 次（429 rate_limited）。",
            problems={404: [*NOT_MINE[404], "notice_not_found"], 429: ["rate_limited"]},
            opt={KIOSK_OK: True},
        ),
    )
    async def notice_pdf(
        self, request: ApiRequest, deps: Deps, number: Number, notice: NoticePdf
    ) -> Response[bytes]:
        notice_id = present.notice_id(notice)
        reader = Actor("citizen", request.user.id)
        await limits.count_pdf_read(
            deps.redis, prefix=deps.settings.redis_prefix, reader=reader, limit=limits.PDF_LIMIT
        )
        found, pdf = await service.notice_pdf(
            row=request.state[CASE_ROW],
            notice_id=notice_id,
            base_url=deps.settings.base_url,
            reader=reader,
            audit=deps.audit,
        )
        return present.pdf_response(found, pdf)


async def _looked_up(request: PublicRequest, deps: Deps, token: str) -> service.Verified:
    """The token's notice, after counting the lookup against the client's address (only:
    one client's flood never blocks another's lookup)."""
    settings = deps.settings
    await limits.count_verify(
        deps.redis,
        prefix=settings.redis_prefix,
        address=client_address(request, settings),
        limit=limits.VERIFY_LIMIT,
    )
    return await service.verify(token=token)


@route(
    "/verify/{token:str}",
    http_method=[HttpMethod.GET, HttpMethod.HEAD],
    opt=PUBLIC,
    include_in_schema=False,
    media_type="text/html",
)
async def verify_page(request: PublicRequest, deps: Deps, token: str) -> Response[str]:
    """The public page a notice's QR code opens: its non-personal facts, or a plain 404."""
    try:
        facts = await _looked_up(request, deps, token)
    except RateLimited:
        return present.verify_html(None, status=429, message=texts.RATE_LIMITED)
    except NotFound:
        return present.verify_html(None, status=404, message=texts.NOT_FOUND_BODY)
    return present.verify_html(facts, status=200, message="")
