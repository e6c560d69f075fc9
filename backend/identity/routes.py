"""Login routes, ``/me`` for citizens and staff, and staff accounts for administrators."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from backend.http.auth import PUBLIC, Principal, issue_token, staff_roles
from backend.http.idempotent import claim_of, respond
from backend.http.pagination import Page, PageSize
from backend.idempotency.service import run_once
from backend.identity import roles as R
from backend.identity import service
from backend.identity.me_routes import MeController, staff_me
from backend.identity.schemas import (
    CitizenSummary,
    StaffCreateRequest,
    StaffLoginRequest,
    StaffLoginResponse,
    StaffMe,
    StaffPage,
    StaffSummary,
    WeChatLoginRequest,
    WeChatLoginResponse,
)

__all__ = ["AuthController", "MeController", "StaffAdminController", "staff_me"]


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
        token = issue_token(state.jwt_auth, Principal("citizen", login.citizen_id), ttl)
        return WeChatLoginResponse(
            access_token=token,
            expires_in=ttl,
            citizen=CitizenSummary(id=login.citizen_id, identity_bound=login.identity_bound),
        )

    @post("/staff/login", status_code=200, summary="Staff login with username and password")
    async def staff_login(
        self, state: State, data: JSONBody[StaffLoginRequest]
    ) -> StaffLoginResponse:
        account = await service.authenticate_staff(
            username=data.username, password=data.password, settings=state.settings
        )
        ttl = state.settings.staff_token_ttl_s
        principal = Principal(
            "staff",
            account.id,
            role=account.role,
            area_code=account.area_code,
            department_code=account.department_code,
        )
        return StaffLoginResponse(
            access_token=issue_token(state.jwt_auth, principal, ttl),
            expires_in=ttl,
            staff=StaffSummary(
                id=account.id,
                role=account.role,
                area_code=account.area_code,
                department_code=account.department_code,
            ),
        )


class StaffAdminController(Controller):
    path = "/api/v1/admin/users"
    guards = [staff_roles(R.ADMIN)]
    tags = ["administration"]

    @get("/", summary="Staff accounts")
    async def list_users(self, page: Page = 1, page_size: PageSize = 20) -> StaffPage:
        accounts, total = await service.list_staff(page=page, page_size=page_size)
        return StaffPage(items=[staff_me(a) for a in accounts], total=total)

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
