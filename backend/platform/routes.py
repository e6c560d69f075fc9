"""Platform routes: the public, signed status callback, and the supervisors' pages.

The callback is public (no bearer token) but the ``signed_by_platform`` guard checks the HMAC
signature of the raw body and the timestamp *before* the body is decoded or validated.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from backend.clock import local
from backend.errors import ServiceUnavailable, Unauthenticated
from backend.http.auth import PUBLIC, Principal, staff_roles
from backend.http.pagination import Page, PageSize
from backend.identity import roles as R
from backend.outbox.service import unit_of_work
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
from backend.workdays.service import load_calendar

APP_ID_STATE = "platform_app_id"


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
    connection.state[APP_ID_STATE] = app_id


class PlatformCallbackController(Controller):
    path = "/api/v1/platform/callbacks"
    opt = PUBLIC
    tags = ["external platform"]

    @post(
        "/",
        guards=[signed_by_platform],
        status_code=200,
        summary="Status callback from an external one-window platform (signed)",
    )
    async def receive(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[CallbackIn]
    ) -> CallbackOut:
        event = callbacks.CallbackEvent(
            event_id=data.event_id,
            case_number=data.case_number,
            status=data.status,
            occurred_at=data.occurred_at,
            note=data.note or "",
            missing=tuple(data.missing or ()),
        )
        calendar = await load_calendar()
        async with unit_of_work(state.doorbell):
            outcome = await callbacks.receive(
                app_id=request.state[APP_ID_STATE], event=event, calendar=calendar
            )
        return CallbackOut(
            event_id=outcome.event_id,
            case_number=outcome.case_number,
            applied=outcome.applied,
            replayed=outcome.replayed,
            status=outcome.case_status,
            reason=outcome.reason,
            detail=outcome.detail,
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
        updated_at=local(view.updated_at).isoformat(timespec="seconds"),
    )


async def _scope(who: Principal) -> str | None:
    return await service.township_scope(role=who.role, area_code=who.area_code)


class PlatformAdminController(Controller):
    path = "/api/v1/platform"
    tags = ["external platform"]
    guards = [staff_roles(R.SUPERVISOR, R.ADMIN)]

    @get("/failures", summary="Pushes that failed for good, newest first")
    async def failures(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> PushFailurePage:
        rows, total = await service.list_failures(
            township=await _scope(request.user), page=page, page_size=page_size
        )
        return PushFailurePage(
            items=[
                PushFailureOut(
                    case_number=r.case_number,
                    township_code=r.township_code,
                    app_id=r.app_id,
                    attempts=r.attempts,
                    last_error=r.last_error,
                    failed_at=local(r.failed_at).isoformat(timespec="seconds"),
                    case_status=r.case_status,
                )
                for r in rows
            ],
            total=total,
        )

    @post(
        "/failures/{number:str}/retry",
        status_code=202,
        summary="Push a case again whose push failed for good",
    )
    async def retry(
        self, request: Request[Principal, Any, Any], state: State, number: str
    ) -> RetryOut:
        township = await _scope(request.user)
        async with unit_of_work(state.doorbell):
            await service.retry(number=number, township=township)
        return RetryOut(case_number=number, status="pending")

    @get("/townships", summary="Townships that use an external platform")
    async def townships(
        self, request: Request[Principal, Any, Any], page: Page = 1, page_size: PageSize = 20
    ) -> TownshipPlatformPage:
        config = platform_config(request)
        views, total = await service.list_townships(
            township=await _scope(request.user), page=page, page_size=page_size
        )
        return TownshipPlatformPage(items=[_township_out(v, config) for v in views], total=total)

    @put(
        "/townships/{code:str}",
        guards=[staff_roles(R.ADMIN)],
        summary="Point a township at an external platform, or back at the built-in queue",
    )
    async def configure(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        code: str,
        data: JSONBody[TownshipPlatformIn],
    ) -> TownshipPlatformOut:
        config = platform_config(request)
        async with unit_of_work(state.doorbell):
            view = await service.configure_township(
                township_code=code,
                base_url=data.base_url,
                app_id=data.app_id,
                active=data.active,
                known_app_ids=config.secrets,
                by=request.user.id,
                outbound=config.outbound,
            )
        return _township_out(view, config)
