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
PW_CHANGE_PATH = "/portal/password"
PUBLIC = "portal_public"
"""Route ``opt`` key of the pages that need no login (the login form itself)."""
PW_CHANGE_PAGE = "portal_password_page"
"""Route ``opt`` key of the page a staff member whose password was reset may still open."""

STAFF_ID = "staff_id"
LOGIN_AT = "login_at"
SESSION_VERSION = "ver"
_ACCOUNT = "staff_account"
"""Where the guard leaves the account it loaded, for the ``staff`` dependency."""


class NotLoggedIn(Exception):
    """No live staff session on a portal page that needs one."""


class MustChangePassword(Exception):
    """An administrator reset this account's password: only the change page is open."""


def start_session(request: Request[Any, Any, Any], account: StaffAccount) -> None:
    """Replace whatever the session held before login, so nothing carries over into it.

    The session carries the account's token version: logout, a password change or disabling
    the account moves the version on and every copy of this cookie is dead at once.
    """
    request.clear_session()
    request.set_session(
        {STAFF_ID: account.id, LOGIN_AT: int(time.time()), SESSION_VERSION: account.token_version}
    )


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


async def live_account(
    connection: ASGIConnection[Any, Any, Any, Any], max_age_s: int
) -> StaffAccount | None:
    """The account of a live session: active, and still under the session's token version."""
    staff_id = session_staff_id(connection, max_age_s)
    account = await get_staff_account(staff_id=staff_id) if staff_id else None
    version = _session_dict(connection).get(SESSION_VERSION, 0)
    if account is None or account.token_version != version:
        return None
    return account


def login_guard(
    max_age_s: int,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """Default-deny: every portal route needs a live session, except those whose ``opt`` has
    ``PUBLIC``; the account is re-read on every request so a disabled account or a revoked
    session is out at once."""

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        if handler.opt.get(PUBLIC):
            return
        account = await live_account(connection, max_age_s)
        if account is None:
            raise NotLoggedIn
        if account.must_change_password and not handler.opt.get(PW_CHANGE_PAGE):
            raise MustChangePassword
        connection.scope.setdefault("state", {})[_ACCOUNT] = account

    return guard


def staff_provider(
    max_age_s: int,
) -> Callable[[Request[Any, Any, Any]], Awaitable[StaffAccount]]:
    """Dependency ``staff``: the account the login guard loaded for this request."""

    async def provide_staff(request: Request[Any, Any, Any]) -> StaffAccount:
        account = request.scope.get("state", {}).get(_ACCOUNT)
        if not isinstance(account, StaffAccount):
            account = await live_account(request, max_age_s)
        if account is None:
            raise NotLoggedIn
        return account

    return provide_staff


def redirect_to_password_change(
    request: Request[Any, Any, Any], _: MustChangePassword
) -> Response[Any]:
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(PW_CHANGE_PATH)
    return Redirect(PW_CHANGE_PATH, status_code=303)


def redirect_to_login(request: Request[Any, Any, Any], _: NotLoggedIn) -> Response[Any]:
    """Drop the dead session and send the browser to the login form (HTMX: a client redirect,
    so the login page replaces the whole page rather than landing inside a fragment)."""
    target = f"{LOGIN_PATH}?expired=1" if _session_dict(request) else LOGIN_PATH
    request.clear_session()
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(target)
    return Redirect(target, status_code=303)
