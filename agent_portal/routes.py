"""Portal pages: login, logout, the role-aware home page and its HTMX fragment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK

from agent_portal.agent import pages as agent_pages
from agent_portal.common import texts
from agent_portal.common.auth import (
    HOME_PATH,
    LOGIN_AT,
    LOGIN_PATH,
    PUBLIC,
    PW_CHANGE_PATH,
    live_account,
    session_staff_id,
    start_session,
)
from agent_portal.common.menu import tasks_for
from agent_portal.common.security import CSRF_COOKIE, bind_csrf
from backend.catalogue import service as catalogue
from backend.clock import today
from backend.errors import RateLimited, Unauthenticated
from backend.http.client import client_address
from backend.identity import roles
from backend.identity.login import authenticate_staff
from backend.identity.service import StaffAccount
from backend.identity.sessions import revoke_all
from backend.settings import Settings
from backend.workdays.service import year_warnings

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEES_CALENDAR_WARNINGS = frozenset({"supervisor", "admin"})


@dataclass
class LoginForm:
    username: str = ""
    password: str = ""


def _login_page(
    *, error: str | None = None, notice: str | None = None, username: str = "", status: int = 200
) -> Template:
    return Template(
        "common/login.html",
        context={"error": error, "notice": notice, "username": username},
        status_code=status,
    )


def _fresh_csrf(response: Response[Any]) -> Response[Any]:
    """Drop the CSRF cookie when the signed-in person changes; the next page mints a new one."""
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def _locked_page(exc: RateLimited, *, username: str) -> Template:
    """Too many failed sign-ins: the form again, saying when to try again."""
    page = _login_page(error=texts.login_locked(exc.retry_after_s), username=username, status=429)
    page.headers["Retry-After"] = str(exc.retry_after_s)
    return page


def _signed_in(
    request: Request[Any, Any, Any], account: StaffAccount, settings: Settings
) -> Response[Any]:
    """A new session, then home — or the password page first when it must be changed."""
    start_session(request, account)
    target = PW_CHANGE_PATH if account.must_change_password else HOME_PATH
    return bind_csrf(
        request,
        Redirect(target, status_code=303),
        secret_key=settings.secret_key,
        cookie_secure=settings.cookie_secure,
    )


class PortalController(Controller):
    path = "/"
    include_in_schema = False

    @get("/login", opt={PUBLIC: True}, name="portal:login")
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        bye: bool = False,
        expired: bool = False,
    ) -> Response[Any]:
        if session_staff_id(request, settings.staff_token_ttl_s) is not None:
            return Redirect(HOME_PATH, status_code=303)
        if expired:
            return _login_page(error=texts.SESSION_EXPIRED)
        return _login_page(notice=texts.LOGGED_OUT if bye else None)

    @post("/login", opt={PUBLIC: True}, name="portal:login-submit")
    async def login(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        username = data.username.strip()
        if not username or not data.password:
            return _login_page(error=texts.LOGIN_MISSING_FIELDS, username=username, status=400)
        try:
            account = await authenticate_staff(
                username=username,
                password=data.password,
                address=client_address(request, settings),
                settings=settings,
            )
        except RateLimited as exc:
            return _locked_page(exc, username=username)
        except Unauthenticated:
            return _login_page(error=texts.LOGIN_WRONG_CREDENTIALS, username=username, status=401)
        return _signed_in(request, account, settings)

    @post("/logout", opt={PUBLIC: True}, name="portal:logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any], settings: Settings) -> Response[Any]:
        """Ends every session and token of the account (a copied cookie dies too)."""
        account = await live_account(request, settings.staff_token_ttl_s)
        if account is not None:
            await revoke_all(kind="staff", account_id=account.id)
        request.clear_session()
        target = f"{LOGIN_PATH}?bye=1"
        if request.headers.get("hx-request") == "true":
            return _fresh_csrf(ClientRedirect(target))
        return _fresh_csrf(Redirect(target, status_code=303))

    @get("/", name="portal:home")
    async def home(self, staff: StaffAccount, show: str = "", page: int = 1) -> Template:
        warnings: list[str] = []
        if staff.role in SEES_CALENDAR_WARNINGS:
            warnings = [
                texts.calendar_year_unconfirmed(s.year) for s in await year_warnings(today=today())
            ]
        if staff.role == roles.AGENT:  # the agent's home is their errands
            return await agent_pages.home(staff, show=show, page=page, warnings=warnings)
        return Template(
            "common/home.html",
            context={
                "staff": staff,
                "tasks": tasks_for(staff.role),
                "warnings": warnings,
            },
        )

    @get("/partials/whoami", name="portal:whoami")
    async def whoami(self, request: Request[Any, Any, Any], staff: StaffAccount) -> Template:
        login_at = request.session.get(LOGIN_AT)
        since = (
            datetime.fromtimestamp(login_at, tz=SHANGHAI).strftime("%Y-%m-%d %H:%M")
            if isinstance(login_at, int)
            else None
        )
        department = None
        if staff.department_code:  # 区残疾人联合会（CL）, as on the case page
            names = (await catalogue.snapshot()).departments
            name = names.get(staff.department_code)
            department = f"{name}（{staff.department_code}）" if name else staff.department_code
        return Template(
            "common/partials/whoami.html",
            context={"staff": staff, "since": since, "department": department},
        )
