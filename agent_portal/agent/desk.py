"""Who is working the agent's pages, and how their errands and mandates read on a page.

The agent is ``delegation.scope.Agent`` (a village agent, or a 政银通 clerk scoped to a
township); every other role gets the 403 page. What a case needs from the agent, its custody and
its clock all come from ``delegation.errands``; this module only puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from agent_portal.common import texts, urgency
from agent_portal.common.casepage import when
from agent_portal.common.errors import WrongRole
from agent_portal.common.urgency import Urgency
from backend.cases.clock import Calendar
from backend.cases.states import STATUS_LABELS, Status
from backend.clock import SHANGHAI, today
from backend.delegation import mandates
from backend.delegation.errands import Errand
from backend.delegation.scope import Agent, load_agent
from backend.delegation.store.mandates import MandateRow
from backend.identity import roles
from backend.identity.service import StaffAccount

MAX_PAGE: Final = 100


async def agent_of(staff: StaffAccount) -> Agent:
    """The signed-in agent; any other role gets the 403 page."""
    if staff.role != roles.AGENT:
        raise WrongRole(roles.AGENT)
    return await load_agent(staff_id=staff.id, name=staff.display_name, area_code=staff.area_code)


@dataclass(frozen=True, slots=True)
class ErrandLine:
    number: str
    name: str
    citizen_name: str
    status: str
    status_label: str
    deadline: str
    urgency: Urgency | None
    needs: list[str]
    mandate_live: bool
    submitted_at: str


def _urgency(errand: Errand, calendar: Calendar) -> Urgency | None:
    """As the window's lists: by the deadline once accepted, by the wait before; none closed."""
    clock = errand.clock
    if errand.row.closed_at is not None:
        return None
    if clock.working_days_left is not None:
        return urgency.by_days_left(clock.working_days_left, paused=clock.paused)
    return urgency.of_entry(
        deadline=None,
        submitted=errand.row.created_at.astimezone(SHANGHAI).date(),
        today=today(),
        calendar=calendar,
    )


def line(errand: Errand, calendar: Calendar) -> ErrandLine:
    row = errand.row
    status = Status(row.status)
    return ErrandLine(
        number=row.number,
        name=errand.name,
        citizen_name=errand.citizen_name,
        status=status.value,
        status_label=STATUS_LABELS[status],
        deadline=errand.clock.deadline.isoformat() if errand.clock.deadline else "",
        urgency=_urgency(errand, calendar),
        needs=[n.text for n in errand.needs],
        mandate_live=errand.mandate_live,
        submitted_at=when(row.created_at.astimezone(SHANGHAI).isoformat()),
    )


@dataclass(frozen=True, slots=True)
class MandateLine:
    id: str
    citizen_id: str
    citizen_name: str
    status: str
    status_label: str
    scope: list[str]
    expires_on: str
    consent: str
    created_at: str


async def mandate_line(row: MandateRow) -> MandateLine:
    status = mandates.effective_status(row)
    return MandateLine(
        id=row.id,
        citizen_id=row.citizen_id,
        citizen_name=row.citizen_name or "",
        status=status,
        status_label=texts.MANDATE_STATUS.get(status, status),
        scope=await mandates.scope_names(row),
        expires_on=row.expires_on.isoformat(),
        consent=texts.CONSENT.get(row.consent, row.consent),
        created_at=when(row.created_at.astimezone(SHANGHAI).isoformat()),
    )


async def live_mandates(agent: Agent, citizen_id: str | None = None) -> list[MandateLine]:
    """The agent's mandates a case can be filed under now (newest first)."""
    rows, _ = await mandates.for_agent(agent.id, citizen_id=citizen_id, page=1, page_size=MAX_PAGE)
    return [await mandate_line(r) for r in rows if mandates.effective_status(r) == mandates.LIVE]
