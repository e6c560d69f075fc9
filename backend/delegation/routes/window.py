"""``/api/v1/window/handovers/…`` — the township receives originals and sends results back;
``/api/v1/window/referrals/…`` — it settles registrations referred to it."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.delegation import custody, present, referrals, service
from backend.delegation.routes.guards import (
    HANDOVER_404,
    RECEIVE,
    HandoverStatusFilter,
    staff_actor,
    township_batch,
    window_only,
)
from backend.delegation.schemas import (
    HandoverIn,
    HandoverOut,
    HandoverPage,
    ReceiveIn,
    ReferralPage,
    ReferralResolved,
    ReferralResolveIn,
    ReferralStatus,
)
from backend.deps import Deps
from backend.http.auth import ApiRequest
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize


class WindowHandoverController(Controller):
    path = "/api/v1/window/handovers"
    tags = ["窗口受理"]
    guards = [window_only]

    @get(
        "/",
        **operation(
            "本镇街的交接批次",
            "本镇街的交接批次，两个方向都有，最新的在前，分页。带 code（扫描清单二维码所得的"
            "内容或打印的批次码）时只找这一个批次，不看 status 和分页。",
        ),
    )
    async def batches(
        self,
        request: ApiRequest,
        status: HandoverStatusFilter = None,
        code: Annotated[
            str | None,
            Parameter(
                description="清单二维码的内容（JJB-HO:…）或打印的 8 位批次码；只看前 40 个字符。",
                examples=[Example(value="JJB-HO:ACDE3467")],
            ),
        ] = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> HandoverPage:
        rows, total = await custody.list_batches(  # a scanned code names one batch
            agent_id=None,
            township=request.user.area_code,
            status=None if code else status,
            code=custody.code_of(code[:40]) if code else None,
            page=1 if code else page,
            page_size=page_size,
        )
        return HandoverPage(items=[present.handover_summary(r) for r in rows], total=total)

    @post(
        "/",
        **operation(
            "出件交代办员转交",
            "把本镇街已出件、选择由代办员转交的办件组成一个交接批次，交给代为提交这些办件的代办员，"
            "答复清单和二维码；一个批次只能交给一位代办员，件数有上限。",
            problems={
                422: [
                    "handover_empty",
                    "handover_too_large",
                    "handover_cases_invalid",
                    "handover_agents",
                ],
            },
            idempotent=True,
        ),
    )
    async def send_results(
        self, request: ApiRequest, deps: Deps, data: JSONBody[HandoverIn]
    ) -> Response[HandoverOut]:
        answer = await service.send_results(
            township_code=request.user.area_code or "",
            clerk=staff_actor(request.user),
            numbers=list(data.case_numbers),
            limit=deps.settings.handover_max_cases,
            claim=await claim_of(request),
            doorbell=deps.doorbell,
            ttl_s=deps.settings.idempotency_ttl_s,
        )
        return respond(answer, HandoverOut)

    @get(
        "/{handover_id:str}",
        guards=[township_batch],
        **operation(
            "交接批次清单",
            "本镇街的一个交接批次：清单（每件办件交接的东西和登记缺失的东西）和二维码。",
            problems={404: HANDOVER_404},
        ),
    )
    async def batch(self, handover_id: str) -> HandoverOut:
        return await service.batch_out(handover_id=handover_id)

    @post(
        "/{handover_id:str}/receive",
        guards=[township_batch],
        status_code=200,
        **operation(
            "确认接收纸质原件",
            "镇街确认代办员送来的纸质原件已收到（只适用于送往镇街的批次），同时登记缺失的原件；"
            "缺失的原件回到代办员的待送交事项中。每个批次只能确认一次。不是本镇街的批次在读取"
            "请求体之前答 404。",
            problems=RECEIVE,
        ),
    )
    async def receive(
        self,
        request: ApiRequest,
        deps: Deps,
        handover_id: str,
        data: JSONBody[ReceiveIn],
    ) -> HandoverOut:
        await service.receive_batch(
            handover_id=handover_id,
            direction=custody.TO_TOWNSHIP,
            actor=staff_actor(request.user),
            missing={m.case_number: list(m.items) for m in data.missing},
            doorbell=deps.doorbell,
        )
        return await service.batch_out(handover_id=handover_id)


class WindowReferralController(Controller):
    """Registrations this township settles (待乡镇核实), see docs/personal-data.md."""

    path = "/api/v1/window/referrals"
    tags = ["窗口受理"]
    guards = [window_only]

    @get(
        "/",
        **operation(
            "待核实登记",
            "代办员登记时身份证号码已登记在别处、须由本镇街核实的登记，最新的在前，分页；可按"
            "状态筛选。",
        ),
    )
    async def referrals_list(
        self,
        request: ApiRequest,
        status: Annotated[
            ReferralStatus | None,
            Parameter(
                description=(
                    "只看此状态的：pending 待核实，moved 已迁入，refused 不予登记；不填为全部。"
                ),
                examples=[Example(value="pending")],
            ),
        ] = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> ReferralPage:
        rows, total = await referrals.list_for_township(
            township=str(request.user.area_code),
            status=status,
            page=page,
            page_size=page_size,
        )
        return ReferralPage(items=[present.referral(r) for r in rows], total=total)

    @post(
        "/{referral_id:str}/resolve",
        status_code=200,
        **operation(
            "处理待核实登记",
            "查验群众的证件后处理一条待核实登记：moved（已迁入代办员所在村，登记随之迁入，代办员"
            "可以为其代办）或 refused（不予登记），须填写核实情况。请求体先校验；不是本镇街的、"
            "不存在的或已处理的答 404 referral_not_found。",
            problems={404: ["referral_not_found", "not_found"], 422: ["reason_required"]},
        ),
    )
    async def referral_resolve(
        self,
        request: ApiRequest,
        deps: Deps,
        referral_id: str,
        data: JSONBody[ReferralResolveIn],
    ) -> ReferralResolved:
        await service.resolve_referral(
            referral_id=referral_id[:40],
            township=str(request.user.area_code),
            staff_id=request.user.id,
            outcome=data.outcome,
            note=data.note,
            doorbell=deps.doorbell,
        )
        return ReferralResolved(id=referral_id[:40], status=data.outcome)
