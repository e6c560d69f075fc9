"""The self-service terminal's routes: its login, and a citizen's session opened by a card read.

The terminal's own token may call only ``POST /api/v1/terminal/sessions`` (``TERMINAL_OK``);
a session token only the citizen routes marked ``KIOSK_OK`` (docs/terminals.md).
"""

from __future__ import annotations

from litestar import Controller, post

from backend.deps import Deps
from backend.http.auth import (
    KIOSK_OK,
    PUBLIC,
    TERMINAL_OK,
    ApiRequest,
    PublicRequest,
    kiosk_session_only,
    terminal_only,
)
from backend.http.client import client_address
from backend.http.openapi import operation
from backend.identity.tokens import issuer
from backend.terminals import service
from backend.terminals.schemas import (
    SessionCitizen,
    SessionRequest,
    SessionResponse,
    TerminalLoginRequest,
    TerminalLoginResponse,
    TerminalSummary,
)


class TerminalAuthController(Controller):
    path = "/api/v1/auth/terminal"
    opt = PUBLIC
    tags = ["登录与会话"]

    @post(
        "/login",
        status_code=200,
        **operation(
            "自助终端登录",
            "自助终端用管理员登记时只显示一次的终端编号和凭证登录，答复终端令牌。终端令牌只能"
            "开启群众会话（POST /api/v1/terminal/sessions），调用其他接口一律答 403"
            " terminal_not_allowed。编号或凭证不对、终端已停用都答 401"
            " terminal_credential_invalid；同一网络地址失败过多暂时拒绝（429 rate_limited，"
            "见 Retry-After）。凭证重新签发或终端停用后，旧令牌立即失效（401 token_revoked）。",
            problems={401: ["terminal_credential_invalid"], 429: ["rate_limited"]},
        ),
    )
    async def login(
        self, request: PublicRequest, deps: Deps, data: TerminalLoginRequest
    ) -> TerminalLoginResponse:
        done = await service.login_from(
            terminal_id=data.terminal_id,
            secret=data.secret,
            address=client_address(request, deps.settings),
            redis=deps.redis,
            settings=deps.settings,
            auth=issuer(deps.settings),
        )
        return _login_answer(done)


def _login_answer(done: service.TerminalLogin) -> TerminalLoginResponse:
    view = done.terminal
    return TerminalLoginResponse(
        access_token=done.access_token,
        expires_in=done.expires_in,
        terminal=TerminalSummary(
            id=view.id,
            name=view.name,
            service_point_id=view.service_point_id,
            township_code=view.township_code,
        ),
    )


def _session_answer(opened: service.SessionOpened) -> SessionResponse:
    return SessionResponse(
        access_token=opened.access_token,
        expires_in=opened.expires_in,
        citizen=SessionCitizen(
            id=opened.citizen_id, name=opened.name, id_number_masked=opened.id_number_masked
        ),
    )


class TerminalSessionController(Controller):
    path = "/api/v1/terminal/sessions"
    tags = ["自助终端"]

    @post(
        "/",
        status_code=201,
        guards=[terminal_only],
        **operation(
            "自助终端开启群众会话",
            "群众把身份证放在终端的读卡器上，终端把读出的姓名和号码交给本接口（用终端令牌）。"
            "按身份证号码找到群众；没有记录的，登记为未绑定微信的群众。答复该群众在本终端的"
            "短时会话令牌（最长 10 分钟）：只能浏览事项、查看本人信息和本人办件、提交申请和"
            "补正材料、上传材料、下载受理通知书；其他接口答 403 kiosk_not_allowed。"
            "身份证号码校验不通过答 422 id_number_invalid；号码已登记在另一姓名下答 409"
            " applicant_name_mismatch。答复是遮掩号码出现的唯一地方，终端不应保存。",
            problems={
                409: ["applicant_name_mismatch"],
                422: ["id_number_invalid", "applicant_invalid"],
            },
            opt={TERMINAL_OK: True},
        ),
    )
    async def open(self, request: ApiRequest, deps: Deps, data: SessionRequest) -> SessionResponse:
        seat = request.user.terminal
        assert seat is not None
        opened = await service.open_session(
            terminal=seat,
            name=data.name,
            id_number=data.id_number,
            reader_serial=data.reader.serial,
            cipher=deps.cipher,
            auth=issuer(deps.settings),
            ttl_s=deps.settings.terminal_session_ttl_s,
        )
        return _session_answer(opened)

    @post(
        "/end",
        status_code=204,
        guards=[kiosk_session_only],
        **operation(
            "结束自助终端会话",
            "群众办完或离开时（用会话令牌）结束本次会话：令牌立即失效，之后的调用答 401"
            " token_revoked。会话令牌到期也会自动失效。",
            opt={KIOSK_OK: True},
        ),
    )
    async def end(self, request: ApiRequest) -> None:
        session_id = request.user.session_id
        assert session_id is not None
        await service.end_session(session_id=session_id)
