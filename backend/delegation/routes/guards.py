"""Who may call the delegation routes, and object-level standing checked before the body is read.

Each guard answers 404 (not 403) for a case, batch or mandate the caller has no standing for,
so whether it exists is not told.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Parameter

from backend.cases import filing as cases
from backend.cases.transitions import Actor
from backend.delegation import custody, errands, mandates
from backend.delegation.schemas import HandoverStatus
from backend.delegation.scope import Agent, load_agent
from backend.http.auth import Principal, principal_of, staff_roles
from backend.http.openapi import audience
from backend.identity import roles

agent_only = staff_roles(roles.AGENT)
window_only = staff_roles(roles.WINDOW)
supervisors = staff_roles(roles.SUPERVISOR, roles.ADMIN)

HandoverStatusFilter = Annotated[
    HandoverStatus | None,
    Parameter(
        description="只看此状态的批次：sent 已送出，received 已确认接收；不填为全部。",
        examples=[Example(value="sent")],
    ),
]

# problem codes of the use cases, by status (what backend.delegation and the case services
# they call raise)
CASE_404 = ["case_not_found", "not_found"]
HANDOVER_404 = ["handover_not_found", "not_found"]
MANDATE_404 = ["mandate_not_found", "not_found"]
RECEIVE = {
    404: HANDOVER_404,
    409: ["handover_already_received"],
    422: ["handover_missing_invalid"],
}


def staff_actor(who: Principal) -> Actor:
    return Actor("staff", who.id, who.role or roles.WINDOW, channel="window")


async def agent_of(who: Principal) -> Agent:
    return await load_agent(
        staff_id=who.id,
        name=who.account.display_name if who.account else "",
        area_code=who.area_code or "",
    )


@audience(roles.AGENT)
async def agent_case(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    if who.kind != "staff" or who.role != roles.AGENT:
        raise cases.not_found()
    number = str(connection.path_params.get("number", ""))
    if await errands.readable_case(number=number, agent=await agent_of(who)) is None:
        raise cases.not_found()


@audience(roles.AGENT)
async def agent_batch(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    found = await custody.batch(str(connection.path_params.get("handover_id", "")))
    if found is None or who.kind != "staff" or found.agent_id != who.id:
        raise custody.not_found()


@audience(roles.WINDOW)
async def township_batch(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    who = principal_of(connection)
    found = await custody.batch(str(connection.path_params.get("handover_id", "")))
    if found is None or who.kind != "staff" or found.township != who.area_code:
        raise custody.not_found()


@audience("citizen")
async def own_mandate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = principal_of(connection)
    found = await mandates.get(str(connection.path_params.get("mandate_id", "")))
    if found is None or who.kind != "citizen" or found.citizen_id != who.id:
        raise mandates.not_found()
