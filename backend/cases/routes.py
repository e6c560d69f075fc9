"""Citizen case routes: submit, list mine, detail, withdraw, supplement, evaluate.

Object-level authorization comes first: the ``own_case`` guard answers 404 for a case that is
not the caller's *before* the body is read or validated, so a stranger learns nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.cases import service
from backend.cases import views as case_views
from backend.cases.filing import not_found
from backend.cases.schemas import (
    CaseForCitizen,
    CaseSubmission,
    CitizenCasePage,
    EvaluationIn,
    MaterialLink,
    SupplementIn,
)
from backend.deps import Deps
from backend.http.auth import KIOSK_OK, ApiRequest, citizen_only, principal_of
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import audience, operation
from backend.http.pagination import Page, PageSize

CASE_ROW = "cases.row"
"""Request-state key of the case row the ``own_case`` guard read (the detail route reuses it)."""

Number = Annotated[
    str,
    Parameter(
        description="办件编号；一件事的子件编号带 -01、-02 等后缀。",
        examples=[Example(value="XS20261207000123")],
    ),
]
UploadIdPath = Annotated[
    str,
    Parameter(
        description="办件材料的上传编号（办件 materials 中的 upload_id）。",
        examples=[Example(value="up_Zk3v9QpX2mR7tLw4bN8cYg")],
    ),
]

NOT_MINE = {404: ["case_not_found", "not_found"]}
"""What ``own_case`` answers for a case that does not exist or is not the caller's."""


