"""``/api/v1/supervision/mandates/…`` — supervisors' spot checks of paper mandates."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.delegation import mandates, present, service
from backend.delegation.routes.guards import MANDATE_404, supervisors
from backend.delegation.schemas import SpotCheckIn, SpotCheckOut, SpotCheckPage
from backend.deps import Deps
from backend.http.auth import ApiRequest
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize


class SpotCheckController(Controller):
    path = "/api/v1/supervision/mandates"
    tags = ["督查"]
    guards = [supervisors]

    @get(
        "/",
        **operation(
            "抽查的纸质委托",
            "本人辖区内代办员的纸质委托中被抽中核查的，最新的在前，分页；默认只看尚未核查的。",
        ),
    )
    async def sampled(
        self,
        request: ApiRequest,
        pending: Annotated[
            bool,
            Parameter(
                description="只看尚未核查的（默认）；false 时也列出已核查的。",
                examples=[Example(value=True)],
            ),
        ] = True,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> SpotCheckPage:
        rows, total = await mandates.sampled(
            area_code=request.user.area_code or "",
            pending=pending,
            page=page,
            page_size=page_size,
        )
        return SpotCheckPage(items=[await present.spot_check(r) for r in rows], total=total)

    @post(
        "/{mandate_id:str}/spot-check",
        status_code=200,
        **operation(
            "登记抽查结论",
            "记录对本人辖区内一份被抽中的纸质委托的核查结论（再次提交会覆盖）。请求体先校验；"
            "辖区外、未被抽中或不存在的委托答 404 mandate_not_found。",
            problems={404: MANDATE_404},
        ),
    )
    async def spot_check(
        self,
        request: ApiRequest,
        deps: Deps,
        mandate_id: str,
        data: JSONBody[SpotCheckIn],
    ) -> SpotCheckOut:
        await service.spot_check(
            mandate_id=mandate_id,
            ok=data.ok,
            note=data.note,
            by=request.user.id,
            area_code=request.user.area_code or "",
            doorbell=deps.doorbell,
        )
        return await service.spot_check_out(mandate_id=mandate_id)
