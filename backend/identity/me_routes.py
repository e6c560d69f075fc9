"""``/me`` routes: the signed-in citizen's identity, phone and PIPL rights; the staff ``/me``."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import Body

from backend.audit.service import AuditLog
from backend.errors import Unauthenticated
from backend.http.auth import PASSWORD_CHANGE_PENDING_OK, Principal, citizen_only, staff_roles
from backend.http.throttle import limit_id_lookup
from backend.identity import binding, deletion, export, phone, service
from backend.identity.ports import IdentityVerifier
from backend.identity.schemas import (
    CitizenMe,
    DeletionReceiptOut,
    DeletionRequestBody,
    IdentityBindRequest,
    IdentityBound,
    PhoneBindRequest,
    RetainedData,
    StaffMe,
)

NO_STORE = {"Cache-Control": "no-store"}


def staff_me(account: service.StaffAccount) -> StaffMe:
    return StaffMe(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        role_label=account.role_label,
        area_code=account.area_code,
        area_name=account.area_name,
        department_code=account.department_code,
    )


def citizen_me(profile: service.CitizenProfile) -> CitizenMe:
    return CitizenMe(
        id=profile.id,
        name=profile.name,
        id_number_masked=profile.id_number_masked,
        phone_masked=profile.phone_masked,
        identity_bound=profile.identity_bound,
        identity_verified=profile.identity_verified,
        village_code=profile.village_code,
    )


def _verifier(state: State) -> IdentityVerifier | None:
    """The verifier the composition root built, if any (none: bindings stay unverified)."""
    verifier: IdentityVerifier | None = state.get("identity_verifier")
    return verifier


def _audit(state: State) -> AuditLog:
    audit: AuditLog | None = state.get("audit")
    return audit if audit is not None else AuditLog(state.settings.audit_key)


class MeController(Controller):
    tags = ["me"]

    @get("/api/v1/me", guards=[citizen_only], summary="The signed-in citizen (masked)")
    async def citizen_me(self, request: Request[Principal, Any, Any]) -> CitizenMe:
        return citizen_me(await service.get_citizen_profile(citizen_id=request.user.id))

    @put(
        "/api/v1/me/identity",
        guards=[citizen_only],
        summary="Bind real name, ID number and village (实名绑定), verified when possible",
    )
    async def bind_identity(
        self, request: Request[Principal, Any, Any], state: State, data: IdentityBindRequest
    ) -> IdentityBound:
        await limit_id_lookup(
            request, route="bind", account=request.user.scope_key, fail_open=False
        )
        outcome = await binding.bind_identity(
            citizen_id=request.user.id,
            name=data.name,
            id_number=data.id_number,
            village_code=data.village_code,
            consent_version=data.consent_version,
            cipher=state.cipher,
            verifier=_verifier(state),
        )
        return IdentityBound(
            **msgspec.structs.asdict(citizen_me(outcome.profile)),
            verification=outcome.verification,
            verification_note=outcome.note,
        )

    @post(
        "/api/v1/me/phone",
        guards=[citizen_only],
        status_code=200,
        summary="Bind the phone number behind a getPhoneNumber code",
    )
    async def bind_phone(
        self, request: Request[Principal, Any, Any], state: State, data: PhoneBindRequest
    ) -> CitizenMe:
        profile = await phone.bind_phone(
            citizen_id=request.user.id, code=data.code, gateway=state.wechat, cipher=state.cipher
        )
        return citizen_me(profile)

    @get(
        "/api/v1/me/export",
        guards=[citizen_only],
        response_headers=NO_STORE,
        summary="Everything held about me (PIPL), full ID number included; audited",
    )
    async def export_me(
        self, request: Request[Principal, Any, Any], state: State
    ) -> dict[str, Any]:
        return await export.export_personal_data(
            citizen_id=request.user.id, cipher=state.cipher, audit=_audit(state)
        )

    @post(
        "/api/v1/me/deletion-request",
        guards=[citizen_only],
        status_code=202,
        summary="Ask for my personal information to be deleted (recorded for the administrator)",
    )
    async def request_deletion(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: DeletionRequestBody | None = Body(default=None),  # noqa: B008 - Litestar's idiom
    ) -> DeletionReceiptOut:
        settings = state.settings
        receipt = await deletion.request_deletion(
            citizen_id=request.user.id,
            reason=data.reason if data is not None else "",
            retention=deletion.Retention(
                case_years=settings.retention_case_years,
                audit_years=settings.retention_audit_years,
            ),
        )
        return DeletionReceiptOut(
            id=receipt.id,
            status=receipt.status,
            requested_at=receipt.requested_at,
            detail=receipt.detail,
            will_delete=list(receipt.deleted),
            will_keep=[RetainedData(k.data, k.retention, k.basis) for k in receipt.kept],
        )

    @get(
        "/api/v1/staff/me",
        guards=[staff_roles()],
        opt={PASSWORD_CHANGE_PENDING_OK: True},
        summary="The signed-in staff member",
    )
    async def staff_me(self, request: Request[Principal, Any, Any]) -> StaffMe:
        account = request.user.account  # loaded (active) by the authentication middleware
        if account is None:
            raise Unauthenticated("账号已停用，请联系管理员。", code="account_inactive")
        return staff_me(account)
