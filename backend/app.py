"""Composition root of the ASGI app: ``create_app(settings, ...)``.

It reads settings, builds the clients (PostgreSQL pool, Redis, WeChat), and wires the domain
packages and the portal together. Tests build the app through this same function, passing fakes
for external services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from arq.connections import ArqRedis
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.prometheus import PrometheusController
from redis.asyncio import ConnectionPool

from agent_portal import create_portal
from backend import db
from backend.audit.service import AuditLog
from backend.cases import actions as case_actions
from backend.cases import erase as cases_erase
from backend.cases import merge as cases_merge
from backend.cases.elicense import ElicenseClient
from backend.cases.ports import NoSharedData, SharedData
from backend.cases.restricted_routes import RestrictedCaseController
from backend.cases.routes import CitizenCaseController
from backend.catalogue import service as catalogue
from backend.catalogue.routes import CatalogueController
from backend.delegation import citizens as agents
from backend.delegation import service as delegation_service
from backend.delegation.routes import (
    AgentController,
    CitizenMandateController,
    SpotCheckController,
    WindowHandoverController,
    WindowReferralController,
)
from backend.deps import Dependencies, provide_deps
from backend.geo.routes import AreaController, ReachController
from backend.geo.travel import StraightLineEstimator, TravelTimeProvider
from backend.health.routes import HealthController
from backend.http import openapi
from backend.http.api_docs import LocalSwaggerPlugin, docs_router
from backend.http.auth import PUBLIC
from backend.http.edge import edge_middleware
from backend.http.h5 import h5_router
from backend.http.metrics import metrics_guard
from backend.http.no_store import no_store
from backend.http.outbound import OutboundPolicy
from backend.http.problems import EXCEPTION_HANDLERS, http_exception_handler
from backend.http.strict_body import strict_json_body
from backend.identity import erasure, reveal, takeover
from backend.identity.deletion_routes import DeletionAdminController
from backend.identity.export import register_exporter
from backend.identity.h5_routes import PhoneSmsController, WeChatOAuthController
from backend.identity.idverify import build_identity_verifier
from backend.identity.ports import IdentityVerifier
from backend.identity.routes import (
    AuthController,
    MeController,
    SessionController,
    StaffAdminController,
)
from backend.identity.sessions import RevocationListener
from backend.identity.tokens import make_jwt_auth
from backend.imports.routes import ImportController
from backend.logging import configure_logging
from backend.notices.routes import CitizenNoticeController, verify_page
from backend.outbox.doorbell import ArqDoorbell
from backend.platform.config import PlatformConfig
from backend.platform.routes import PlatformAdminController, PlatformCallbackController
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from backend.stats.routes import StatsController
from backend.supervision.followups import follow_up_resolved
from backend.supervision.routes import SupervisionController
from backend.terminals import service as terminals_service
from backend.terminals.routes import TerminalAuthController, TerminalSessionController
from backend.uploads import merge as uploads_merge
from backend.uploads import service as uploads_service
from backend.uploads.ports import FileStore
from backend.uploads.routes import uploads_router
from backend.uploads.storage import build_store, close_store
from backend.wechat.ports import WeChatGateway, WeChatOAuthGateway
from backend.window.review_routes import ReviewController
from backend.window.routes import WindowController
from backend.window.routing_routes import RoutingRuleController
from backend.workdays import service as workdays
from backend.workdays.routes import CalendarAdminController, CalendarController
from notifications.routes import (
    CitizenNotificationController,
    StaffNoticeController,
    WeChatPushController,
)
from notifications.sms import HttpSmsSender
from notifications.templates import parse_config

log = structlog.get_logger(__name__)

# Paths outside bearer-token authentication: the portal has its own session login.
UNAUTHENTICATED_PATHS = [
    "^/portal",
    "^/static",
    "^/m(/|$)",
    "^/kiosk(/|$)",
    "^/schema",
    "^/metrics",
    "^/$",
    "^/favicon.ico",
]


class MetricsController(PrometheusController):
    path = "/metrics"
    opt = PUBLIC
    include_in_schema = False
    guards = [metrics_guard]  # METRICS_TOKEN; open without it in dev mode only


def create_app(
    settings: Settings,
    *,
    wechat: WeChatGateway | None = None,
    travel: TravelTimeProvider | None = None,
    shared_data: SharedData | None = None,
    file_store: FileStore | None = None,
    identity_verifier: IdentityVerifier | None = None,
    wechat_oauth: WeChatOAuthGateway | None = None,
    configure_logs: bool = True,
) -> Litestar:
    """Build the app. ``wechat`` and ``travel`` replace the real adapters (tests pass fakes)."""
    if configure_logs:
        configure_logging(level=settings.log_level, json=settings.log_json)
    settings.check()
    jwt_auth = make_jwt_auth(
        settings,
        exclude=UNAUTHENTICATED_PATHS,
        loaders={
            "terminal": terminals_service.terminal_principal,
            "kiosk": terminals_service.kiosk_principal,
        },
    )
    cipher = FieldCipher(settings.field_key_ring())
    audit = AuditLog(settings.audit_key)
    reveal.configure(cipher=cipher, audit=audit)
    register_exporter(case_actions.export_cases)
    case_actions.allow_second_rating_when(follow_up_resolved)
    register_exporter(uploads_service.export_uploads)
    for merger in (cases_merge.merge_citizen, uploads_merge.merge_citizen, agents.merge_citizen):
        takeover.register_merger(merger)
    takeover.register_refusal_listener(delegation_service.takeover_refused)
    erasure.register_case_keeper(cases_erase.cases_of)
    portal = create_portal(
        secret_key=settings.secret_key, cookie_secure=settings.cookie_secure, settings=settings
    )
    store = file_store or build_store(settings)

    async def startup(app: Litestar) -> None:
        catalogue.configure_cache(recheck_s=settings.catalogue_cache_s)
        workdays.configure_cache(ttl_s=settings.calendar_cache_s)
        engine = db.bind_engine(settings.database_url)
        await engine.start_connection_pool(
            min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        redis = ArqRedis(
            connection_pool=ConnectionPool.from_url(
                settings.redis_url, socket_connect_timeout=2, socket_timeout=5
            )
        )
        app.state.redis = redis
        app.state.revocations = RevocationListener(settings.database_url)
        app.state.revocations.start()
        app.state.doorbell = ArqDoorbell(redis, queue_name=settings.arq_queue)
        if wechat is None:
            from backend.wechat.client import WeChatApi

            app.state.wechat = WeChatApi.from_settings(settings)
        if identity_verifier is None:
            app.state.identity_verifier = build_identity_verifier(settings)
        if wechat_oauth is None:
            from backend.wechat.oauth import WeChatOAuthApi

            app.state.wechat_oauth = WeChatOAuthApi.from_settings(settings)
        app.state.sms = (
            HttpSmsSender(
                url=settings.sms_url,
                secret=settings.sms_secret,
                cipher=cipher,
                outbound=OutboundPolicy.from_settings(settings),
            )
            if settings.sms_url
            else None
        )
        if shared_data is None:
            app.state.shared_data = (
                ElicenseClient(base_url=settings.elicense_url, secret=settings.secret_key)
                if settings.elicense_url
                else NoSharedData()
            )
        app.state.deps = Dependencies(
            settings=settings,
            doorbell=app.state.doorbell,
            redis=redis,
            cipher=cipher,
            audit=audit,
            wechat=app.state.wechat,
            travel=app.state.travel,
            shared_data=app.state.shared_data,
            file_store=store,
            identity_verifier=app.state.identity_verifier,
            wechat_oauth=app.state.wechat_oauth,
            sms=app.state.sms,
            platform_config=app.state.platform_config,
            templates=app.state.templates,
        )
        log.info(
            "app_started",
            database=_safe_url(settings.database_url),
            redis=_safe_url(settings.redis_url),
        )

    async def shutdown(app: Litestar) -> None:
        if wechat is None and getattr(app.state, "wechat", None) is not None:
            await app.state.wechat.close()
        if app.state.get("sms") is not None:
            await app.state.sms.aclose()
        if identity_verifier is None and app.state.get("identity_verifier") is not None:
            await app.state.identity_verifier.aclose()
        if shared_data is None and isinstance(app.state.shared_data, ElicenseClient):
            await app.state.shared_data.close()
        if app.state.get("revocations") is not None:
            await app.state.revocations.close()
        redis = getattr(app.state, "redis", None)
        if redis is not None:
            await redis.aclose()
        if file_store is None:
            await close_store(store)
        await db.engine().close_connection_pool()

    state: dict[str, Any] = {
        "settings": settings,
        "jwt_auth": jwt_auth,
        "cipher": cipher,
        "audit": audit,
        "identity_verifier": identity_verifier,
        "wechat": wechat,
        "wechat_oauth": wechat_oauth,
        "travel": travel or StraightLineEstimator.from_settings(settings),
        "shared_data": shared_data,
        "file_store": store,
        "templates": parse_config(settings.wechat_templates),
        "platform_config": PlatformConfig.from_values(
            settings.platform_secrets,
            connect_timeout_s=settings.platform_connect_timeout_s,
            read_timeout_s=settings.platform_read_timeout_s,
            outbound=OutboundPolicy.from_settings(settings),
        ),
    }
    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            WeChatOAuthController,
            PhoneSmsController,
            SessionController,
            MeController,
            StaffAdminController,
            DeletionAdminController,
            RestrictedCaseController,
            CalendarAdminController,
            CalendarController,
            CitizenCaseController,
            CitizenNoticeController,
            TerminalAuthController,
            TerminalSessionController,
            verify_page,
            WindowController,
            ReviewController,
            RoutingRuleController,
            AgentController,
            CitizenMandateController,
            WindowHandoverController,
            WindowReferralController,
            SpotCheckController,
            SupervisionController,
            StatsController,
            CitizenNotificationController,
            StaffNoticeController,
            WeChatPushController,
            AreaController,
            CatalogueController,
            ReachController,
            ImportController,
            uploads_router(settings),
            h5_router(settings),
            PlatformCallbackController,
            PlatformAdminController,
            MetricsController,
            *portal.route_handlers,
        ],
        dependencies={"deps": Provide(provide_deps, sync_to_thread=False)},
        on_startup=[startup],
        on_shutdown=[shutdown],
        state=State(state),
        middleware=[DefineMiddleware(edge_middleware, pages_under=portal.path)],
        before_send=[no_store],
        before_request=strict_json_body,
        exception_handlers={
            **EXCEPTION_HANDLERS,
            NotFoundException: _unrouted(portal.unknown_address),
            MethodNotAllowedException: _unrouted(portal.unknown_address),
        },
        template_config=portal.template_config,
        csrf_config=portal.csrf_config,
        openapi_config=OpenAPIConfig(
            title="就近办 API",
            version="1.0.0",
            description=openapi.DESCRIPTION,
            tags=openapi.TAGS,
            operation_id_creator=openapi.operation_id,
            path="/schema",
            # Swagger UI from /static/vendor/ at /schema and /schema/swagger: nothing from a CDN.
            openapi_router=docs_router("/schema"),
            render_plugins=[LocalSwaggerPlugin(path=["/", "/swagger"])],
        ),
        on_app_init=[jwt_auth.on_app_init],
        debug=False,
    )
    openapi.install(app)
    return app


def _unrouted(
    portal_page: Callable[[Request[Any, Any, Any], HTTPException], Response[Any] | None],
) -> Callable[[Request[Any, Any, Any], HTTPException], Response[Any]]:
    """No route answers (404) or none for the method (405): the portal's page under /portal/,
    the problem document elsewhere."""

    def handle(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        return portal_page(request, exc) or http_exception_handler(request, exc)

    return handle


def _safe_url(url: str) -> str:
    """A URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}{sep}{user}@{host}"
    return url


def app_from_env() -> Litestar:
    """Factory for ASGI servers (``uvicorn --factory backend.app:app_from_env``)."""
    from backend.settings import load_settings

    return create_app(load_settings())
