"""Login routes, ``/me`` for citizens and staff, and staff accounts for administrators."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from litestar import Controller, Response, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.audit.service import Actor
from backend.deps import Deps
from backend.http.auth import PUBLIC, ApiRequest, PublicRequest, staff_roles
from backend.http.client import client_address
from backend.http.idempotent import claim_of, respond
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.identity import roles, service, staff_admin
from backend.identity.h5_routes import citizen_login_response
from backend.identity.login import authenticate_staff
from backend.identity.me_routes import MeController
from backend.identity.password_policy import PasswordRules
from backend.identity.present import admin_view, staff_me
from backend.identity.roles import Role
from backend.identity.schemas import (
    AdminActionRequest,
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

AccountState: TypeAlias = Literal["active", "disabled", "locked", "password_change_required"]
"""The staff list's ``state`` filter (``staff_admin.STATES``)."""

RoleFilter: TypeAlias = Annotated[
    Role | None,
    Parameter(
        description="只列出该角色的账号：agent、window、approver、supervisor 或 admin。",
        examples=[Example(value="window")],
    ),
]
AreaFilter: TypeAlias = Annotated[
    str | None,
    Parameter(
        description="只列出该区划及其下级区划的账号（区划代码或其前缀，只含数字）。",
        max_length=12,
        pattern=r"^[0-9]*$",
        examples=[Example(value="330109001")],
    ),
]
StateFilter: TypeAlias = Annotated[
    AccountState | None,
    Parameter(
        query="state",
        description=(
            "只列出该状态的账号：active 启用、disabled 停用、locked 登录失败过多暂时锁定、"
            "password_change_required 待修改密码。"
        ),
        examples=[Example(value="locked")],
    ),
]
_STAFF_ID = {404: ["staff_not_found", "not_found"], 422: ["reason_required"]}
"""Every change to one account: the account exists, and the administrator says why."""


class AuthController(Controller):
    path = "/api/v1/auth"
    opt = PUBLIC
    tags = ["登录与会话"]

    @post(
        "/wechat/login",
        status_code=200,
        **operation(
            "群众微信登录",
            "用小程序 wx.login() 得到的 code 登录，首次登录时建档。答复访问令牌和群众信息；"
            "identity_bound 为 false 时，提交申请前须先实名登记（PUT /api/v1/me/identity）。"
            "code 只能用一次，无效或过期答 401 wechat_code_invalid。",
            problems={401: ["wechat_code_invalid"], 503: ["wechat_unavailable"]},
        ),
    )
    async def wechat_login(
        self, deps: Deps, data: JSONBody[WeChatLoginRequest]
    ) -> WeChatLoginResponse:
        login = await service.login_with_wechat(
            gateway=deps.wechat,
            cipher=deps.cipher,
            code=data.code,
            appid=deps.settings.wechat_appid,
        )
        return citizen_login_response(deps.settings, login)

    @post(
        "/staff/login",
        status_code=200,
        **operation(
            "工作人员登录",
            "工作人员用用户名和密码登录，答复访问令牌和账号信息。用户名不存在、账号停用和密码"
            "错误答复相同（401 credentials_invalid）。同一用户名失败过多暂时锁定（429"
            " login_locked），同一网络地址尝试过多用户名暂时拒绝（429 login_rate_limited），"
            "均见 Retry-After。password_change_required 为 true 时须先修改密码。",
            problems={401: ["credentials_invalid"], 429: ["login_locked", "login_rate_limited"]},
        ),
    )
    async def staff_login(
        self, request: PublicRequest, deps: Deps, data: JSONBody[StaffLoginRequest]
    ) -> StaffLoginResponse:
        account = await authenticate_staff(
            username=data.username,
            password=data.password,
            address=client_address(request, deps.settings),
            settings=deps.settings,
        )
        return staff_login_response(deps.settings, account)


def _actor(request: ApiRequest) -> Actor:
    return Actor("staff", request.user.id)


async def _view(staff_id: str) -> StaffAdminView:
    found, _ = await staff_admin.list_staff(page=1, page_size=1, staff_id=staff_id)
    return admin_view(found[0])


async def _set_active(
    request: ApiRequest, deps: Deps, staff_id: str, data: AdminActionRequest, *, active: bool
) -> StaffAdminView:
    """Disabling and enabling: one use case, told which."""
    await staff_admin.set_active(
        audit=deps.audit,
        actor=_actor(request),
        staff_id=staff_id,
        active=active,
        reason=data.reason,
    )
    return await _view(staff_id)


