"""Ending sessions and changing one's own password (citizens and staff)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody
from litestar.response import Response

from backend.deps import Deps
from backend.http.auth import (
    PASSWORD_CHANGE_PENDING_OK,
    ApiRequest,
    Principal,
    issue_token,
    staff_roles,
)
from backend.http.client import client_address
from backend.http.openapi import operation
from backend.identity import staff_admin
from backend.identity.schemas import PasswordChangeRequest, StaffLoginResponse, StaffSummary
from backend.identity.service import StaffAccount
from backend.identity.sessions import revoke_all
from backend.identity.tokens import issuer
from backend.settings import Settings

NO_STORE = {"Cache-Control": "no-store"}


def staff_login_response(settings: Settings, account: StaffAccount) -> StaffLoginResponse:
    """A fresh bearer token for ``account`` under its current token version."""
    ttl = settings.staff_token_ttl_s
    principal = Principal(
        "staff",
        account.id,
        role=account.role,
        area_code=account.area_code,
        department_code=account.department_code,
    )
    return StaffLoginResponse(
        access_token=issue_token(issuer(settings), principal, ttl, version=account.token_version),
        expires_in=ttl,
        staff=StaffSummary(
            id=account.id,
            role=account.role,
            area_code=account.area_code,
            department_code=account.department_code,
        ),
        password_change_required=account.must_change_password,
    )


class SessionController(Controller):
    path = "/api/v1"
    tags = ["登录与会话"]
    opt = {PASSWORD_CHANGE_PENDING_OK: True}

    @post(
        "/auth/logout",
        status_code=204,
        **operation(
            "退出登录",
            "结束本账号的全部登录：这个令牌、其他设备上的令牌和工作人员门户的会话一并失效，"
            "之后再用答 401 token_revoked。群众和工作人员都可以调用；成功时答 204，没有内容。",
        ),
    )
    async def logout(self, request: ApiRequest) -> None:
        """Logs the account out everywhere: this token, every other token and portal session."""
        who = request.user
        assert who.kind != "terminal"  # terminals never reach this route (no opt)
        await revoke_all(kind=who.kind, account_id=who.id)

    @post(
        "/staff/me/password",
        status_code=200,
        guards=[staff_roles()],
        **operation(
            "修改本人密码",
            "工作人员核对当前密码后设置新密码（至少 12 位，不能与用户名或当前密码相同，不能过于"
            "常见）；不符合要求时一次列出全部问题。成功后其他令牌和会话全部失效，答复带新的令牌。"
            "当前密码输错与登录失败一样计数，过多时暂时锁定（429，见 Retry-After）。管理员重置"
            "密码后只能先调用这里。",
            problems={
                401: ["current_password_wrong"],
                422: ["password_invalid"],
                429: ["login_locked"],
            },
        ),
    )
    async def change_password(
        self,
        request: ApiRequest,
        deps: Deps,
        data: JSONBody[PasswordChangeRequest],
    ) -> Response[StaffLoginResponse]:
        account = await staff_admin.change_own_password(
            audit=deps.audit,
            staff_id=request.user.id,
            current_password=data.current_password,
            new_password=data.new_password,
            address=client_address(request, deps.settings),
            settings=deps.settings,
        )
        return Response(staff_login_response(deps.settings, account), headers=NO_STORE)
