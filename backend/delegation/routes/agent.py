"""``/api/v1/agent/…`` — village agents and bank clerks (role ``agent``): villagers, mandates,
filing on behalf, errands, custody batches, the hand-over of results."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.cases.schemas import CaseForCitizen, SupplementIn
from backend.delegation import citizens, custody, errands, mandates, present, service
from backend.delegation.routes.guards import (
    CASE_404,
    HANDOVER_404,
    RECEIVE,
    HandoverStatusFilter,
    agent_batch,
    agent_case,
    agent_of,
    agent_only,
)
from backend.delegation.schemas import (
    EXAMPLE_CITIZEN_ID,
    AgentCaseOut,
    AgentCaseSubmission,
    AgentCitizenIn,
    CitizenOut,
    CitizenPage,
    ErrandPage,
    HandOverIn,
    HandoverIn,
    HandoverOut,
    HandoverPage,
    MandateIn,
    MandateOut,
    MandatePage,
    ReceiveIn,
)
from backend.deps import Deps
from backend.http.auth import ApiRequest
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.http.throttle import limit_id_lookup
from backend.identity.offline import Applicant
from backend.workdays.service import load_calendar


class AgentController(Controller):
    path = "/api/v1/agent"
    tags = ["代办员"]
    guards = [agent_only]

    # --- villagers ----------------------------------------------------------------------------

    @post(
        "/citizens",
        **operation(
            "登记群众",
            "代办员为不用微信的群众登记（姓名、身份证号码、所在村），号码已登记的找到同一人，"
            "答复其记录。只能登记本村（社区）的群众，政银通网点为本镇街的群众；号码已登记在"
            "别处的，实名核验通过时答 409 registered_elsewhere，否则提交镇街核实并答 409 "
            "referred_to_township。按账号和来源地址限制频率。",
            problems={
                403: ["village_not_yours"],
                409: ["registered_elsewhere", "referred_to_township", "applicant_name_mismatch"],
                422: ["applicant_invalid", "id_number_invalid", "identity_not_matched"],
                429: ["rate_limited"],
                503: ["rate_limit_unavailable"],
            },
            idempotent=True,
        ),
    )
    async def register_citizen(
        self, request: ApiRequest, deps: Deps, data: JSONBody[AgentCitizenIn]
    ) -> Response[CitizenOut]:
        agent = await agent_of(request.user)
        await limit_id_lookup(
            request, route="register", account=request.user.scope_key, fail_open=False
        )
        answer = await service.register_citizen(
            agent=agent,
            applicant=Applicant(data.name, data.id_number, data.village_code, data.phone),
            claim=await claim_of(request),
            verifier=deps.identity_verifier,
            cipher=deps.cipher,
            doorbell=deps.doorbell,
            ttl_s=deps.settings.idempotency_ttl_s,
        )
        return respond(answer, CitizenOut)

    @get(
        "/citizens",
        **operation(
            "查找服务范围内的群众",
            "按姓名、姓名拼音首字母或身份证号码后四位查找本人服务范围内的群众（代办员为本村"
            "（社区），政银通网点为本镇街）；q 为空时列出全部，按姓名排列，分页。",
        ),
    )
    async def find_citizens(
        self,
        request: ApiRequest,
        q: Annotated[
            str,
            Parameter(
                description=(
                    "姓名（的一部分）、姓名拼音首字母或身份证号码后四位；只看前 20 个字符。"
                ),
                examples=[Example(value="王秀"), Example(value="WXY"), Example(value="1228")],
            ),
        ] = "",
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> CitizenPage:
        agent = await agent_of(request.user)
        rows, total = await citizens.search(agent=agent, q=q[:20], page=page, page_size=page_size)
        return CitizenPage(items=[present.citizen(r) for r in rows], total=total)

    # --- mandates -----------------------------------------------------------------------------

    @post(
        "/mandates",
        **operation(
            "登记委托",
            "代办员登记群众的委托：委托的事项（item_codes）或一件事（bundle_code）二者选一，"
            "事项须可委托代办，到期日须晚于今天且在最长期限内。带纸质凭证（委托书和身份证照片）"
            "的委托立即生效（其中一部分被抽中由督查人员核查）；不带的待群众在小程序中确认，"
            "不用微信的群众必须带凭证。",
            problems={
                404: ["citizen_not_found", "upload_not_found"],
                409: ["upload_already_attached"],
                422: [
                    "mandate_scope_required",
                    "item_unknown",
                    "bundle_unknown",
                    "item_not_delegable",
                    "mandate_expiry_invalid",
                    "mandate_evidence_required",
                    "mandate_evidence_incomplete",
                ],
            },
            idempotent=True,
        ),
    )
    async def create_mandate(
        self, request: ApiRequest, deps: Deps, data: JSONBody[MandateIn]
    ) -> Response[MandateOut]:
        answer = await service.record_mandate(
            agent=await agent_of(request.user),
            citizen_id=data.citizen_id,
            item_codes=list(data.item_codes),
            bundle_code=data.bundle_code,
            expires_on=data.expires_on,
            evidence=list(data.evidence_upload_ids),
            claim=await claim_of(request),
            max_days=deps.settings.mandate_max_days,
            spot_check_rate=deps.settings.mandate_spot_check_rate,
            doorbell=deps.doorbell,
            ttl_s=deps.settings.idempotency_ttl_s,
        )
        return respond(answer, MandateOut)

    @get(
        "/mandates",
        **operation(
            "我登记的委托",
            "本人登记的委托，最新的在前，分页；可只看一位群众的。",
        ),
    )
    async def my_mandates(
        self,
        request: ApiRequest,
        citizen_id: Annotated[
            str | None,
            Parameter(
                description="只看这位群众（群众编号）的委托；不填为全部。",
                examples=[Example(value=EXAMPLE_CITIZEN_ID)],
            ),
        ] = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> MandatePage:
        rows, total = await mandates.for_agent(
            request.user.id, citizen_id=citizen_id, page=page, page_size=page_size
        )
        return MandatePage(items=[await present.mandate(r) for r in rows], total=total)

    # --- cases --------------------------------------------------------------------------------

    @post(
        "/cases",
        **operation(
            "代群众提交办件",
            "代办员依据生效中的委托为群众提交办件：内容与群众自己提交的相同，另加委托编号和已"
            "收取纸质原件的材料类型。申请人是委托人，群众在小程序中能看到这件办件。委托不是本人"
            "的答 404 mandate_not_found；未生效、已失效或不包括所办事项的答 403 "
            "mandate_required（reason 说明原因）。缺少的必需材料一次列全（422 "
            "materials_missing）。",
            problems={
                403: ["mandate_required"],
                404: ["mandate_not_found", "citizen_not_found", "upload_not_found"],
                409: ["identity_not_bound", "erasure_pending", "upload_already_attached"],
                422: [
                    "item_or_bundle_required",
                    "item_unknown",
                    "bundle_unknown",
                    "channel_not_offered",
                    "form_invalid",
                    "delivery_method_invalid",
                    "delivery_address_required",
                    "service_point_unknown",
                    "service_point_not_handling",
                    "material_not_needed",
                    "material_type_mismatch",
                    "materials_missing",
                ],
            },
            idempotent=True,
        ),
    )
    async def file_case(
        self,
        request: ApiRequest,
        deps: Deps,
        data: JSONBody[AgentCaseSubmission],
    ) -> Response[CaseForCitizen]:
        answer = await service.file_case(
            agent=await agent_of(request.user),
            mandate_id=data.mandate_id,
            body=data.submission(),
            claim=await claim_of(request),
            shared_data=deps.shared_data,
            doorbell=deps.doorbell,
            ttl_s=deps.settings.idempotency_ttl_s,
        )
        return respond(answer, CaseForCitizen)

    @get(
        "/cases",
        **operation(
            "我的代办件",
            "本人代为提交的办件（一件事算一件），每件带承诺期限、委托是否仍生效、纸质原件和出件"
            "的去向，以及现在要做的事；未办结的按期限在前，分页。",
        ),
    )
    async def my_errands(
        self,
        request: ApiRequest,
        open_only: Annotated[
            bool,
            Parameter(
                description="只看未办结的（默认）；false 时也列出已办结的。",
                examples=[Example(value=True)],
            ),
        ] = True,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> ErrandPage:
        agent = await agent_of(request.user)
        listed, total = await errands.errands(
            agent=agent,
            open_only=open_only,
            page=page,
            page_size=page_size,
            calendar=await load_calendar(),
        )
        return ErrandPage(items=[present.errand(e) for e in listed], total=total)

    @get(
        "/cases/{number:str}",
        guards=[agent_case],
        **operation(
            "代办件详情",
            "本人代为提交的一件办件（或一件事的子件）：群众看到的内容，加上委托、要做的事和纸质"
            "原件、出件的去向。委托失效后，只在本人还持有该办件的原件或出件时可以查看，否则答 "
            "404。",
            problems={404: CASE_404},
        ),
    )
    async def case_detail(self, request: ApiRequest, number: str) -> AgentCaseOut:
        return await service.case_out(number=number, agent=await agent_of(request.user))

    @post(
        "/cases/{number:str}/supplements",
        guards=[agent_case],
        status_code=200,
        **operation(
            "代群众补正材料",
            "为待补正的办件一次提交补正通知列出的全部材料；委托须仍生效（否则 403 "
            "mandate_required）。办件回到补正前的状态，答复更新后的办件。无权查看的办件在读取"
            "请求体之前答 404。",
            problems={
                403: ["mandate_required"],
                404: [*CASE_404, "upload_not_found"],
                409: ["transition_not_allowed", "upload_already_attached"],
                422: ["material_type_mismatch", "materials_missing"],
            },
        ),
    )
    async def supply(
        self,
        request: ApiRequest,
        deps: Deps,
        number: str,
        data: JSONBody[SupplementIn],
    ) -> AgentCaseOut:
        agent = await agent_of(request.user)
        await service.supply(
            agent=agent,
            number=number,
            materials=list(data.materials),
            note=data.note,
            doorbell=deps.doorbell,
        )
        return await service.case_out(number=number, agent=agent)

    @post(
        "/cases/{number:str}/handover-to-citizen",
        guards=[agent_case],
        status_code=200,
        **operation(
            "登记出件已交给群众",
            "代办员把已领取的出件交到申请人手中，上传交付照片作为凭证；办件随即送达（已送达）。"
            "出件须已在代办员手中（交接批次已确认领取），否则答 409 result_not_received。无权"
            "查看的办件在读取请求体之前答 404。",
            problems={
                404: [*CASE_404, "upload_not_found"],
                409: ["result_not_received", "upload_already_attached"],
                422: ["photo_required"],
            },
        ),
    )
    async def hand_over(
        self,
        request: ApiRequest,
        deps: Deps,
        number: str,
        data: JSONBody[HandOverIn],
    ) -> AgentCaseOut:
        agent = await agent_of(request.user)
        await service.hand_over_to_citizen(
            agent=agent, number=number, photo_upload_id=data.photo_upload_id, doorbell=deps.doorbell
        )
        return await service.case_out(number=number, agent=agent)

    # --- custody batches ----------------------------------------------------------------------

    @post(
        "/handovers",
        **operation(
            "纸质原件送交镇街",
            "把本人代为提交的办件中尚未送交（或镇街登记缺失）的纸质原件组成一个交接批次，答复"
            "清单和二维码；一个批次只能送往一个镇街，件数有上限。各办件的时间线记下送交。",
            problems={
                422: [
                    "handover_empty",
                    "handover_too_large",
                    "handover_cases_invalid",
                    "handover_nothing_to_send",
                    "handover_townships",
                ],
            },
            idempotent=True,
        ),
    )
    async def send_originals(
        self, request: ApiRequest, deps: Deps, data: JSONBody[HandoverIn]
    ) -> Response[HandoverOut]:
        answer = await service.send_originals(
            agent=await agent_of(request.user),
            numbers=list(data.case_numbers),
            limit=deps.settings.handover_max_cases,
            claim=await claim_of(request),
            doorbell=deps.doorbell,
            ttl_s=deps.settings.idempotency_ttl_s,
        )
        return respond(answer, HandoverOut)

    @get(
        "/handovers",
        **operation(
            "我的交接批次",
            "本人的交接批次，两个方向都有（送往镇街的纸质原件、镇街交来的出件），最新的在前，"
            "分页。",
        ),
    )
    async def my_batches(
        self,
        request: ApiRequest,
        status: HandoverStatusFilter = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> HandoverPage:
        rows, total = await custody.list_batches(
            agent_id=request.user.id, township=None, status=status, page=page, page_size=page_size
        )
        return HandoverPage(items=[present.handover_summary(r) for r in rows], total=total)

    @get(
        "/handovers/{handover_id:str}",
        guards=[agent_batch],
        **operation(
            "交接批次清单",
            "本人的一个交接批次：清单（每件办件交接的东西和登记缺失的东西）和二维码。",
            problems={404: HANDOVER_404},
        ),
    )
    async def my_batch(self, handover_id: str) -> HandoverOut:
        return await service.batch_out(handover_id=handover_id)

    @post(
        "/handovers/{handover_id:str}/receive",
        guards=[agent_batch],
        status_code=200,
        **operation(
            "确认领取出件",
            "代办员确认镇街交来的出件已领到（只适用于交给代办员的批次），同时登记没有收到的出件"
            "（items 为 result）。每个批次只能确认一次。不是本人的批次在读取请求体之前答 404。",
            problems=RECEIVE,
        ),
    )
    async def receive_results(
        self,
        request: ApiRequest,
        deps: Deps,
        handover_id: str,
        data: JSONBody[ReceiveIn],
    ) -> HandoverOut:
        agent = await agent_of(request.user)
        await service.receive_batch(
            handover_id=handover_id,
            direction=custody.TO_VILLAGE,
            actor=agent.actor(None),
            missing={m.case_number: list(m.items) for m in data.missing},
            doorbell=deps.doorbell,
        )
        return await service.batch_out(handover_id=handover_id)
