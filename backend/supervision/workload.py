"""Agents' workload (代办员工作量): open errands, overdue errands, cases filed this month, live
mandates and what they hold — paper originals not yet received at the township, results not yet
with the citizen (the custody rules are ``backend.delegation.custody``'s own).

The list is filtered (township, a part of the name), sorted (open errands, overdue, name,
township; either way) and paged in SQL (``backend.cases.store.workload_list``); only the page's
agents then get their mandates and custody counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from backend.cases.store import oversight, workload_list
from backend.cases.store.workload_list import WorkloadFilter
from backend.clock import SHANGHAI
from backend.delegation.custody import custody_by_case
from backend.delegation.mandates import LIVE
from backend.delegation.store.workload import live_mandate_counts
from backend.supervision.overdue import OPEN_WITH_CLOCK, workdays
from backend.supervision.scope import Scope


@dataclass(frozen=True, slots=True)
class Workload:
    agent_id: str
    name: str
    area_code: str
    area_name: str
    township_name: str
    open_errands: int
    overdue: int  # open errands with an item past its deadline (working days)
    filed_this_month: int
    mandates_active: int
    originals_held: int  # paper originals with the agent, in transit or found missing
    results_held: int  # results on their way to the agent or with them, not yet handed over


async def workloads(
    *,
    scope: Scope,
    today: date,
    calendar: Any,
    where: WorkloadFilter,
    page: int,
    page_size: int,
) -> tuple[list[Workload], int]:
    """The agents in the scope (village agents and bank clerks), filtered and sorted as asked
    (by default by township, area, then name). A township supervisor asking for another
    township gets an empty list."""
    if scope.township is not None and where.township not in (None, scope.township):
        return [], 0
    agents, total = await workload_list.agents_page(
        where=WorkloadFilter(
            township=scope.township or where.township,
            name=where.name,
            sort=where.sort,
            descending=where.descending,
        ),
        since=datetime.combine(today.replace(day=1), time(0), SHANGHAI),
        statuses=OPEN_WITH_CLOCK,
        workdays=workdays(calendar, today=today, soon_days=0),
        today=today,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    if not agents:
        return [], total
    ids = [a.id for a in agents]
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
    out = [
        Workload(
            agent_id=a.id,
            name=a.display_name,
            area_code=a.area,
            area_name=a.area_name,
            township_name=a.township_name,
            open_errands=a.open_errands,
            overdue=a.overdue,
            filed_this_month=a.filed_since,
            mandates_active=mandates.get(a.id, 0),
            originals_held=originals.get(a.id, 0),
            results_held=results.get(a.id, 0),
        )
        for a in agents
    ]
    return out, total
