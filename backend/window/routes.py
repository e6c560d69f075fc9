"""Window staff routes (镇街窗口): the township queue, claims, front-desk actions, walk-ins.

Every route needs the ``window`` role (403 otherwise); every route on one case answers 404 for a
case outside the clerk's township before the body is read (``guards.township_case``). Each
action answers the staff view of the case.
"""

from __future__ import annotations

from typing import cast

from litestar import Controller, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from backend.cases.schemas import SupplementIn
from backend.deps import Deps
from backend.http.auth import ApiRequest
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.http.throttle import limit_id_lookup
from backend.window import listing
from backend.window.delivery import Collector
from backend.window.guards import clerk_of, township_case, window_staff
from backend.window.listing import SearchTerms
from backend.window.problems import CASE_404, FRONT_DESK_409, MATERIAL_LINK, REVEAL
from backend.window.schemas import (
    CaseForStaff,
    CaseNoteIn,
    CaseNumberPath,
    DeliverIn,
    FiledFromQuery,
    FiledToQuery,
    FormFieldPath,
    HandoffIn,
    IdLast4Query,
    ItemQuery,
    MaterialLinkOut,
    NameQuery,
    NumberQuery,
    PhoneQuery,
    RejectIn,
    RevealedOut,
    RevealIn,
    StaffCasePage,
    StatusQuery,
    SupplementRequestIn,
    TransferIn,
    UploadIdPath,
    WalkInSubmission,
)
from backend.window.service import front_desk, views
from backend.window.service.walk_in import walk_in as file_walk_in

NO_STORE = CacheControlHeader(no_store=True)

FRONT_DESK: dict[int, list[str]] = {404: [*CASE_404], 409: [*FRONT_DESK_409]}
"""The problems of every front-desk action on one case."""

