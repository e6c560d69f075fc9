"""The signed-in staff member's own account: changing their password.

The page calls the same use case as ``POST /api/v1/staff/me/password``. A successful change ends
every other session and token of the account; this browser gets a new session at once. A
change the account was made to do (a temporary password from an administrator) then goes on
to the home page; a change of one's own accord stays here and says it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_accounts
from agent_portal.common import texts
from agent_portal.common.auth import HOME_PATH, PW_CHANGE_PAGE, start_session
from agent_portal.common.security import CSRF_SESSION_KEY
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput, RateLimited, Unauthenticated
from backend.http.client import client_address
from backend.identity import staff_admin
from backend.identity.service import StaffAccount


@dataclass
class PasswordForm:
    current_password: str = ""
    new_password: str = ""
    confirm_password: str = ""


async def _page(
    staff: StaffAccount, *, error: str | None = None, notice: str | None = None, status: int = 200
) -> Template:
    if notice is None and error is None and staff.must_change_password:
        origin = await staff_admin.temporary_password_origin(staff_id=staff.id)
        notice = texts.PW_MUST_CHANGE if origin == "reset" else texts_accounts.PW_SET_YOUR_OWN
    return Template(
        "admin/password.html",
        context={"staff": staff, "error": error, "notice": notice, "rules": texts.PW_RULES},
        status_code=status,
    )


_REFUSAL_STATUS: dict[type[DomainError], int] = {
    Unauthenticated: 401,
    RateLimited: 429,
    InvalidInput: 422,
}


def _refusal_status(exc: DomainError) -> int:
    return next(status for kind, status in _REFUSAL_STATUS.items() if isinstance(exc, kind))


def _form_problem(data: PasswordForm) -> tuple[str, int] | None:
    """What is wrong with the form before the use case is asked, and the status it answers."""
    if not (data.current_password and data.new_password and data.confirm_password):
        return texts.PW_FIELDS_MISSING, 422
    if data.new_password != data.confirm_password:
        return texts.PW_CONFIRM_MISMATCH, 422
    return None


async def _change(
    request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps, data: PasswordForm
) -> StaffAccount:
    """The same use case as ``POST /api/v1/staff/me/password``."""
    return await staff_admin.change_own_password(
        audit=deps.audit,
        staff_id=staff.id,
        current_password=data.current_password,
        new_password=data.new_password,
        address=client_address(request, deps.settings),
        settings=deps.settings,
    )


def _renew_session(request: Request[Any, Any, Any], account: StaffAccount) -> None:
    """The changed password ended every session: this browser gets a new one at once."""
    kept_csrf = request.session.get(CSRF_SESSION_KEY)
    start_session(request, account)
    if kept_csrf:  # the same person goes on: the forms on this page keep working
        request.set_session({**request.session, CSRF_SESSION_KEY: kept_csrf})


class AccountPages(Controller):
    path = "/password"
    include_in_schema = False
    opt = {PW_CHANGE_PAGE: True}

    @get("/", name="portal:password")
    async def form(self, staff: StaffAccount) -> Template:
        return await _page(staff)

    @post("/", name="portal:password-submit", status_code=200)
    async def change(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        data: Annotated[PasswordForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        refused = _form_problem(data)
        if refused is not None:
            return await _page(staff, error=refused[0], status=refused[1])
        try:
            account = await _change(request, staff, deps, data)
        except (Unauthenticated, RateLimited, InvalidInput) as exc:
            return await _page(staff, error=exc.detail, status=_refusal_status(exc))
        _renew_session(request, account)
        if staff.must_change_password:  # the forced change done: on to the work itself
            return Redirect(HOME_PATH, status_code=303)
        return await _page(account, notice=texts.PW_CHANGED)
