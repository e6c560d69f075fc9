"""Who is signed in to the portal: the session contents, the login guard and the staff lookup."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response

from backend.identity.service import StaffAccount, get_staff_account

LOGIN_PATH = "/portal/login"
HOME_PATH = "/portal/"
PUBLIC = "portal_public"
"""Route ``opt`` key of the pages that need no login (the login form itself)."""

STAFF_ID = "staff_id"
LOGIN_AT = "login_at"


class NotLoggedIn(Exception):
    """No live staff session on a portal page that needs one."""


def start_session(request: Request[Any, Any, Any], staff_id: str) -> None:
    """Replace whatever the session held before login, so nothing carries over into it."""
    request.clear_session()
    request.set_session({STAFF_ID: staff_id, LOGIN_AT: int(time.time())})


def _session_dict(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    raw = connection.scope.get("session")
    return raw if isinstance(raw, dict) else {}


def session_staff_id(connection: ASGIConnection[Any, Any, Any, Any], max_age_s: int) -> str | None:
    """The signed-in staff id, or ``None``; a session older than ``max_age_s`` since login is
    dead even if the browser keeps sending it (the cookie's own expiry slides with each page)."""
    session = _session_dict(connection)
    staff_id = session.get(STAFF_ID)
    login_at = session.get(LOGIN_AT)
    if not isinstance(staff_id, str) or not isinstance(login_at, int):
        return None
    if time.time() - login_at > max_age_s:
        return None
    return staff_id


def login_guard(
    max_age_s: int,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """Default-deny: every portal route needs a live session, except those whose ``opt`` has
    ``PUBLIC``."""

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        if handler.opt.get(PUBLIC):
            return
        if session_staff_id(connection, max_age_s) is None:
            raise NotLoggedIn

    return guard


def staff_provider(
    max_age_s: int,
) -> Callable[[Request[Any, Any, Any]], Awaitable[StaffAccount]]:
    """Dependency ``staff``: the signed-in account, re-read on every request so a disabled
    account is out at once."""

    async def provide_staff(request: Request[Any, Any, Any]) -> StaffAccount:
        staff_id = session_staff_id(request, max_age_s)
        account = await get_staff_account(staff_id=staff_id) if staff_id else None
        if account is None:
            raise NotLoggedIn
        return account

    return provide_staff


def redirect_to_login(request: Request[Any, Any, Any], _: NotLoggedIn) -> Response[Any]:
    """Drop the dead session and send the browser to the login form (HTMX: a client redirect,
    so the login page replaces the whole page rather than landing inside a fragment)."""
    target = f"{LOGIN_PATH}?expired=1" if _session_dict(request) else LOGIN_PATH
    request.clear_session()
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(target)
    return Redirect(target, status_code=303)
