"""Guards and request helpers of the window and review routes.

The object-level guards answer 404 ``case_not_found`` for a case outside the caller's township
(window staff) or department (approvers) *before* the body is read or validated, so a stranger
learns nothing — the same pattern as ``cases.routes.own_case``.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler

from backend.cases import service as cases
from backend.http.auth import ApiRequest, Principal, principal_of, staff_roles
from backend.http.openapi import audience
from backend.identity import roles
from backend.outbox.service import unit_of_work
from backend.window import access, service
from backend.window.access import Clerk
from backend.window.claims import DEFAULT_LAPSE_S
from backend.window.schemas import MaterialLinkOut, RevealedOut

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


def lapse_s(state: State) -> int:
    """How long an untouched claim lives: ``settings.window_claim_s`` when set, else 900 s."""
    return int(getattr(state.settings, "window_claim_s", DEFAULT_LAPSE_S) or DEFAULT_LAPSE_S)


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


async def material_link_for(
    request: ApiRequest, state: State, *, number: str, upload_id: str
) -> MaterialLinkOut:
    """A signed link to one of the case's materials, the read audited (window and back office)."""
    async with unit_of_work(state.doorbell):
        url = await service.material_link(
            number=number,
            upload_id=upload_id,
            clerk=clerk_of(request.user),
            audit=state.audit,
            settings=state.settings,
            lapse_s=lapse_s(state),
        )
    return MaterialLinkOut(url=url, expires_in=state.settings.signed_url_ttl_s)


async def reveal_for(
    request: ApiRequest, state: State, *, number: str, field: str, reason: str
) -> RevealedOut:
    """查看完整号码 for the window and the back office; the answer is never cached."""
    async with unit_of_work(state.doorbell):
        value = await service.reveal_form_value(
            number=number,
            field=field,
            clerk=clerk_of(request.user),
            reason=reason,
            audit=state.audit,
        )
    return RevealedOut(field=field, value=value)
