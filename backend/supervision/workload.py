"""Agents' workload (代办员工作量): open errands, cases filed this month, live mandates and what
they hold — paper originals not yet received at the township, results not yet with the citizen
(the custody rules are ``backend.delegation.custody``'s own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from backend.cases.store import oversight
from backend.clock import SHANGHAI
from backend.delegation.custody import custody_by_case
from backend.delegation.mandates import LIVE
from backend.delegation.store.workload import live_mandate_counts
from backend.identity.store.oversight import agents_page
from backend.supervision.scope import Scope


@dataclass(frozen=True, slots=True)
class Workload:
    agent_id: str
    name: str
    area_code: str
    area_name: str
    open_errands: int
    filed_this_month: int
    mandates_active: int
    originals_held: int  # paper originals with the agent, in transit or found missing
    results_held: int  # results on their way to the agent or with them, not yet handed over


async def workloads(
    *, scope: Scope, today: date, page: int, page_size: int
) -> tuple[list[Workload], int]:
    """The agents in the scope (village agents and bank clerks), by area then name."""
    agents, total = await agents_page(township=scope.township, page=page, page_size=page_size)
    if not agents:
        return [], 0
    ids = [a.id for a in agents]
    month_start = datetime.combine(today.replace(day=1), time(0), SHANGHAI)
    counts = await oversight.agent_case_counts(agent_ids=ids, since=month_start)
    mandates = await live_mandate_counts(ids, live=LIVE, today=today)
    filed = await oversight.cases_filed_by(ids)
    custody = await custody_by_case(filed) if filed else {}
    originals: dict[str, int] = {}
    results: dict[str, int] = {}
    for row in filed:
        held = custody[row.id]
        agent = str(row.filed_by_staff)
        originals[agent] = originals.get(agent, 0) + len(
            held.originals_to_send + held.originals_in_transit + held.originals_missing
        )
        results[agent] = results.get(agent, 0) + int(
            held.result_in_transit or held.result_with_agent
        )
    none = oversight.AgentCaseCounts(0, 0)
    out = [
        Workload(
            agent_id=a.id,
            name=a.display_name,
            area_code=a.area,
            area_name=a.area_name,
            open_errands=counts.get(a.id, none).open_errands,
            filed_this_month=counts.get(a.id, none).filed_since,
            mandates_active=mandates.get(a.id, 0),
            originals_held=originals.get(a.id, 0),
            results_held=results.get(a.id, 0),
        )
        for a in agents
    ]
    return out, total