@audience("citizen")
async def own_case(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    number = str(connection.path_params.get("number", ""))
    row = (
        await case_views.citizen_case(number=number, citizen_id=who.id)
        if who.kind == "citizen"
        else None
    )
    if row is None:
        raise not_found()
    connection.state[CASE_ROW] = row


def _terminal_point(request: ApiRequest) -> str | None:
    """The service point of the self-service terminal a session files at, if any."""
    seat = request.user.terminal
    return seat.service_point_id if request.user.at_terminal and seat is not None else None


class CitizenCaseController(Controller):
    path = "/api/v1/cases"
    tags = ["市民办件"]

    @post(
        "/",
        guards=[citizen_only],
        **operation(
            "提交办件申请",
            "市民为自己申请一个事项（item_code）或一件事（bundle_code），须已完成实名登记。"
            "服务器一次核对事项、渠道、申请表、送达方式和材料：缺少的必需材料在一次答复中全部列出"
            "（422 materials_missing 的 missing），申请表的每处错误列在 errors 中；"
            "电子证照或数据共享能核验的材料可不上传。一件事中小程序不能申请的事项不随之提交，"
            "列在答复的 later 中（须到窗口或请代办员另行办理）；"
            "一件事中没有任何事项可在小程序申请时答 422 channel_not_offered。"
            "带同一 Idempotency-Key 重试不会重复提交。",
            problems={
                404: ["upload_not_found"],
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
                    "paper_not_allowed",
                    "material_not_needed",
                    "material_type_mismatch",
                    "materials_missing",
                ],
            },
            idempotent=True,
            opt={KIOSK_OK: True},
        ),
    )
    async def submit(
        self, request: ApiRequest, deps: Deps, data: JSONBody[CaseSubmission]
    ) -> Response[CaseForCitizen]:
        answer = await service.submit_own_case(
            body=data,
            citizen_id=request.user.id,
            claim=await claim_of(request),
            shared_data=deps.shared_data,
            doorbell=deps.doorbell,
            ttl_s=deps.settings.idempotency_ttl_s,
            terminal_point=_terminal_point(request),
        )
        return respond(answer, CaseForCitizen)

    @get(
        "/",
        guards=[citizen_only],
        **operation(
            "我的办件",
            "列出我作为申请人的办件，包括代办员、窗口或银行网点替我提交的，最新的在前；"
            "一件事只列一条。page 从 1 开始，page_size 最大 100。",
            opt={KIOSK_OK: True},
        ),
    )
    async def list_mine(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> CitizenCasePage:
        return await service.cases_of_citizen(
            citizen_id=request.user.id, page=page, page_size=page_size
        )

    @get(
        "/{number:str}",
        guards=[own_case],
        **operation(
            "查看办件",
            "我的一件办件：状态、办理进度、办结期限、材料、补正通知和出件信息；一件事带各子件。"
            "不存在的办件和别人的办件同样答 404 case_not_found。",
            problems=NOT_MINE,
            opt={KIOSK_OK: True},
        ),
    )
    async def detail(self, request: ApiRequest, number: Number) -> CaseForCitizen:
        return await service.case_for_citizen(number=number, row=request.state.get(CASE_ROW))

    @post(
        "/{number:str}/withdraw",
        guards=[own_case],
        status_code=200,
        **operation(
            "撤回申请",
            "在受理前撤回我的申请（已提交、待受理，或受理前要求的补正中）；撤回一件事会一并撤回"
            "其中未办结的子件，已有子件被受理时不能整体撤回。答复撤回后的办件。",
            problems={**NOT_MINE, 409: ["transition_not_allowed"]},
        ),
    )
    async def withdraw(self, request: ApiRequest, deps: Deps, number: Number) -> CaseForCitizen:
        return await service.withdraw_own_case(
            number=number, citizen_id=request.user.id, doorbell=deps.doorbell
        )

    @post(
        "/{number:str}/supplements",
        guards=[own_case],
        status_code=200,
        **operation(
            "提交补正材料",
            "按补正通知一次补齐全部材料（supplement.missing 中的每种类型），办件回到要求补正前的"
            "状态，受理后暂停的办结期限继续计算。先判断办件是否属于我（否则 404），再校验请求内容；"
            "办件不在待补正状态时答 409。答复补正后的办件。",
            problems={
                404: ["case_not_found", "upload_not_found", "not_found"],
                409: ["transition_not_allowed", "upload_already_attached"],
                422: ["material_type_mismatch", "materials_missing"],
            },
            opt={KIOSK_OK: True},
        ),
    )
    async def supplement(
        self, request: ApiRequest, deps: Deps, number: Number, data: JSONBody[SupplementIn]
    ) -> CaseForCitizen:
        return await service.supply_own_case(
            number=number, citizen_id=request.user.id, body=data, doorbell=deps.doorbell
        )

    @post(
        "/{number:str}/materials/{upload_id:str}/link",
        guards=[own_case],
        status_code=200,
        **operation(
            "获取材料查看链接",
            "为我的办件中的一份已上传材料生成短时有效的查看链接（GET /api/v1/files/{token}），"
            "有效秒数见 expires_in；每次生成都记入审计日志。",
            problems={
                404: ["case_not_found", "material_not_found", "upload_not_found", "not_found"]
            },
        ),
    )
    async def material_link(
        self, request: ApiRequest, deps: Deps, number: Number, upload_id: UploadIdPath
    ) -> MaterialLink:
        return await service.material_link_of_own_case(
            number=number,
            citizen_id=request.user.id,
            upload_id=upload_id,
            audit=deps.audit,
            settings=deps.settings,
            doorbell=deps.doorbell,
        )

    @post(
        "/{number:str}/evaluation",
        guards=[own_case],
        status_code=201,
        **operation(
            "评价办件",
            "对已办结的办件评分（好差评，1–5 分，2 分及以下为差评）。每件只能评价一次；"
            "差评经整改回访办结后，可再评价一次。答复评价后的办件。",
            problems={**NOT_MINE, 409: ["case_not_closed", "evaluation_exists"]},
        ),
    )
    async def evaluate(
        self, request: ApiRequest, deps: Deps, number: Number, data: JSONBody[EvaluationIn]
    ) -> CaseForCitizen:
        return await service.rate_own_case(
            number=number, citizen_id=request.user.id, body=data, doorbell=deps.doorbell
        )
