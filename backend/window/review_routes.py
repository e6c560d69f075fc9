"""Back-office routes (后台审批): cases transferred to my department; approve, deny, supplement.

Every route needs the ``approver`` role (403 otherwise); every route on one case answers 404
for a case not transferred to the approver's department (or, for a township-level approver,
not in their township) before the body is read (``guards.department_case``).
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import JSONBody

from backend.deps import Deps
from backend.http.auth import ApiRequest
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.window import listing
from backend.window.guards import approvers, clerk_of, department_case
from backend.window.problems import CASE_404, MATERIAL_LINK, REVEAL
from backend.window.schemas import (
    CaseForStaff,
    CaseNoteIn,
    CaseNumberPath,
    DenyIn,
    FormFieldPath,
    MaterialLinkOut,
    RevealedOut,
    RevealIn,
    StaffCasePage,
    StatusQuery,
    SupplementRequestIn,
    UploadIdPath,
)
from backend.window.service import back_office, views

DECISION: dict[int, list[str]] = {404: [*CASE_404], 409: ["transition_not_allowed"]}
"""The problems of every back-office decision on one case."""


class ReviewController(Controller):
    path = "/api/v1/review"
    tags = ["后台审批"]
    guards = [approvers]

    @get(
        "/cases",
        **operation(
            "本部门待审批办件",
            "列出转交本部门审批的办件，默认只列审批中（in_review）的，可按状态筛选；镇街级审批"
            "人员只看到本镇街的。分页。",
        ),
    )
    async def list_cases(
        self,
        request: ApiRequest,
        status: StatusQuery = None,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> StaffCasePage:
        return await back_office.review_cases(
            clerk=clerk_of(request.user),
            status=listing.status_filter(status),
            page=page,
            page_size=page_size,
        )

    @get(
        "/cases/{number:str}",
        guards=[department_case],
        **operation(
            "查看办件",
            "转交本部门审批的一件办件的工作人员视图：申请人只显示姓名和遮掩后的身份证号码，表单"
            "中的敏感号码遮掩显示。",
            problems={404: [*CASE_404]},
        ),
    )
    async def detail(self, request: ApiRequest, number: CaseNumberPath) -> CaseForStaff:
        return await views.staff_view(number=number, clerk=clerk_of(request.user))

    @post(
        "/cases/{number:str}/approve",
        guards=[department_case],
        status_code=200,
        **operation(
            "审批通过",
            "审批通过已受理或审批中的办件，可附审批意见；之后由窗口出件。",
            problems=DECISION,
        ),
    )
    async def approve(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[CaseNoteIn],
    ) -> CaseForStaff:
        return await back_office.approve(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            note=data.note,
        )

    @post(
        "/cases/{number:str}/deny",
        guards=[department_case],
        status_code=200,
        **operation(
            "审批不通过",
            "审批不通过，须写明理由（会告知申请人），办件办结；一件事的最后一个子件办结时，"
            "整件随之办结。",
            problems={**DECISION, 422: ["reason_required"]},
        ),
    )
    async def deny(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[DenyIn],
    ) -> CaseForStaff:
        return await back_office.deny(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            reason=data.reason,
        )

    @post(
        "/cases/{number:str}/supplement",
        guards=[department_case],
        status_code=200,
        **operation(
            "要求补正",
            "后台要求补正：一次列出需要补正的全部材料，办件转为待补正并暂停计时，材料交齐后回到"
            "审批中。",
            problems={**DECISION, 422: ["supplement_empty", "supplement_material_unknown"]},
        ),
    )
    async def supplement(
        self,
        request: ApiRequest,
        deps: Deps,
        number: CaseNumberPath,
        data: JSONBody[SupplementRequestIn],
    ) -> CaseForStaff:
        return await back_office.supplement(
            number=number,
            clerk=clerk_of(request.user),
            doorbell=deps.doorbell,
            missing=data.missing,
            note=data.note,
        )

    @post(
        "/cases/{number:str}/materials/{upload_id:str}/link",
        guards=[department_case],
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
        guards=[department_case],
        status_code=200,
        cache_control=CacheControlHeader(no_store=True),
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
