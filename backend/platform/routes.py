"""Platform routes: the public, signed status callback, and the supervisors' pages.

The callback is public (no bearer token) but the ``signed_by_platform`` guard checks the HMAC
signature of the raw body and the timestamp *before* the body is decoded or validated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from backend.cases.schemas import CaseStatus
from backend.clock import local
from backend.deps import Deps
from backend.errors import ServiceUnavailable, Unauthenticated
from backend.http.auth import PUBLIC, ApiRequest, Principal, staff_roles
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize
from backend.identity import roles
from backend.platform import callbacks, service, signing, texts
from backend.platform.config import PlatformConfig
from backend.platform.schemas import (
    CallbackIn,
    CallbackOut,
    PushFailureOut,
    PushFailurePage,
    RetryOut,
    TownshipPlatformIn,
    TownshipPlatformOut,
    TownshipPlatformPage,
)


def platform_config(connection: ASGIConnection[Any, Any, Any, Any]) -> PlatformConfig:
    config = connection.app.state.get("platform_config")
    if not isinstance(config, PlatformConfig):
        raise ServiceUnavailable(texts.NOT_CONFIGURED, code="platform_not_configured")
    return config


async def signed_by_platform(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """401 unless the body is signed with the secret of the platform account it names."""
    config = platform_config(connection)
    if not isinstance(connection, Request):
        raise Unauthenticated(texts.SIGNATURE_INVALID, code="platform_signature_invalid")
    body = await connection.body()
    app_id = connection.headers.get(signing.APP_ID_HEADER, "")
    timestamp = connection.headers.get(signing.TIMESTAMP_HEADER, "")
    given = connection.headers.get(signing.SIGNATURE_HEADER, "")
    secret = config.secret_for(app_id)
    if secret is None or not signing.valid(secret, timestamp, body, given):
        raise Unauthenticated(texts.SIGNATURE_INVALID, code="platform_signature_invalid")
    if not signing.fresh(timestamp, max_age_s=config.callback_max_age_s):
        raise Unauthenticated(texts.TIMESTAMP_INVALID, code="platform_timestamp_invalid")


_SIGNED = {
    401: ["platform_signature_invalid", "platform_timestamp_invalid"],
    503: ["platform_not_configured"],
}

CaseNumberPath = Annotated[
    str,
    Parameter(
        min_length=1,
        max_length=24,
        description="办件编号。",
        examples=[Example(value="XS20261207000123")],
    ),
]
TownshipPath = Annotated[
    str,
    Parameter(
        min_length=1,
        max_length=12,
        description="镇街区划代码（9 位）。",
        examples=[Example(value="330109001")],
    ),
]


class PlatformCallbackController(Controller):
    path = "/api/v1/platform/callbacks"
    opt = PUBLIC
    tags = ["一窗平台"]

    @post(
        "/",
        guards=[signed_by_platform],
        status_code=200,
        **operation(
            "接收平台状态回调",
            "外部一窗受理平台回告办件状态。不用登录令牌，而用请求头 X-Platform-App-Id、"
            "X-Platform-Timestamp 和对原始请求体的 HMAC 签名 X-Platform-Signature；签名和时间戳"
            "（5 分钟内）在解析请求体之前检查。同一 event_id 重发只生效一次，答复与第一次相同；"
            "早于已生效回调的状态或当前状态不允许的变化记为未生效（applied=false）并说明原因。",
            problems={
                **_SIGNED,
                404: ["case_not_found"],
                409: ["platform_case_not_ready"],
                422: ["supplement_empty", "supplement_material_unknown"],
            },
        ),
    )
    async def receive(
        self,
        deps: Deps,
        app_id: Annotated[
            str,
            Parameter(
                header=signing.APP_ID_HEADER,
                description="平台账号（app_id）。",
                examples=[Example(value="xs-platform")],
            ),
        ],
        timestamp: Annotated[
            str,
            Parameter(
                header=signing.TIMESTAMP_HEADER,
                description="签名时的 Unix 时间（秒），与服务器时间相差不得超过 5 分钟。",
                examples=[Example(value="1796609700")],
            ),
        ],
        signature: Annotated[
            str,
            Parameter(
                header=signing.SIGNATURE_HEADER,
                description=(
                    '签名：hex(HMAC-SHA256(密钥, 时间戳 + "." + 原始请求体))，'
                    "密钥为该平台账号在 PLATFORM_SECRETS 中的密钥。"
                ),
                examples=[
                    Example(
                        value="5d0c5a1f0e6b3b9a8f0d2c7e4a1b6c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b"
                    )
                ],
            ),
        ],
        data: JSONBody[CallbackIn],
    ) -> CallbackOut:
        """The signature headers are checked by ``signed_by_platform`` before anything else."""
        event = _event(data)
        outcome = await service.receive_callback(doorbell=deps.doorbell, app_id=app_id, event=event)
        return _callback_out(outcome)


def _event(data: CallbackIn) -> callbacks.CallbackEvent:
    return callbacks.CallbackEvent(
        event_id=data.event_id,
        case_number=data.case_number,
        status=data.status,
        occurred_at=data.occurred_at,
        note=data.note or "",
        missing=tuple(data.missing or ()),
    )


def _callback_out(outcome: callbacks.Outcome) -> CallbackOut:
    return msgspec.convert(
        {
            "event_id": outcome.event_id,
            "case_number": outcome.case_number,
            "applied": outcome.applied,
            "replayed": outcome.replayed,
            "status": outcome.case_status,
            "reason": outcome.reason,
            "detail": outcome.detail,
        },
        CallbackOut,
    )


def _township_out(
    view: service.TownshipPlatformView, config: PlatformConfig
) -> TownshipPlatformOut:
    return TownshipPlatformOut(
        township_code=view.township_code,
        township_name=view.township_name,
        base_url=view.base_url,
        app_id=view.app_id,
        active=view.active,
        secret_configured=config.secret_for(view.app_id) is not None,
        updated_at=_seconds(view.updated_at),
    )


def _seconds(moment: datetime) -> datetime:
    """In Asia/Shanghai, to the second (as every time the API answers)."""
    return local(moment).replace(microsecond=0)


def _failure_out(r: service.PushFailure) -> PushFailureOut:
    return PushFailureOut(
        case_number=r.case_number,
        township_code=r.township_code,
        app_id=r.app_id,
        attempts=r.attempts,
        last_error=r.last_error,
        failed_at=_seconds(r.failed_at),
        case_status=msgspec.convert(r.case_status, CaseStatus),
    )


async def _scope(who: Principal) -> str | None:
    return await service.township_scope(role=who.role, area_code=who.area_code)


class PlatformAdminController(Controller):
    path = "/api/v1/platform"
    tags = ["管理员"]
    guards = [staff_roles(roles.SUPERVISOR, roles.ADMIN)]

    @get(
        "/failures",
        **operation(
            "推送失败的办件",
            "列出推送到外部一窗受理平台最终失败（已停止自动重试）的办件，最近失败的在前，分页。"
            "镇街督查人员只看到本镇街的，区级督查人员和管理员看到全区的。",
        ),
    )
    async def failures(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> PushFailurePage:
        rows, total = await service.list_failures(
            township=await _scope(request.user), page=page, page_size=page_size
        )
        return PushFailurePage(items=[_failure_out(r) for r in rows], total=total)

    @post(
        "/failures/{number:str}/retry",
        status_code=202,
        **operation(
            "重新推送办件",
            "把推送最终失败、仍处于 submitted 状态的办件重新排队推送到所属镇街的平台，答 202，"
            "稍后发出。不在本人范围内或没有推送记录的办件答 404。",
            problems={
                404: ["case_not_found", "not_found"],
                409: ["platform_push_not_retryable"],
            },
        ),
    )
    async def retry(self, request: ApiRequest, deps: Deps, number: CaseNumberPath) -> RetryOut:
        township = await _scope(request.user)
        await service.retry(
            doorbell=deps.doorbell,
            number=number,
            township=township,
            audit=deps.audit,
            by=request.user.id,
        )
        return RetryOut(case_number=number, status="pending")

    @get(
        "/townships",
        **operation(
            "镇街平台配置",
            "列出已配置外部一窗受理平台的镇街，按区划代码排序，分页；secret_configured 表示"
            "部署配置中是否已有该平台账号的密钥（密钥本身从不返回）。镇街督查人员只看到本镇街。",
            problems={503: ["platform_not_configured"]},
        ),
    )
    async def townships(
        self, request: ApiRequest, page: Page = 1, page_size: PageSize = 20
    ) -> TownshipPlatformPage:
        config = platform_config(request)
        views, total = await service.list_townships(
            township=await _scope(request.user), page=page, page_size=page_size
        )
        return TownshipPlatformPage(items=[_township_out(v, config) for v in views], total=total)

    @put(
        "/townships/{code:str}",
        guards=[staff_roles(roles.ADMIN)],
        **operation(
            "设置镇街的平台",
            "管理员把镇街的新办件改为推送到外部一窗受理平台（active=true），或改回本系统的"
            "窗口受理队列（active=false）。地址须能解析且不得指向本机、内网或云平台元数据地址；"
            "启用时平台账号须已在 PLATFORM_SECRETS 中配置密钥。重复提交以最后一次为准。",
            problems={
                404: ["township_not_found", "not_found"],
                422: [
                    "platform_base_url_invalid",
                    "platform_secret_missing",
                    "outbound_url_malformed",
                    "outbound_url_unresolvable",
                    "outbound_url_forbidden",
                    "outbound_url_private",
                ],
                503: ["platform_not_configured"],
            },
        ),
    )
    async def configure(
        self,
        request: ApiRequest,
        deps: Deps,
        code: TownshipPath,
        data: JSONBody[TownshipPlatformIn],
    ) -> TownshipPlatformOut:
        config = platform_config(request)
        view = await service.configure_township(
            doorbell=deps.doorbell,
            township_code=code,
            base_url=data.base_url,
            app_id=data.app_id,
            active=data.active,
            known_app_ids=config.secrets,
            by=request.user.id,
            outbound=config.outbound,
            audit=deps.audit,
        )
        return _township_out(view, config)
