"""Guards and request helpers of the window and review routes.

The object-level guards answer 404 ``case_not_found`` for a case outside the caller's township
(window staff) or department (approvers) *before* the body is read or validated, so a stranger
learns nothing — the same pattern as ``cases.routes.own_case``.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend.cases import filing as cases
from backend.http.auth import Principal, principal_of, staff_roles
from backend.http.openapi import audience
from backend.identity import roles
from backend.window import access
from backend.window.access import Clerk

window_staff = staff_roles(roles.WINDOW)
approvers = staff_roles(roles.APPROVER)


def clerk_of(who: Principal) -> Clerk:
    return Clerk(
        id=who.id,
        role=who.role or "",
        area_code=who.area_code or "",
        department_code=who.department_code,
        name=who.account.display_name if who.account else None,
    )


def _number(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return str(connection.path_params.get("number", ""))


@audience(roles.WINDOW)
async def township_case(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    who = principal_of(connection)
    if who.kind != "staff" or who.role != roles.WINDOW:
        raise cases.not_found()
    if await access.window_case(number=_number(connection), clerk=clerk_of(who)) is None:
        raise cases.not_found()


@audience(roles.APPROVER)
async def department_case(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    who = principal_of(connection)
    if who.kind != "staff" or who.role != roles.APPROVER:
        raise cases.not_found()
    if await access.review_case(number=_number(connection), clerk=clerk_of(who)) is None:
        raise cases.not_found()
