"""The agent's case page: status, timeline (custody steps too), what it needs from the agent,
answering a supplement (photos) under a live mandate, and handing the result to the citizen.

Standing is ``errands.readable_case`` (DESIGN rule 4): the agent who filed it, while the mandate
is live or while they still hold something of it; anyone else gets the 404 page. The writes are
the use cases ``backend.delegation.routes`` calls (``service.supply`` under a live mandate;
``service.hand_over_to_citizen`` with the photo).
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.agent import desk as agent_desk
from agent_portal.common import desk, item_form, paper, texts, urgency
from agent_portal.common.casepage import Step, when
from agent_portal.common.errors import PageNotFound
from backend.cases import present as case_present
from backend.cases import views as case_views
from backend.cases.schemas import MaterialIn
from backend.cases.states import Status
from backend.cases.store.cases import CaseRecord
from backend.delegation import custody, errands, service
from backend.delegation.scope import Agent
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity.service import StaffAccount
from backend.workdays.service import load_calendar

HANDOVER_PHOTO: Final = "交付照片"


async def _row(agent: Agent, number: str) -> CaseRecord:
    row = await errands.readable_case(number=number, agent=agent)
    if row is None:
        raise PageNotFound
    return row


async def _page(
    agent: Agent,
    row: CaseRecord,
    *,
    done: str | None = None,
    error: str | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> Template:
    calendar = await load_calendar()
    shown = case_present.for_citizen(await case_views.view(row=row, calendar=calendar))
    root = row if row.parent is None else await errands.case_by_id(row.parent)
    found, _ = await errands.errands_for_roots(agent=agent, roots=[root], calendar=calendar)
    errand = found[0]
    needs = (
        errand.needs
        if row.parent is None
        else [n for n in errand.needs if n.case_number == row.number]
    )
    held = (await custody.custody_by_case([row]))[row.id]
    material_names = await case_views.material_names(row)
    status = Status(row.status)
    return Template(
        "agent/case.html",
        context={
            "case": shown,
            "citizen_name": errand.citizen_name,
            "clock": urgency.by_days_left(shown.working_days_left, paused=errand.clock.paused),
            "needs": [n.text for n in needs],
            "mandate_live": errand.mandate_live,
            "custody": held,
            "delivery": texts.DELIVERY.get(shown.delivery_method, shown.delivery_method),
            "submitted_at": when(shown.submitted_at),
            "materials": [
                (material_names.get(m.type, m.type), texts.MATERIAL_SOURCES.get(m.source, m.source))
                for m in shown.materials
            ],
            "steps": [
                Step(
                    when(e.at),
                    texts.ACTION_LABELS.get(e.action, e.action),
                    texts.ACTOR_ROLES.get(e.actor_role, e.actor_role),
                    "",
                    e.note,
                )
                for e in shown.timeline
            ],
            "may_supply": status == Status.AWAITING_SUPPLEMENT and errand.mandate_live,
            "may_hand_over": status == Status.RESULT_READY and held.result_with_agent,
            "pick_up": held.result_in_transit,
            "done": texts.AGENT_DONE.get(done or ""),
            "error": error,
            "failed": failed,
            "material_names": material_names,
            "paper": await paper.card(row, f"/portal/agent/cases/{row.number}"),
        },
        status_code=status_code,
    )


async def _photos(deps: Deps, agent: Agent, form: FormMultiDict) -> list[MaterialIn]:
    """The supplement's photos, saved through the upload service, by material type."""
    materials = []
    for index, kind in enumerate(desk.choices(form, "types")):
        chosen = item_form.chosen_file(form, f"sup-{index}-file")
        if chosen is not None:
            saved = await item_form.save_file(
                deps, owner_id=agent.id, material_type=kind, chosen=chosen
            )
            materials.append(MaterialIn(type=kind, upload_id=saved.id))
    return materials


async def _supply(
    deps: Deps, agent: Agent, row: CaseRecord, number: str, form: FormMultiDict
) -> None:
    """Answer the supplement under the live mandate: the photos, then the use case."""
    await errands.require_live_mandate(row)
    await service.supply(
        agent=agent,
        number=number,
        materials=await _photos(deps, agent, form),
        note=desk.text(form, "note", label="补正说明"),
        doorbell=deps.doorbell,
    )


async def _handover_photo(deps: Deps, agent: Agent, form: FormMultiDict) -> str:
    """The hand-over photo's upload id, saved through the upload service; "" when none."""
    chosen = item_form.chosen_file(form, "photo")
    if chosen is None:
        return ""
    saved = await item_form.save_file(
        deps, owner_id=agent.id, material_type=HANDOVER_PHOTO, chosen=chosen
    )
    return saved.id


class AgentCasePages(Controller):
    path = "/agent/cases"
    include_in_schema = False

    @get("/{number:str}", name="portal:agent-case")
    async def case(self, staff: StaffAccount, number: str, done: str = "") -> Template:
        agent = await agent_desk.agent_of(staff)
        return await _page(agent, await _row(agent, number), done=done)

    @post("/{number:str}/supply", name="portal:agent-supply")
    async def supply(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        row = await _row(agent, number)
        form = await request.form()
        try:
            await _supply(deps, agent, row, number, form)
        except DomainError as exc:
            return await _page(
                agent, row, error=exc.detail, failed="supply", status_code=exc.status
            )
        return Redirect(f"/portal/agent/cases/{number}?done=supplied", status_code=303)

    @post("/{number:str}/hand-over", name="portal:agent-hand-over")
    async def hand_over(
        self,
        request: Request[Any, Any, Any],
        staff: StaffAccount,
        deps: Deps,
        number: str,
    ) -> Response[Any]:
        agent = await agent_desk.agent_of(staff)
        row = await _row(agent, number)
        form = await request.form()
        try:
            photo = await _handover_photo(deps, agent, form)
            await service.hand_over_to_citizen(
                agent=agent, number=number, photo_upload_id=photo, doorbell=deps.doorbell
            )
        except DomainError as exc:
            return await _page(
                agent, row, error=exc.detail, failed="hand_over", status_code=exc.status
            )
        return Redirect(f"/portal/agent/cases/{number}?done=handed", status_code=303)