WALK_IN: dict[int, list[str]] = {
    404: ["upload_not_found"],
    409: [
        "applicant_name_mismatch",
        "identity_not_bound",
        "erasure_pending",
        "upload_already_attached",
    ],
    422: [
        "item_or_bundle_required",
        "item_unknown",
        "bundle_unknown",
        "service_point_not_here",
        "item_not_handled_here",
        "applicant_invalid",
        "id_number_invalid",
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
    429: ["rate_limited"],
}


class WindowController(Controller):
    path = "/api/v1/window"
    tags = ["窗口受理"]
    guards = [window_staff]

    @get(
        "/queue",
        **operation(
            "本镇街受理队列",
            "列出本镇街待受理的办件（一件事只列整件），最紧急的在前：先按办结期限，再按提交时间。"
            "每件带认领信息（claimed_by、claimed_until），申请人姓名遮掩显示。可按办件编号、"
            "申请人姓名、身份证号后4位、手机号码、事项、提交日期查找（条件同时满足）。分页。",
        ),
    )
    async def queue(
        self,
        request: ApiRequest,
        deps: Deps,
        page: Page = 1,
        page_size: PageSize = 20,
        number: NumberQuery = "",
        name: NameQuery = "",
        id_last4: IdLast4Query = "",
        phone: PhoneQuery = "",
        item: ItemQuery = "",
        filed_from: FiledFromQuery = "",
        filed_to: FiledToQuery = "",
    ) -> StaffCasePage:
        terms = SearchTerms(number, name, id_last4, phone, item, filed_from, filed_to)
        return await front_desk.queue_page(
            clerk=clerk_of(request.user),
            page=page,
            page_size=page_size,
            terms=terms,
            cipher=deps.cipher,
        )

    @post(
        "/queue/claim",
        status_code=200,
        responses={204: ResponseSpec(None, description="队列中没有可认领的办件。")},
        **operation(
            "认领下一件",
            "认领本镇街队列中最紧急、尚无人认领的办件，答复该办件（工作人员视图）；队列已空时"
            "答 204。一人可同时认领多件，同一办件不会被两人认领；认领在一段时间内无操作即失效。",
        ),
    )
    async def claim(self, request: ApiRequest, deps: Deps) -> Response[CaseForStaff]:
        view = await front_desk.claim_next(
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
        )
        if view is None:
            return cast("Response[CaseForStaff]", Response(content=None, status_code=204))
        return Response(view, status_code=200)

    @get(
        "/cases",
        **operation(
            "本镇街办件",
            "列出本镇街的全部办件（一件事的子件也单独列出，带 parent_number），可按状态筛选；"
            "窗口在这里找待出件和待送达的办件。查找条件同受理队列。分页。",
        ),
    )
    async def township_cases(
        self,
        request: ApiRequest,
        deps: Deps,
        status: StatusQuery = None,
        page: Page = 1,
        page_size: PageSize = 20,
        number: NumberQuery = "",
        name: NameQuery = "",
        id_last4: IdLast4Query = "",
        phone: PhoneQuery = "",
        item: ItemQuery = "",
        filed_from: FiledFromQuery = "",
        filed_to: FiledToQuery = "",
    ) -> StaffCasePage:
        terms = SearchTerms(number, name, id_last4, phone, item, filed_from, filed_to)
        return await front_desk.township_cases(
            clerk=clerk_of(request.user),
            status=listing.status_filter(status),
            page=page,
            page_size=page_size,
            terms=terms,
            cipher=deps.cipher,
        )

    @post(
        "/cases",
        status_code=201,
        **operation(
            "窗口收件并受理",
            "窗口当场收件：内容与市民提交办件相同，另加窗口前申请人的姓名、身份证号码和所在村"
            "（社区）。先检查事项和办事点是否在本镇街办理；申请人按身份证号码查找（姓名须一致），"
            "没有则登记（无需微信）。办件直接进入本镇街队列并受理，答复工作人员视图。",
            problems=WALK_IN,
            idempotent=True,
        ),
    )
    async def walk_in(
        self, request: ApiRequest, deps: Deps, data: JSONBody[WalkInSubmission]
    ) -> Response[CaseForStaff]:
        answer = await file_walk_in(
            submission=data,
            clerk=clerk_of(request.user),
            claimed=await claim_of(request),
            throttle=lambda: limit_id_lookup(
                request, route="walk_in", account=request.user.scope_key, fail_open=True
            ),
            doorbell=deps.doorbell,
            cipher=deps.cipher,
            shared_data=deps.shared_data,
            lapse_s=deps.settings.window_claim_s,
            ttl_s=deps.settings.idempotency_ttl_s,
        )
        return respond(answer, CaseForStaff)

    @get(
        "/cases/{number:str}",
        guards=[township_case],
        **operation(
            "查看办件",
            "本镇街一件办件的工作人员视图：申请人只显示姓名和遮掩后的身份证号码，表单中的敏感号码"
            "遮掩显示。查看自己认领的办件会延长认领。",
            problems={404: [*CASE_404]},
        ),
    )
    async def detail(self, request: ApiRequest, deps: Deps, number: CaseNumberPath) -> CaseForStaff:
        return await views.look(
            number=number, clerk=clerk_of(request.user), lapse_s=deps.settings.window_claim_s
        )

    @post(
        "/cases/{number:str}/release",
        guards=[township_case],
        status_code=200,
        **operation(
            "放回队列",
            "放弃自己对该办件的认领，办件回到队列供他人认领；没有认领时答 409 case_not_claimed。",
            problems={404: [*CASE_404], 409: ["case_not_claimed"]},
        ),
    )
    async def release(
        self, request: ApiRequest, deps: Deps, number: CaseNumberPath
    ) -> CaseForStaff:
        return await front_desk.release(
            number=number, clerk=clerk_of(request.user), doorbell=deps.doorbell
        )

    @post(
        "/cases/{number:str}/accept",
        guards=[township_case],
        status_code=200,
        **operation(
            "受理",
            "受理待受理的办件，开始计算办结期限；一件事整件受理，其待受理的子件一并受理。"
            "他人认领中的办件答 409 case_claimed。",
            problems=FRONT_DESK,
        ),
    )
    async def accept(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
    ) -> CaseForStaff:
        return await front_desk.accept(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
        )

    @post(
        "/cases/{number:str}/reject",
        guards=[township_case],
        status_code=200,
        **operation(
            "不予受理",
            "受理前不予受理，须写明理由（会告知申请人）。一件事整件不予受理时，其未办结的子件"
            "一并不予受理。",
            problems={**FRONT_DESK, 422: ["reason_required"]},
        ),
    )
    async def reject(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[RejectIn],
    ) -> CaseForStaff:
        return await front_desk.reject(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            reason=data.reason,
        )

    @post(
        "/cases/{number:str}/supplement",
        guards=[township_case],
        status_code=200,
        **operation(
            "要求补正",
            "一次列出需要补正的全部材料，办件转为待补正；受理后补正期间暂停计时。一件事受理后"
            "须对具体子件要求补正。",
            problems={**FRONT_DESK, 422: ["supplement_empty", "supplement_material_unknown"]},
        ),
    )
    async def supplement(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[SupplementRequestIn],
    ) -> CaseForStaff:
        return await front_desk.supplement(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            missing=data.missing,
            note=data.note,
        )

    @post(
        "/cases/{number:str}/supplements",
        guards=[township_case],
        status_code=200,
        **operation(
            "窗口递交补正材料",
            "申请人到窗口递交补正材料：窗口人员上传扫描件后在这里提交，须一次交齐补正通知列出的"
            "全部材料；办件回到补正前的状态，并记为申请人跑动一次。",
            problems={
                404: [*CASE_404, "upload_not_found"],
                409: [*FRONT_DESK_409, "upload_already_attached"],
                422: ["material_type_mismatch", "materials_missing"],
            },
        ),
    )
    async def supply(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[SupplementIn],
    ) -> CaseForStaff:
        return await front_desk.supply(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            materials=list(data.materials),
            note=data.note,
        )

    @post(
        "/cases/{number:str}/transfer",
        guards=[township_case],
        status_code=200,
        **operation(
            "转后台审批",
            "把已受理的办件转交部门审批：不指定部门时按分类审批规则（本镇街规则优先，其次全区"
            "默认，最后事项所属部门）。一件事把已受理的子件分别转交各自的部门，不能指定部门。",
            problems={
                404: [*CASE_404],
                409: ["case_claimed", "transition_not_allowed"],
                422: ["department_unknown", "department_for_bundle"],
            },
        ),
    )
    async def transfer(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[TransferIn],
    ) -> CaseForStaff:
        return await front_desk.transfer(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            department_code=data.department_code,
        )

    @post(
        "/cases/{number:str}/handoff",
        guards=[township_case],
        status_code=200,
        **operation(
            "转其他镇街受理",
            "全区通办：把待受理的办件转到另一个镇街的受理队列；办件的事项须都是全区通办事项，"
            "一件事整件转交。",
            problems={
                **FRONT_DESK,
                409: [*FRONT_DESK_409, "not_district_wide"],
                422: ["township_unknown", "township_same"],
            },
        ),
    )
    async def handoff(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[HandoffIn],
    ) -> CaseForStaff:
        return await front_desk.handoff(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            township_code=data.township_code,
        )

    @post(
        "/cases/{number:str}/result",
        guards=[township_case],
        status_code=200,
        **operation(
            "出件",
            "审批通过的办件结果已在窗口备好，办件转为已出件，可附说明。",
            problems=FRONT_DESK,
        ),
    )
    async def result(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[CaseNoteIn],
    ) -> CaseForStaff:
        return await front_desk.issue_result(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            note=data.note,
        )

    @post(
        "/cases/{number:str}/finish",
        guards=[township_case],
        status_code=200,
        **operation(
            "即办办结",
            "即办件（承诺时限为 0 个工作日）在窗口当场办结：尚未受理的先受理，再审批通过并出件，"
            "不转后台；可附出件说明。一件事须先整件受理，再对其中的即办事项逐项办结。不是即办件"
            "答 409 not_on_the_spot。",
            problems={**FRONT_DESK, 409: [*FRONT_DESK_409, "not_on_the_spot"]},
        ),
    )
    async def finish(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[CaseNoteIn],
    ) -> CaseForStaff:
        return await front_desk.finish_on_the_spot(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            note=data.note,
        )

    @post(
        "/cases/{number:str}/deliver",
        guards=[township_case],
        status_code=200,
        **operation(
            "送达",
            "登记已出件的结果送达申请人：窗口领取（须填领取人姓名和身份证号码，与申请人核对；"
            "号码不保存），或邮寄（须填快递单号；办件没有收件地址时须填收件地址，答 422 "
            "delivery_address_required）。由代办员转交的须放入交接批次，这里答 409 "
            "deliver_through_agent。",
            problems={
                **FRONT_DESK,
                409: [*FRONT_DESK_409, "deliver_through_agent"],
                422: [
                    "tracking_no_required",
                    "delivery_address_required",
                    "collector_required",
                    "collector_mismatch",
                    "id_number_invalid",
                ],
            },
        ),
    )
    async def deliver(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[DeliverIn],
    ) -> CaseForStaff:
        return await front_desk.deliver(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            lapse_s=deps.settings.window_claim_s,
            method=data.method,
            tracking_no=data.tracking_no,
            collector=Collector(data.collector_name or "", data.collector_id_number or ""),
            cipher=deps.cipher,
            address=data.delivery_address,
        )

    @post(
        "/cases/{number:str}/materials/{upload_id:str}/link",
        guards=[township_case],
        status_code=200,
        **operation(
            "获取材料链接",
            "办件一份上传材料的临时查看链接；每次查看都记入审计日志（代申请人查看）。",
            problems=MATERIAL_LINK,
        ),
    )
    async def material_link(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        upload_id: UploadIdPath,
    ) -> MaterialLinkOut:
        url = await views.material_link(
            number=number,
            upload_id=upload_id,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            audit=deps.audit,
            settings=deps.settings,
            lapse_s=deps.settings.window_claim_s,
        )
        return MaterialLinkOut(url=url, expires_in=deps.settings.signed_url_ttl_s)

    @post(
        "/cases/{number:str}/form/{field:str}/reveal",
        guards=[township_case],
        status_code=200,
        cache_control=NO_STORE,
        **operation(
            "查看完整号码",
            "查看表单中一项遮掩号码（masked_fields 之一）的完整值，须说明理由；记入审计日志，"
            "号码属于他人的也记在其名下。答复不缓存。",
            problems=REVEAL,
        ),
    )
    async def reveal(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        field: FormFieldPath,
        data: JSONBody[RevealIn],
    ) -> RevealedOut:
        value = await views.reveal(
            number=number,
            field=field,
            clerk=clerk_of(request.user),
            reason=data.reason,
            doorbell=deps.doorbell,
            audit=deps.audit,
        )
        return RevealedOut(field=field, value=value)