class StaffAdminController(Controller):
    path = "/api/v1/admin/users"
    guards = [staff_roles(roles.ADMIN)]
    tags = ["管理员"]

    @get(
        "/",
        **operation(
            "工作人员账号列表",
            "按用户名排序列出工作人员账号，可按角色、区划（含下级区划）和账号状态筛选，分页"
            "（page、page_size，每页最多 100 条）。",
        ),
    )
    async def list_users(
        self,
        page: Page = 1,
        page_size: PageSize = 20,
        role: RoleFilter = None,
        area: AreaFilter = None,
        account_state: StateFilter = None,
    ) -> StaffAdminPage:
        listed, total = await staff_admin.list_staff(
            page=page, page_size=page_size, role=role, area_code=area, state=account_state
        )
        return StaffAdminPage(items=[admin_view(item) for item in listed], total=total)

    @post(
        "/",
        **operation(
            "新建工作人员账号",
            "管理员新建工作人员账号，答复 201 和新账号。用户名、密码、区划级别和部门的规则一并"
            "检查，一次 422 staff_invalid 列出全部问题；用户名已被使用答 409 username_taken。"
            "带 Idempotency-Key 重试不会重复建号。",
            problems={409: ["username_taken"], 422: ["staff_invalid"]},
            idempotent=True,
        ),
    )
    async def create_user(
        self,
        request: ApiRequest,
        deps: Deps,
        data: JSONBody[StaffCreateRequest],
    ) -> Response[StaffMe]:
        answer = await staff_admin.add_account(
            claim=await claim_of(request),
            ttl_s=deps.settings.idempotency_ttl_s,
            doorbell=deps.doorbell,
            username=data.username,
            password=data.password,
            role=data.role,
            area_code=data.area_code,
            department_code=data.department_code,
            display_name=data.display_name,
            rules=PasswordRules(deps.settings.dev_mode, deps.settings.demo_password),
        )
        return respond(answer, StaffMe)

    @post(
        "/{staff_id:str}/disable",
        status_code=200,
        **operation(
            "停用账号",
            "停用工作人员账号：该账号的全部令牌和会话立即失效，之后不能登录。须填写理由（写入"
            "审计日志）；不能停用自己的账号。答复停用后的账号。",
            problems={**_STAFF_ID, 409: ["cannot_disable_self"]},
        ),
    )
    async def disable(
        self,
        request: ApiRequest,
        deps: Deps,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> StaffAdminView:
        return await _set_active(request, deps, staff_id, data, active=False)

    @post(
        "/{staff_id:str}/enable",
        status_code=200,
        **operation(
            "重新启用账号",
            "重新启用已停用的工作人员账号。须填写理由（写入审计日志）。答复启用后的账号。",
            problems=_STAFF_ID,
        ),
    )
    async def enable(
        self,
        request: ApiRequest,
        deps: Deps,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> StaffAdminView:
        return await _set_active(request, deps, staff_id, data, active=True)

    @post(
        "/{staff_id:str}/unlock",
        status_code=200,
        **operation(
            "解除登录锁定",
            "清除该账号的用户名在各网络地址的登录失败记录和锁定，可以立即重新登录。须填写理由"
            "（写入审计日志）。答复解锁后的账号。",
            problems=_STAFF_ID,
        ),
    )
    async def unlock(
        self,
        request: ApiRequest,
        deps: Deps,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> StaffAdminView:
        await staff_admin.unlock(
            audit=deps.audit, actor=_actor(request), staff_id=staff_id, reason=data.reason
        )
        return await _view(staff_id)

    @post(
        "/{staff_id:str}/reset-password",
        status_code=200,
        **operation(
            "重置密码",
            "为工作人员生成临时密码（只在这次答复中出现，答复不得缓存），该账号的全部令牌和会话"
            "失效、登录锁定解除；持临时密码登录后须先修改密码。须填写理由（写入审计日志）。",
            problems=_STAFF_ID,
        ),
    )
    async def reset_password(
        self,
        request: ApiRequest,
        deps: Deps,
        staff_id: str,
        data: JSONBody[AdminActionRequest],
    ) -> Response[PasswordResetOut]:
        reset = await staff_admin.reset_password(
            audit=deps.audit, actor=_actor(request), staff_id=staff_id, reason=data.reason
        )
        return Response(
            PasswordResetOut(
                staff=await _view(staff_id), temporary_password=reset.temporary_password
            ),
            headers=NO_STORE,
        )
