"""Cookie session and CSRF configuration, both keyed from the application's secret.

The CSRF token is bound to the session: login mints a token, stores it in the (encrypted)
session and sets it as the CSRF cookie; ``csrf_binding_middleware`` then refuses a form or HTMX
request of a signed-in session whose token is not that session's, so a token taken from one
session (another browser, another person) is worthless in another. Signed-out pages (the login
form) keep Litestar's plain double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import generate_csrf_token
from litestar.middleware.session import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.response import Response
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from agent_portal.common.auth import STAFF_ID

SESSION_COOKIE = "jjb_portal"
CSRF_COOKIE = "jjb_csrf"
CSRF_HEADER = "x-csrftoken"
PORTAL_PATH = "/portal"

CSRF_SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Paths that are not browser forms: the JSON API (bearer tokens; WeChat's push callback is
# /api/v1/wechat/push), probes, metrics, the OpenAPI schema, static files and the public
# verification page of notices. Each pattern is
# anchored at the start and ends at a path segment: Litestar searches the path with them, so an
# unanchored "/wechat" would have exempted any portal form whose path merely contained it.
CSRF_EXCLUDE = [
    "^/api/",
    "^/healthz$",
    "^/readyz$",
    "^/metrics$",
    "^/schema(/|$)",
    "^/static/",
    "^/verify/",  # a notice's public verification page: no form, no session, no cookie
    "^/m(/|$)",  # the citizens' H5 and its year-long cached assets: no portal form, no cookie
    "^/kiosk(/|$)",
]


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
        secret=csrf_secret(secret_key),
        cookie_name=CSRF_COOKIE,
        cookie_path="/",
        header_name=CSRF_HEADER,
        cookie_secure=cookie_secure,
        cookie_httponly=False,
        cookie_samesite="lax",
        exclude=list(CSRF_EXCLUDE),
    )


def csrf_secret(secret_key: str) -> str:
    return derive_key(secret_key, "portal-csrf").hex()


def bind_csrf(
    request: Request[Any, Any, Any],
    response: Response[Any],
    *,
    secret_key: str,
    cookie_secure: bool,
) -> Response[Any]:
    """At login: a fresh CSRF token, kept in the new session and set as the CSRF cookie."""
    token = generate_csrf_token(secret=csrf_secret(secret_key))
    request.set_session({**request.session, CSRF_SESSION_KEY: token})
    response.set_cookie(
        CSRF_COOKIE,
        token,
        path="/",
        secure=cookie_secure,
        httponly=False,
        samesite="lax",
    )
    return response


def _without_csrf_cookie(
    headers: list[tuple[bytes, bytes]], token: str
) -> list[tuple[bytes, bytes]]:
    """The request headers with the CSRF cookie replaced by ``token``."""
    name = CSRF_COOKIE.encode()
    kept: list[bytes] = []
    rest = []
    for key, value in headers:
        if key.lower() != b"cookie":
            rest.append((key, value))
            continue
        kept += [
            part.strip()
            for part in value.split(b";")
            if part.strip() and part.strip().split(b"=", 1)[0].strip() != name
        ]
    kept.append(name + b"=" + token.encode())
    return [*rest, (b"cookie", b"; ".join(kept))]


def _csrf_cookie_of(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The CSRF cookie, parsed here: ``connection.cookies`` would cache the value in the scope
    before this middleware had a chance to replace it."""
    name = CSRF_COOKIE.encode()
    found = None
    for key, value in headers:
        if key.lower() == b"cookie":
            for part in value.split(b";"):
                cookie_name, _, cookie_value = part.strip().partition(b"=")
                if cookie_name.strip() == name:
                    found = cookie_value.strip().decode("latin-1")
    return found


def csrf_binding_middleware(app: ASGIApp, secret_key: str, cookie_secure: bool) -> ASGIApp:
    """Bind the portal's CSRF token to the signed-in session.

    It runs before Litestar's CSRF middleware (which Litestar places innermost, next to the
    handler), after the session middleware. For a signed-in session:

    - a form or HTMX request whose CSRF cookie is not the session's token is refused (403);
      Litestar then checks that the submitted token equals the cookie, so the submitted token
      must be the session's;
    - a page view whose cookie is missing or not the session's gets the session's token back:
      the request is handed on as if it carried it (so the page renders it) and the answer sets
      the cookie again. A session signed in before tokens were bound gets a fresh one.
    """
    secret = csrf_secret(secret_key)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session")
        if (
            scope["type"] != ScopeType.HTTP
            or not isinstance(session, dict)
            or STAFF_ID not in session
        ):
            await app(scope, receive, send)
            return
        bound = session.get(CSRF_SESSION_KEY)
        cookie = _csrf_cookie_of(list(scope["headers"]))
        matches = (
            isinstance(bound, str)
            and cookie is not None
            and hmac.compare_digest(cookie.encode(), bound.encode())
        )
        if scope["method"] not in SAFE_METHODS:
            if not matches:
                raise PermissionDeniedException("CSRF token is not this session's")
            await app(scope, receive, send)
            return
        if matches:
            await app(scope, receive, send)
            return
        if not isinstance(bound, str):
            bound = generate_csrf_token(secret=secret)
            scope["session"] = {**session, CSRF_SESSION_KEY: bound}
        scope["headers"] = _without_csrf_cookie(list(scope["headers"]), bound)
        state = ScopeState.from_scope(scope)  # the session middleware parsed them already
        state.cookies = state.headers = Empty
        restore = Cookie(
            key=CSRF_COOKIE,
            value=bound,
            path="/",
            secure=cookie_secure,
            httponly=False,
            samesite="lax",
        ).to_header(header="")

        async def send_restored(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).add("set-cookie", restore)
            await send(message)

        await app(scope, receive, send_restored)

    return middleware
