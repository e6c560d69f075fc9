"""Cookie session and CSRF configuration, both keyed from the application's secret."""

from __future__ import annotations

import hashlib
import hmac

from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.session import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import ASGIApp

SESSION_COOKIE = "jjb_portal"
CSRF_COOKIE = "jjb_csrf"
CSRF_HEADER = "x-csrftoken"
PORTAL_PATH = "/portal"

# Paths that are not browser forms: the JSON API (bearer tokens), probes, metrics, the OpenAPI
# schema, WeChat's push callbacks and static files.
CSRF_EXCLUDE = ["^/api", "^/healthz", "^/readyz", "^/metrics", "^/schema", "/wechat", "^/static"]


def derive_key(secret_key: str, purpose: str) -> bytes:
    """32 bytes for one purpose, so the session and CSRF keys differ from each other and from
    any other use of ``secret_key``."""
    return hmac.new(secret_key.encode(), f"jiujinban:{purpose}".encode(), hashlib.sha256).digest()


def session_config(*, secret_key: str, cookie_secure: bool, max_age_s: int) -> CookieBackendConfig:
    """Client-side AES-GCM encrypted session, only sent to and read on ``/portal``."""
    return CookieBackendConfig(
        secret=derive_key(secret_key, "portal-session"),
        key=SESSION_COOKIE,
        max_age=max_age_s,
        path=PORTAL_PATH,
        httponly=True,
        samesite="lax",
        secure=cookie_secure,
    )


def _cookie_session(app: ASGIApp, config: CookieBackendConfig) -> ASGIApp:
    return SessionMiddleware(app=app, backend=ClientSideSessionBackend(config=config))


def session_middleware(*, secret_key: str, cookie_secure: bool, max_age_s: int) -> DefineMiddleware:
    """The session middleware for a ``Router``.

    ``CookieBackendConfig.middleware`` cannot go on a Router: registering a Router deep-copies
    it, and the backend it builds holds an ``AESGCM`` object that cannot be copied (litestar
    issue #4046). This factory copies only the config and builds the backend per route.
    """
    config = session_config(secret_key=secret_key, cookie_secure=cookie_secure, max_age_s=max_age_s)
    return DefineMiddleware(_cookie_session, config=config)


def csrf_config(*, secret_key: str, cookie_secure: bool) -> CSRFConfig:
    """Double-submit cookie: forms send ``_csrf_token``, HTMX sends the ``X-CSRFToken`` header.

    The cookie path stays ``/``: a narrower path would make a request outside it mint a new
    token and overwrite the one already rendered into an open page.
    """
    return CSRFConfig(
        secret=derive_key(secret_key, "portal-csrf").hex(),
        cookie_name=CSRF_COOKIE,
        cookie_path="/",
        header_name=CSRF_HEADER,
        cookie_secure=cookie_secure,
        cookie_httponly=False,
        cookie_samesite="lax",
        exclude=list(CSRF_EXCLUDE),
    )
