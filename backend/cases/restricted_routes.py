"""Opening a restricted case file (its applicant's deletion was carried out): administrators
only, with a reason, written to the audit chain (``backend.cases.erase``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State

from backend.audit.service import AuditLog
from backend.cases import erase
from backend.cases.schemas import CaseForCitizen
from backend.http.auth import Principal, staff_roles
from backend.identity import roles as R


class OpenIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)]


class RestrictedCaseController(Controller):
    path = "/api/v1/admin/restricted-cases"
    guards = [staff_roles(R.ADMIN)]
    tags = ["administration"]

    @post("/{number:str}/open", status_code=200, summary="Open a restricted case file (audited)")
    async def open_restricted_case(
        self, request: Request[Principal, Any, Any], state: State, number: str, data: OpenIn
    ) -> CaseForCitizen:
        audit: AuditLog | None = state.get("audit")
        return await erase.open_restricted(
            number=number,
            reason=data.reason,
            staff_id=request.user.id,
            audit=audit if audit is not None else AuditLog(state.settings.audit_key),
        )
