"""Ending sessions and changing one's own password (citizens and staff)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.response import Response

from backend.http.auth import PASSWORD_CHANGE_PENDING_OK, Principal, issue_token, staff_roles
from backend.http.client import client_address
from backend.identity import staff_admin
from backend.identity.schemas import PasswordChangeRequest, StaffLoginResponse, StaffSummary
from backend.identity.service import StaffAccount
from backend.identity.sessions import revoke_all

NO_STORE = {"Cache-Control": "no-store"}


def staff_login_response(state: State, account: StaffAccount) -> StaffLoginResponse:
    """A fresh bearer token for ``account`` under its current token version."""
    ttl = state.settings.staff_token_ttl_s
    principal = Principal(
        "staff",
        account.id,
        role=account.role,
        area_code=account.area_code,
        department_code=account.department_code,
    )
    return StaffLoginResponse(
        access_token=issue_token(state.jwt_auth, principal, ttl, version=account.token_version),
        expires_in=ttl,
        staff=StaffSummary(
            id=account.id,
            role=account.role,
            area_code=account.area_code,
            department_code=account.department_code,
        ),
        password_change_required=account.must_change_password,
    )


class SessionController(Controller):
    path = "/api/v1"
    tags = ["login"]
    opt = {PASSWORD_CHANGE_PENDING_OK: True}

    @post("/auth/logout", status_code=204, summary="End every token and session of the caller")
    async def logout(self, request: Request[Principal, Any, Any]) -> None:
        """Logs the account out everywhere: this token, every other token and portal session."""
        who = request.user
        await revoke_all(kind=who.kind, account_id=who.id)

    @post(
        "/staff/me/password",
        status_code=200,
        guards=[staff_roles()],
        summary="Change one's own password; every other session ends, a new token is returned",
    )
    async def change_password(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: JSONBody[PasswordChangeRequest],
    ) -> Response[StaffLoginResponse]:
        account = await staff_admin.change_own_password(
            audit=state.audit,
            staff_id=request.user.id,
            current_password=data.current_password,
            new_password=data.new_password,
            address=client_address(request, state.settings),
            settings=state.settings,
        )
        return Response(staff_login_response(state, account), headers=NO_STORE)
