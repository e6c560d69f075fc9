"""Routes of the delegation context.

- ``/api/v1/agent/…`` — village agents and bank clerks (role ``agent``): villagers, mandates,
  filing on behalf, errands, custody batches, the hand-over of results.
- ``/api/v1/mandates/…`` — the citizen sees, confirms, refuses and revokes mandates.
- ``/api/v1/window/handovers/…`` — the township receives originals and sends results back.
- ``/api/v1/window/referrals/…`` — the township settles registrations referred to it.
- ``/api/v1/supervision/mandates/…`` — supervisors' spot checks of paper mandates.

Object-level checks come first: a case, mandate, citizen or batch the caller has no standing
for is 404 before the body is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.cases import present as case_present
from backend.cases import service as cases
from backend.cases import views as case_views
from backend.cases.schemas import CaseForCitizen, SupplementIn
from backend.cases.service import Submitter
from backend.cases.submission import Plan
from backend.cases.transitions import Actor
from backend.delegation import citizens, custody, errands, filing, mandates, present, referrals
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
    HandoverStatus,
    MandateIn,
    MandateOut,
    MandatePage,
    ReceiveIn,
    ReferralPage,
    ReferralResolved,
    ReferralResolveIn,
    ReferralStatus,
    SpotCheckIn,
    SpotCheckOut,
    SpotCheckPage,
)
from backend.delegation.scope import Agent, load_agent
from backend.http.auth import ApiRequest, Principal, citizen_only, principal_of, staff_roles
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import audience, operation
from backend.http.pagination import Page, PageSize
from backend.http.throttle import limit_id_lookup
from backend.idempotency.service import run_once
from backend.identity import roles
from backend.identity.offline import Applicant
from backend.outbox.service import unit_of_work
from backend.workdays.service import load_calendar

agent_only = staff_roles(roles.AGENT)
window_only = staff_roles(roles.WINDOW)
supervisors = staff_roles(roles.SUPERVISOR, roles.ADMIN)

HandoverStatusFilter = Annotated[
    HandoverStatus | None,
    Parameter(
        description="只看此状态的批次：sent 已送出，received 已确认接收；不填为全部。",
        examples=[Example(value="sent")],
    ),
]

# problem codes of the use cases below, by status (what backend.delegation and the case
# services they call raise)
_CASE_404 = ["case_not_found", "not_found"]
_HANDOVER_404 = ["handover_not_found", "not_found"]
_MANDATE_404 = ["mandate_not_found", "not_found"]
_RECEIVE = {
    404: _HANDOVER_404,
    409: ["handover_already_received"],
    422: ["handover_missing_invalid"],
}


def staff_actor(who: Principal) -> Actor:
    return Actor("staff", who.id, who.role or roles.WINDOW, channel="window")


async def agent_of(who: Principal) -> Agent:
    return await load_agent(
        staff_id=who.id,
        name=who.account.display_name if who.account else "",
        area_code=who.area_code or "",
    )


@audience(roles.AGENT)
async def agent_case(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    if who.kind != "staff" or who.role != roles.AGENT:
        raise cases.not_found()
    number = str(connection.path_params.get("number", ""))
    if await errands.readable_case(number=number, agent=await agent_of(who)) is None:
        raise cases.not_found()


@audience(roles.AGENT)
async def agent_batch(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    found = await custody.batch(str(connection.path_params.get("handover_id", "")))
    if found is None or who.kind != "staff" or found["agent_id"] != who.id:
        raise custody.not_found()


@audience(roles.WINDOW)
async def township_batch(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    who = principal_of(connection)
    found = await custody.batch(str(connection.path_params.get("handover_id", "")))
    if found is None or who.kind != "staff" or found["township"] != who.area_code:
        raise custody.not_found()


@audience("citizen")
async def own_mandate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    found = await mandates.get(str(connection.path_params.get("mandate_id", "")))
    if found is None or who.kind != "citizen" or found["citizen_id"] != who.id:
        raise mandates.not_found()


async def _case_out(number: str, agent: Agent) -> AgentCaseOut:
    row = await case_views.case_row(number=number)
    if row is None:
        raise cases.not_found()
    calendar = await load_calendar()
    view = await case_views.view(row=row, calendar=calendar)
    root = row if row["parent"] is None else await errands.case_by_id(row["parent"])
    page, _ = await errands.errands_for_roots(agent=agent, roots=[root], calendar=calendar)
    errand = page[0]
    return AgentCaseOut(
        case=case_present.for_citizen(view),
        mandate_id=row["mandate_id"],
        mandate_live=errand.mandate_live,
        needs=[present.need(n) for n in errand.needs if n.case_number == number]
        if row["parent"] is not None
        else [present.need(n) for n in errand.needs],
        custody=present.custody(errand.custody),
    )


async def _batch_out(handover_id: str) -> HandoverOut:
    found = await custody.batch(handover_id)
    if found is None:
        raise custody.not_found()
    return present.handover(found, await custody.lines(handover_id))


async def _receive(
    state: State, handover_id: str, data: ReceiveIn, direction: str, actor: Actor
) -> HandoverOut:
    """Confirm a batch arrived (the guard checked the caller's standing), with what was missing."""
    async with unit_of_work(state.doorbell):
        await custody.receive(
            handover_id=handover_id,
            direction=direction,
            actor=actor,
            missing={m.case_number: list(m.items) for m in data.missing},
        )
    return await _batch_out(handover_id)


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
        self, request: ApiRequest, state: State, data: JSONBody[AgentCitizenIn]
    ) -> Response[CitizenOut]:
        agent = await agent_of(request.user)
        applicant = Applicant(data.name, data.id_number, data.village_code, data.phone)
        await limit_id_lookup(
            request, route="register", account=request.user.scope_key, fail_open=False
        )
        prepared = await citizens.prepare(
            agent=agent, applicant=applicant, verifier=state.get("identity_verifier")
        )

        async def create() -> CitizenOut:
            found = await citizens.register(agent=agent, prepared=prepared, cipher=state.cipher)
            rows, _ = await citizens.search(
                agent=agent, q="", page=1, page_size=1, only=found["id"]
            )
            return present.citizen(rows[0])

        try:
            return respond(
                await run_once(
                    await claim_of(request),
                    ttl_s=state.settings.idempotency_ttl_s,
                    doorbell=state.doorbell,
                    create=create,
                ),
                CitizenOut,
            )
        except citizens.ReferredToTownship as referred:
            await citizens.refer(agent=agent, referred=referred)
            raise

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
        self, request: ApiRequest, state: State, data: JSONBody[MandateIn]
    ) -> Response[MandateOut]:
        agent = await agent_of(request.user)
        settings = state.settings

        async def create() -> MandateOut:
            mandate_id = await mandates.create(
                agent=agent,
                citizen_id=data.citizen_id,
                item_codes=list(data.item_codes),
                bundle_code=data.bundle_code,
                expires_on=data.expires_on,
                evidence_upload_ids=list(data.evidence_upload_ids),
                max_days=settings.mandate_max_days,
                spot_check_rate=settings.mandate_spot_check_rate,
            )
            row = await mandates.get(mandate_id)
            assert row is not None
            return await present.mandate(row)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            ),
            MandateOut,
        )

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
        state: State,
        data: JSONBody[AgentCaseSubmission],
    ) -> Response[CaseForCitizen]:
        agent = await agent_of(request.user)

        async def prepare() -> tuple[Plan, Submitter]:
            return await filing.prepare(
                agent=agent,
                mandate_id=data.mandate_id,
                body=data.submission(),
                shared_data=state.shared_data,
            )

        async def create(ready: tuple[Plan, Submitter]) -> CaseForCitizen:
            number = await filing.create(plan=ready[0], by=ready[1])
            calendar = await load_calendar()
            row = await case_views.case_row(number=number)
            assert row is not None
            return case_present.for_citizen(await case_views.view(row=row, calendar=calendar))

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                prepare=prepare,
                create=create,
            ),
            CaseForCitizen,
        )

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
            problems={404: _CASE_404},
        ),
    )
    async def case_detail(self, request: ApiRequest, number: str) -> AgentCaseOut:
        return await _case_out(number, await agent_of(request.user))

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
                404: [*_CASE_404, "upload_not_found"],
                409: ["transition_not_allowed", "upload_already_attached"],
                422: ["material_type_mismatch", "materials_missing"],
            },
        ),
    )
    async def supply(
        self,
        request: ApiRequest,
        state: State,
        number: str,
        data: JSONBody[SupplementIn],
    ) -> AgentCaseOut:
        agent = await agent_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            row = await case_views.case_row(number=number)
            assert row is not None
            await errands.require_live_mandate(row)
            by = filing.submitter(
                agent=agent, citizen_id=str(row["applicant"]), mandate_id=row["mandate_id"]
            )
            await cases.supply(
                row=row, materials=list(data.materials), note=data.note, by=by, calendar=calendar
            )
        return await _case_out(number, agent)

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
                404: [*_CASE_404, "upload_not_found"],
                409: ["result_not_received", "upload_already_attached"],
                422: ["photo_required"],
            },
        ),
    )
    async def hand_over(
        self,
        request: ApiRequest,
        state: State,
        number: str,
        data: JSONBody[HandOverIn],
    ) -> AgentCaseOut:
        agent = await agent_of(request.user)
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            row = await case_views.case_row(number=number)
            assert row is not None
            if row["parent"] is not None:  # lock the bundle before its child
                await errands.lock_case(row["parent"])
            await errands.lock_case(row["id"])
            row = await case_views.case_row(number=number)
            assert row is not None
            await custody.hand_over_to_citizen(
                agent=agent, row=row, photo_upload_id=data.photo_upload_id, calendar=calendar
            )
        return await _case_out(number, agent)

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
        self, request: ApiRequest, state: State, data: JSONBody[HandoverIn]
    ) -> Response[HandoverOut]:
        agent = await agent_of(request.user)

        async def create() -> HandoverOut:
            handover_id = await custody.send_originals(
                agent=agent,
                numbers=list(data.case_numbers),
                limit=state.settings.handover_max_cases,
            )
            return await _batch_out(handover_id)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            ),
            HandoverOut,
        )

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
            problems={404: _HANDOVER_404},
        ),
    )
    async def my_batch(self, handover_id: str) -> HandoverOut:
        return await _batch_out(handover_id)

    @post(
        "/handovers/{handover_id:str}/receive",
        guards=[agent_batch],
        status_code=200,
        **operation(
            "确认领取出件",
            "代办员确认镇街交来的出件已领到（只适用于交给代办员的批次），同时登记没有收到的出件"
            "（items 为 result）。每个批次只能确认一次。不是本人的批次在读取请求体之前答 404。",
            problems=_RECEIVE,
        ),
    )
    async def receive_results(
        self,
        request: ApiRequest,
        state: State,
        handover_id: str,
        data: JSONBody[ReceiveIn],
    ) -> HandoverOut:
        agent = await agent_of(request.user)
        return await _receive(state, handover_id, data, custody.TO_VILLAGE, agent.actor(None))


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

    async def _decide(
        self,
        request: ApiRequest,
        state: State,
        mandate_id: str,
        act: Callable[..., Awaitable[None]],
    ) -> MandateOut:
        async with unit_of_work(state.doorbell):
            await act(mandate_id=mandate_id, citizen_id=request.user.id)
        row = await mandates.get(mandate_id)
        assert row is not None
        return await present.mandate(row)

    @post(
        "/{mandate_id:str}/confirm",
        guards=[own_mandate],
        status_code=200,
        **operation(
            "确认委托",
            "同意代办员代为办理委托范围内的事项：待确认的委托随即生效。已过期的答 409 "
            "mandate_expired，已确认、拒绝或撤销的答 409 mandate_not_pending。",
            problems={404: _MANDATE_404, 409: ["mandate_expired", "mandate_not_pending"]},
        ),
    )
    async def confirm(self, request: ApiRequest, state: State, mandate_id: str) -> MandateOut:
        return await self._decide(request, state, mandate_id, mandates.confirm)

    @post(
        "/{mandate_id:str}/refuse",
        guards=[own_mandate],
        status_code=200,
        **operation(
            "拒绝委托",
            "拒绝代办员的委托请求：只有待确认的委托可以拒绝，其他答 409 mandate_not_pending。",
            problems={404: _MANDATE_404, 409: ["mandate_not_pending"]},
        ),
    )
    async def refuse(self, request: ApiRequest, state: State, mandate_id: str) -> MandateOut:
        return await self._decide(request, state, mandate_id, mandates.refuse)

    @post(
        "/{mandate_id:str}/revoke",
        guards=[own_mandate],
        status_code=200,
        **operation(
            "撤销委托",
            "撤销待确认或生效中的委托：代办员从此不能再代为办理新的事务；已提交的办件照常办理。"
            "已结束的委托答 409 mandate_not_revocable。",
            problems={404: _MANDATE_404, 409: ["mandate_not_revocable"]},
        ),
    )
    async def revoke(self, request: ApiRequest, state: State, mandate_id: str) -> MandateOut:
        return await self._decide(request, state, mandate_id, mandates.revoke)


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
        if code:
            found = await custody.find_by_code(code[:40])
            rows = []
            if found:
                listed, _ = await custody.list_batches(
                    agent_id=None,
                    township=request.user.area_code,
                    status=None,
                    page=1,
                    page_size=100,
                )
                rows = [r for r in listed if r["id"] == found]
            return HandoverPage(items=[present.handover_summary(r) for r in rows], total=len(rows))
        rows, total = await custody.list_batches(
            agent_id=None,
            township=request.user.area_code,
            status=status,
            page=page,
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
        self, request: ApiRequest, state: State, data: JSONBody[HandoverIn]
    ) -> Response[HandoverOut]:
        who = request.user
        clerk = staff_actor(who)

        async def create() -> HandoverOut:
            handover_id = await custody.send_results(
                township_code=who.area_code or "",
                clerk=clerk,
                numbers=list(data.case_numbers),
                limit=state.settings.handover_max_cases,
            )
            return await _batch_out(handover_id)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            ),
            HandoverOut,
        )

    @get(
        "/{handover_id:str}",
        guards=[township_batch],
        **operation(
            "交接批次清单",
            "本镇街的一个交接批次：清单（每件办件交接的东西和登记缺失的东西）和二维码。",
            problems={404: _HANDOVER_404},
        ),
    )
    async def batch(self, handover_id: str) -> HandoverOut:
        return await _batch_out(handover_id)

    @post(
        "/{handover_id:str}/receive",
        guards=[township_batch],
        status_code=200,
        **operation(
            "确认接收纸质原件",
            "镇街确认代办员送来的纸质原件已收到（只适用于送往镇街的批次），同时登记缺失的原件；"
            "缺失的原件回到代办员的待送交事项中。每个批次只能确认一次。不是本镇街的批次在读取"
            "请求体之前答 404。",
            problems=_RECEIVE,
        ),
    )
    async def receive(
        self,
        request: ApiRequest,
        state: State,
        handover_id: str,
        data: JSONBody[ReceiveIn],
    ) -> HandoverOut:
        return await _receive(
            state, handover_id, data, custody.TO_TOWNSHIP, staff_actor(request.user)
        )


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
            problems={404: _MANDATE_404},
        ),
    )
    async def spot_check(
        self,
        request: ApiRequest,
        state: State,
        mandate_id: str,
        data: JSONBody[SpotCheckIn],
    ) -> SpotCheckOut:
        async with unit_of_work(state.doorbell):
            await mandates.spot_check(
                mandate_id=mandate_id,
                ok=data.ok,
                note=data.note,
                by=request.user.id,
                area_code=request.user.area_code or "",
            )
        row = await mandates.get(mandate_id)
        assert row is not None
        return await present.spot_check(row)


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
        self, request: ApiRequest, referral_id: str, data: JSONBody[ReferralResolveIn]
    ) -> ReferralResolved:
        await referrals.resolve(
            referral_id=referral_id[:40],
            township=str(request.user.area_code),
            staff_id=request.user.id,
            outcome=data.outcome,
            note=data.note,
        )
        return ReferralResolved(id=referral_id[:40], status=data.outcome)
