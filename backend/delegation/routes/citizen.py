"""``/api/v1/mandates/…`` — the citizen sees, confirms, refuses and revokes mandates."""

from __future__ import annotations

from litestar import Controller, get, post

from backend.delegation import mandates, present, service
from backend.delegation.routes.guards import MANDATE_404, own_mandate
from backend.delegation.schemas import MandateOut, MandatePage
from backend.deps import Deps
from backend.http.auth import ApiRequest, citizen_only
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize


class CitizenMandateController(Controller):
    path = "/api/v1/mandates"
    tags = ["委托代办"]
    guards = [citizen_only]

    @get(
        "/",
        **operation(
            "我的代办委托",
            "代办员请我确认的委托和我已有的委托，最新的在前，分页。",
        ),
    )
    async def mine(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> MandatePage:
        rows, total = await mandates.for_citizen(request.user.id, page=page, page_size=page_size)
        return MandatePage(items=[await present.mandate(r) for r in rows], total=total)

    @post(
        "/{mandate_id:str}/confirm",
        guards=[own_mandate],
        status_code=200,
        **operation(
            "确认委托",
            "同意代办员代为办理委托范围内的事项：待确认的委托随即生效。已过期的答 409 "
            "mandate_expired，已确认、拒绝或撤销的答 409 mandate_not_pending。",
            problems={404: MANDATE_404, 409: ["mandate_expired", "mandate_not_pending"]},
        ),
    )
    async def confirm(self, request: ApiRequest, deps: Deps, mandate_id: str) -> MandateOut:
        await service.confirm_mandate(
            mandate_id=mandate_id, citizen_id=request.user.id, doorbell=deps.doorbell
        )
        return await service.mandate_out(mandate_id=mandate_id)

    @post(
        "/{mandate_id:str}/refuse",
        guards=[own_mandate],
        status_code=200,
        **operation(
            "拒绝委托",
            "拒绝代办员的委托请求：只有待确认的委托可以拒绝，其他答 409 mandate_not_pending。",
            problems={404: MANDATE_404, 409: ["mandate_not_pending"]},
        ),
    )
    async def refuse(self, request: ApiRequest, deps: Deps, mandate_id: str) -> MandateOut:
        await service.refuse_mandate(
            mandate_id=mandate_id, citizen_id=request.user.id, doorbell=deps.doorbell
        )
        return await service.mandate_out(mandate_id=mandate_id)

    @post(
        "/{mandate_id:str}/revoke",
        guards=[own_mandate],
        status_code=200,
        **operation(
            "撤销委托",
            "撤销待确认或生效中的委托：代办员从此不能再代为办理新的事务；已提交的办件照常办理。"
            "已结束的委托答 409 mandate_not_revocable。",
            problems={404: MANDATE_404, 409: ["mandate_not_revocable"]},
        ),
    )
    async def revoke(self, request: ApiRequest, deps: Deps, mandate_id: str) -> MandateOut:
        await service.revoke_mandate(
            mandate_id=mandate_id, citizen_id=request.user.id, doorbell=deps.doorbell
        )
        return await service.mandate_out(mandate_id=mandate_id)
