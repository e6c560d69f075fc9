"""Login routes, ``/me`` for citizens and staff, and staff accounts for administrators."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from backend.audit.service import Actor
from backend.http.auth import PUBLIC, Principal, issue_token, staff_roles
from backend.http.client import client_address
from backend.http.idempotent import claim_of, respond
from backend.http.pagination import Page, PageSize
from backend.idempotency.service import run_once
from backend.identity import roles as R
from backend.identity import service, staff_admin
from backend.identity.login import authenticate_staff
from backend.identity.me_routes import MeController, staff_me
from backend.identity.password_policy import PasswordRules
from backend.identity.schemas import (
    AdminActionRequest,
    CitizenSummary,
    PasswordResetOut,
    StaffAdminPage,
    StaffAdminView,
    StaffCreateRequest,
    StaffLoginRequest,
    StaffLoginResponse,
    StaffMe,
    WeChatLoginRequest,
    WeChatLoginResponse,
)
from backend.identity.session_routes import SessionController, staff_login_response

__all__ = [
    "AuthController",
    "MeController",
    "SessionController",
    "StaffAdminController",
    "staff_me",
]

NO_STORE = {"Cache-Control": "no-store"}


class AuthController(Controller):
    path = "/api/v1/auth"
    opt = PUBLIC
    tags = ["login"]

    @post("/wechat/login", status_code=200, summary="Citizen login with a wx.login code")
    async def wechat_login(
        self, state: State, data: JSONBody[WeChatLoginRequest]
    ) -> WeChatLoginResponse:
        login = await service.login_with_wechat(
            gateway=state.wechat, cipher=state.cipher, code=data.code
        )
        ttl = state.settings.access_token_ttl_s
        token = issue_token(
            state.jwt_auth,
            Principal("citizen", login.citizen_id),
            ttl,
            version=login.token_version,
        )
        return WeChatLoginResponse(
            access_token=token,
            expires_in=ttl,
            citizen=CitizenSummary(id=login.citizen_id, identity_bound=login.identity_bound),
        )

    @post(
        "/staff/login",
        status_code=200,
        summary="Staff login with username and password (throttled per username and address)",
    )
    async def staff_login(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[StaffLoginRequest]
    ) -> StaffLoginResponse:
        account = await authenticate_staff(
            username=data.username,
            password=data.password,
            address=client_address(request, state.settings),
            settings=state.settings,
        )
        return staff_login_response(state, account)


def admin_view(listed: staff_admin.StaffListed) -> StaffAdminView:
    a = listed.account
    return StaffAdminView(
        id=a.id,
        username=a.username,
        display_name=a.display_name,
        role=a.role,
        role_label=a.role_label,
        area_code=a.area_code,
        area_name=a.area_name,
        department_code=a.department_code,
        active=a.active,
        locked=listed.locked,
        password_change_required=a.must_change_password,
        last_login_at=listed.last_login_at,
    )


def _actor(request: Request[Principal, Any, Any]) -> Actor:
    return Actor("staff", request.user.id)


async def _view(staff_id: str) -> StaffAdminView:
    found, _ = await staff_admin.list_staff(page=1, page_size=1, staff_id=staff_id)
    return admin_view(found[0])


class StaffAdminController(Controller):
    path = "/api/v1/admin/users"
    guards = [staff_roles(R.ADMIN)]
    tags = ["administration"]

    @get("/", summary="Staff accounts, filtered by role, area and state")
    async def list_users(
        self,
        page: Page = 1,
        page_size: PageSize = 20,
        role: str | None = Parameter(default=None, max_length=16),
        area: str | None = Parameter(default=None, max_length=12),
        account_state: str | None = Parameter(query="state", default=None, max_length=32),
    ) -> StaffAdminPage:
        """``state``: active, disabled, locked or password_change_required."""
        listed, total = await staff_admin.list_staff(
            page=page, page_size=page_size, role=role, area_code=area, state=account_state
        )
        return StaffAdminPage(items=[admin_view(item) for item in listed], total=total)

    @post("/", summary="Create a staff account (accepts Idempotency-Key)")
    async def create_user(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: JSONBody[StaffCreateRequest],
    ) -> Response[Any]:
        async def create() -> StaffMe:
            account = await service.create_staff(
                username=data.username,
                password=data.password,
                role=data.role,
                area_code=data.area_code,
                department_code=data.department_code,
                display_name=data.display_name,
                rules=PasswordRules(state.settings.dev_mode, state.settings.demo_password),
            )
            return staff_me(account)

        return respond(
            await run_once(
                await claim_of(request),
                ttl_s=state.settings.idempotency_ttl_s,
                doorbell=state.doorbell,
                create=create,
            )
        )

    @post("/{staff_id:str}/disable", status_code=200, summary="Disable; ends every session")
    async def disable(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> StaffAdminView:
        await staff_admin.set_active(
            audit=state.audit,
            actor=_actor(request),
            staff_id=staff_id,
            active=False,
            reason=data.reason,
        )
        return await _view(staff_id)

    @post("/{staff_id:str}/enable", status_code=200, summary="Re-enable a disabled account")
    async def enable(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> StaffAdminView:
        await staff_admin.set_active(
            audit=state.audit,
            actor=_actor(request),
            staff_id=staff_id,
            active=True,
            reason=data.reason,
        )
        return await _view(staff_id)

    @post("/{staff_id:str}/unlock", status_code=200, summary="Clear login failures and locks")
    async def unlock(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> StaffAdminView:
        await staff_admin.unlock(
            audit=state.audit, actor=_actor(request), staff_id=staff_id, reason=data.reason
        )
        return await _view(staff_id)

    @post(
        "/{staff_id:str}/reset-password",
        status_code=200,
        summary="A temporary password, to be changed at the next login; ends every session",
    )
    async def reset_password(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> Response[PasswordResetOut]:
        reset = await staff_admin.reset_password(
            audit=state.audit, actor=_actor(request), staff_id=staff_id, reason=data.reason
        )
        return Response(
            PasswordResetOut(
                staff=await _view(staff_id), temporary_password=reset.temporary_password
            ),
            headers=NO_STORE,
        )
