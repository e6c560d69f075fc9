"""Opening a restricted case file (its applicant's deletion was carried out): administrators
only, with a reason, written to the audit chain (``backend.cases.erase``)."""

from __future__ import annotations

from litestar import Controller, post

from backend.cases import erase
from backend.cases.routes import Number
from backend.cases.schemas import CaseForCitizen, RestrictedOpenIn
from backend.deps import Deps
from backend.http.auth import ApiRequest, staff_roles
from backend.http.openapi import operation
from backend.identity import roles


class RestrictedCaseController(Controller):
    path = "/api/v1/admin/restricted-cases"
    guards = [staff_roles(roles.ADMIN)]
    tags = ["管理员"]

    @post(
        "/{number:str}/open",
        status_code=200,
        **operation(
            "查看受限办件",
            "申请人的个人信息删除后，其办件档案受限保存，不再出现在任何列表和查询中。"
            "管理员说明理由后可查看一件受限办件，每次查看都记入审计日志；"
            "理由为空或只含空白答 422 reason_required。",
            problems={404: ["case_not_found", "not_found"], 422: ["reason_required"]},
        ),
    )
    async def open_restricted_case(
        self, request: ApiRequest, deps: Deps, number: Number, data: RestrictedOpenIn
    ) -> CaseForCitizen:
        return await erase.open_restricted(
            number=number, reason=data.reason, staff_id=request.user.id, audit=deps.audit
        )
