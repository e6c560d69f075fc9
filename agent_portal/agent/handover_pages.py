"""The agent's side of the handover batches (材料交接 · 镇村联动).

The agent picks the cases whose paper originals go to the township, makes a batch
(``service.send_originals``) and prints its manifest; results for delivery through the agent come
back from the township (``agent_portal.window.handover_pages``), and the agent confirms them
(``service.receive_batch``). A batch of another agent is the 404 page, as in the API's guards.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.agent import desk as agent_desk
from agent_portal.common import desk, handovers
from agent_portal.common.errors import PageNotFound
from backend.delegation import custody, service
from backend.delegation.scope import Agent
from backend.delegation.store.handovers import Batch
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity.service import StaffAccount
from backend.workdays.service import load_calendar


async def _send_originals(deps: Deps, agent: Agent, form: FormMultiDict) -> str:
    """Batch the ticked cases' paper originals for the township; the batch's id."""
    limit = deps.settings.handover_max_cases
    answer = await service.send_originals(
        agent=agent,
        numbers=handovers.numbers(form, limit),
        limit=limit,
        claim=None,
        doorbell=deps.doorbell,
        ttl_s=deps.settings.idempotency_ttl_s,
    )
    return str(answer.body["id"])


async def _agent_list(
    agent: Agent, *, error: str | None = None, ticked: list[str] | None = None, status: int = 200
) -> Template:
    rows, total = await custody.list_batches(
        agent_id=agent.id, township=None, status=None, page=1, page_size=desk.PAGE_SIZE
    )
    return Template(
        "agent/handovers.html",
        context={
            "candidates": await handovers.originals_to_send(agent, await load_calendar()),
            "batches": handovers.summaries(rows),
            "total": total,
            "error": error,
            "ticked": ticked or [],
        },
        status_code=status,
    )


async def _receive(deps: Deps, agent: Agent, handover_id: str, form: FormMultiDict) -> None:
    """Confirm the batch arrived, with what was ticked missing."""
    await service.receive_batch(
        handover_id=handover_id,
        direction=custody.TO_VILLAGE,
        actor=agent.actor(None),
        missing=handovers.missing_of(form),
        doorbell=deps.doorbell,
    )


async def _agent_batch(agent: Agent, handover_id: str) -> Batch:
    found = await custody.batch(handover_id)
    if found is None or found.agent_id != agent.id:
        raise PageNotFound
    return found


class AgentHandoverPages(Controller):
    path = "/agent/handovers"
    include_in_schema = False

    @get("/", name="portal:agent-handovers")
    async def batches(self, staff: StaffAccount) -> Template:
        return await _agent_list(await agent_desk.agent_of(staff))

    @post("/", name="portal:agent-handover-send")
    async def send(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        form = await request.form()
        try:
            batch_id = await _send_originals(deps, agent, form)
        except DomainError as exc:
            ticked = [v for v in form.getall("numbers", []) if isinstance(v, str)]
            return await _agent_list(agent, error=exc.detail, ticked=ticked, status=exc.status)
        return Redirect(f"{handovers.AGENT_BASE}/{batch_id}", status_code=303)

    @get("/{handover_id:str}", name="portal:agent-handover")
    async def batch(self, staff: StaffAccount, handover_id: str, done: str = "") -> Template:
        agent = await agent_desk.agent_of(staff)
        return await handovers.batch_page(
            await _agent_batch(agent, handover_id), side="agent", done=done
        )

    @post("/{handover_id:str}/receive", name="portal:agent-handover-receive")
    async def receive(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        handover_id: str,
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        found = await _agent_batch(agent, handover_id)
        form = await request.form()
        try:
            await _receive(deps, agent, handover_id, form)
        except DomainError as exc:
            return await handovers.batch_page(
                found, side="agent", error=exc.detail, status=exc.status
            )
        return Redirect(f"{handovers.AGENT_BASE}/{handover_id}?done=received", status_code=303)
