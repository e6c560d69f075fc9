"""Administrators' API for deletion requests (PIPL art. 47): list, approve, refuse."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State

from backend.audit.service import AuditLog
from backend.http.auth import Principal, staff_roles
from backend.http.pagination import Page, PageSize
from backend.identity import deletions
from backend.identity import roles as R


class DeletionRequestOut(msgspec.Struct):
    id: str
    status: str
    citizen_id: str | None
    name: str | None
    id_number_masked: str | None
    reason: str
    requested_at: datetime
    handled_at: datetime | None
    decision_reason: str
    completed_at: datetime | None
    cases: int
    """The person's case files (kept and restricted on approval; none may still be open)."""


class DeletionRequestPage(msgspec.Struct):
    items: list[DeletionRequestOut]
    total: int


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)]


class DecisionOut(msgspec.Struct):
    id: str
    status: str


def _audit(state: State) -> AuditLog:
    audit: AuditLog | None = state.get("audit")
    return audit if audit is not None else AuditLog(state.settings.audit_key)


class DeletionAdminController(Controller):
    path = "/api/v1/admin/deletion-requests"
    guards = [staff_roles(R.ADMIN)]
    tags = ["administration"]

    @get("/", summary="Deletion requests, oldest first (status=pending|approved|refused|completed)")
    async def list_deletion_requests(
        self, status: str | None = None, page: Page = 1, page_size: PageSize = 20
    ) -> DeletionRequestPage:
        rows, total = await deletions.list_requests(
            status=(status or "")[:16] or None, page=page, page_size=page_size
        )
        return DeletionRequestPage(
            items=[DeletionRequestOut(*_fields(r)) for r in rows], total=total
        )

    @post("/{request_id:str}/approve", status_code=200, summary="Approve: tell, then erase")
    async def approve_deletion(
        self, request: Request[Principal, Any, Any], state: State, request_id: str, data: DecisionIn
    ) -> DecisionOut:
        return await _decide(request, state, request_id, data, approve=True)

    @post("/{request_id:str}/refuse", status_code=200, summary="Refuse, with the reason told")
    async def refuse_deletion(
        self, request: Request[Principal, Any, Any], state: State, request_id: str, data: DecisionIn
    ) -> DecisionOut:
        return await _decide(request, state, request_id, data, approve=False)


def _fields(r: deletions.RequestRow) -> tuple[Any, ...]:
    return (
        r.id,
        r.status,
        r.citizen_id,
        r.name,
        r.id_number_masked,
        r.reason,
        r.requested_at,
        r.handled_at,
        r.decision_reason,
        r.completed_at,
        r.cases,
    )


async def _decide(
    request: Request[Principal, Any, Any],
    state: State,
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
        audit=_audit(state),
        doorbell=state.get("doorbell"),
        notice_s=state.settings.deletion_notice_s,
    )
    return DecisionOut(id=done["id"], status=done["status"])
