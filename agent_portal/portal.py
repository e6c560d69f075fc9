"""The portal's one entry point for the composition root (``backend/app.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from litestar import Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from agent_portal.admin.account_pages import AccountPages
from agent_portal.admin.accounts import AccountsPages
from agent_portal.admin.calendar import CalendarPages
from agent_portal.admin.catalogue_import import CatalogueImportPages
from agent_portal.admin.catalogue_pages import CataloguePages
from agent_portal.admin.deletions import DeletionPages
from agent_portal.admin.platforms import PlatformPages
from agent_portal.admin.points import PointPages
from agent_portal.admin.routing import RoutingPages
from agent_portal.admin.terminals import TerminalPages
from agent_portal.agent.case_pages import AgentCasePages
from agent_portal.agent.filing_pages import FilingPages
from agent_portal.agent.handover_pages import AgentHandoverPages
from agent_portal.agent.pages import AgentPages
from agent_portal.common import texts
from agent_portal.common.auth import (
    HOME_PATH,
    MustChangePassword,
    NotLoggedIn,
    login_guard,
    redirect_to_login,
    redirect_to_password_change,
    staff_provider,
)
from agent_portal.common.errors import EXCEPTION_HANDLERS, http_error_page
from agent_portal.common.notices import NoticePages
from agent_portal.common.security import (
    PORTAL_PATH,
    csrf_binding_middleware,
    csrf_config,
    session_middleware,
)
from agent_portal.common.vendor import STATIC_DIR, missing_vendor_files
from agent_portal.dashboard.pages import DashboardPages
from agent_portal.paper.pages import PaperPages
from agent_portal.review.pages import ReviewPages
from agent_portal.routes import PortalController
from agent_portal.supervision.case_pages import SupervisionCasePages
from agent_portal.supervision.pages import SupervisionPages
from agent_portal.supervision.rectification_pages import (
    RectificationDeskPages,
    SupervisionRectificationPages,
)
from agent_portal.window.handover_pages import WindowHandoverPages
from agent_portal.window.pages import WindowPages
from agent_portal.window.walkin_pages import WalkInPages
from backend.settings import Settings

PORTAL_DIR = Path(__file__).resolve().parent
DESKS = ("agent", "window", "review", "supervision", "dashboard", "admin", "common")
"""The portal's packages, one per desk. Each keeps its templates beside it and names them
``<desk>/<file>``: ``window/queue.html`` is ``agent_portal/window/templates/queue.html``."""

# Same-origin everything: no CDN, no inline script or style, no framing (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)


@dataclass(frozen=True)
class PortalParts:
    """What the app needs to serve the portal.

    ``session_middleware`` is already applied on the ``/portal`` router inside
    ``route_handlers``; it is exposed for inspection and must not be added app-wide.
    ``template_config`` and ``csrf_config`` go to the ``Litestar(...)`` constructor;
    ``unknown_address`` answers a 404 or 405 under /portal/ that no route matched; ``path`` is
    the portal's prefix (the input guard raises its refusals there, for the portal's pages).
    """

    route_handlers: list[ControllerRouterHandler]
    unknown_address: Callable[[Request[Any, Any, Any], HTTPException], Response[Any] | None]
    template_config: TemplateConfig[JinjaTemplateEngine]
    csrf_config: CSRFConfig
    session_middleware: DefineMiddleware
    path: str = PORTAL_PATH


@get("/", include_in_schema=False, name="portal:root")
async def root_redirect() -> Redirect:
    return Redirect(HOME_PATH, status_code=302)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=PrefixLoader(
            {desk: FileSystemLoader(PORTAL_DIR / desk / "templates") for desk in DESKS}
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["portal_name"] = texts.PORTAL_NAME
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def unknown_address(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any] | None:
    """An address under /portal/ that no page answers (404), or not for this method (405): the
    portal's own page, not the API's problem document (None: not the portal's address)."""
    if request.url.path == PORTAL_PATH or request.url.path.startswith(PORTAL_PATH + "/"):
        return http_error_page(request, exc)
    return None


def create_portal(*, secret_key: str, cookie_secure: bool, settings: Settings) -> PortalParts:
    """Build the portal's routes and the app-level configs it needs."""
    missing_vendor_files()
    max_age_s = settings.staff_token_ttl_s
    session = session_middleware(
        secret_key=secret_key, cookie_secure=cookie_secure, max_age_s=max_age_s
    )
    portal_router = Router(
        path=PORTAL_PATH,
        route_handlers=[
            PortalController,
            WindowPages,
            WalkInPages,
            ReviewPages,
            AgentPages,
            FilingPages,
            AgentCasePages,
            AgentHandoverPages,
            WindowHandoverPages,
            DashboardPages,
            SupervisionPages,
            SupervisionCasePages,
            SupervisionRectificationPages,
            RectificationDeskPages,
            NoticePages,
            PaperPages,
            AccountPages,
            PointPages,
            CatalogueImportPages,
            CalendarPages,
            RoutingPages,
            PlatformPages,
            CataloguePages,
            AccountsPages,
            DeletionPages,
            TerminalPages,
        ],
        middleware=[
            session,
            DefineMiddleware(
                csrf_binding_middleware, secret_key=secret_key, cookie_secure=cookie_secure
            ),
        ],
        guards=[login_guard(max_age_s)],
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "staff": Provide(staff_provider(max_age_s)),
        },
        exception_handlers={
            NotLoggedIn: redirect_to_login,
            MustChangePassword: redirect_to_password_change,
            **EXCEPTION_HANDLERS,
        },
        request_class=HTMXRequest,
        cache_control=CacheControlHeader(no_store=True),
        response_headers=[
            ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
            ResponseHeader(name="X-Frame-Options", value="DENY"),
            ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
            ResponseHeader(name="Referrer-Policy", value="same-origin"),
        ],
        include_in_schema=False,
    )
    static_router = create_static_files_router(
        path="/static", directories=[STATIC_DIR], name="static", include_in_schema=False
    )
    return PortalParts(
        route_handlers=[portal_router, root_redirect, static_router],
        template_config=template_config(),
        csrf_config=csrf_config(secret_key=secret_key, cookie_secure=cookie_secure),
        session_middleware=session,
        unknown_address=unknown_address,
    )
