"""Administrators' API for deletion requests (PIPL art. 47): list, approve, refuse."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import Parameter

from backend.deps import Deps
from backend.http.auth import ApiRequest, staff_roles
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.identity import roles
from backend.identity.schemas import (
    DecisionIn,
    DecisionOut,
    DeletionRequestOut,
    DeletionRequestPage,
    DeletionStatus,
)
from backend.identity.service import deletions

StatusFilter: TypeAlias = Annotated[
    DeletionStatus | None,
    Parameter(
        description=(
            "只列出该状态的申请：pending 待处理、approved 已批准、refused 已驳回、"
            "completed 已删除。"
        ),
        examples=[Example(value="pending")],
    ),
]
_DECISION = {404: ["deletion_request_not_found", "not_found"], 422: ["reason_required"]}


class DeletionAdminController(Controller):
    path = "/api/v1/admin/deletion-requests"
    guards = [staff_roles(roles.ADMIN)]
    tags = ["管理员"]

    @get(
        "/",
        **operation(
            "删除申请列表",
            "列出群众的个人信息删除申请，最早提出的在前，可按状态筛选，分页（page、page_size，"
            "每页最多 100 条）。cases 是申请人的办件数：尚有未办结的办件时不能批准。",
        ),
    )
    async def list_deletion_requests(
        self, status: StatusFilter = None, page: Page = 1, page_size: PageSize = 20
    ) -> DeletionRequestPage:
        rows, total = await deletions.list_requests(status=status, page=page, page_size=page_size)
        return DeletionRequestPage(items=[_out(r) for r in rows], total=total)

    @post(
        "/{request_id:str}/approve",
        status_code=200,
        **operation(
            "批准删除申请",
            "批准一件待处理的删除申请，须填写理由。先以消息告知申请人，稍后删除其个人信息；"
            "依法保存的办件限制处理。申请人尚有未办结的办件时不能批准（409 deletion_open_cases）。"
            "申请不存在或已处理答 404。",
            problems={**_DECISION, 409: ["deletion_open_cases"]},
        ),
    )
    async def approve_deletion(
        self, request: ApiRequest, deps: Deps, request_id: str, data: DecisionIn
    ) -> DecisionOut:
        return await _decide(request, deps, request_id, data, approve=True)

    @post(
        "/{request_id:str}/refuse",
        status_code=200,
        **operation(
            "驳回删除申请",
            "驳回一件待处理的删除申请，须填写理由，理由以消息告知申请人。"
            "申请不存在或已处理答 404。",
            problems=_DECISION,
        ),
    )
    async def refuse_deletion(
        self, request: ApiRequest, deps: Deps, request_id: str, data: DecisionIn
    ) -> DecisionOut:
        return await _decide(request, deps, request_id, data, approve=False)


def _out(r: deletions.RequestRow) -> DeletionRequestOut:
    return DeletionRequestOut(
        id=r.id,
        status=r.status,
        citizen_id=r.citizen_id,
        name=r.name,
        id_number_masked=r.id_number_masked,
        reason=r.reason,
        requested_at=r.requested_at,
        handled_at=r.handled_at,
        decision_reason=r.decision_reason,
        completed_at=r.completed_at,
        cases=r.cases,
    )


async def _decide(
    request: ApiRequest,
    deps: Deps,
    request_id: str,
    data: DecisionIn,
    *,
    approve: bool,
) -> DecisionOut:
    done = await deletions.decide(
        request_id=request_id[:40],
        approve=approve,
        reason=data.reason,
        staff_id=request.user.id,
        audit=deps.audit,
        doorbell=deps.doorbell,
        notice_s=deps.settings.deletion_notice_s,
    )
    return DecisionOut(id=done.id, status=done.status)
