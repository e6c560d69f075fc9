"""Agents' workload (代办员工作量): open errands, cases filed this month, live mandates and what
they hold — paper originals not yet received at the township, results not yet with the citizen
(the custody rules are ``backend.delegation.custody``'s own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from backend.clock import SHANGHAI
from backend.delegation.custody import custody_by_case
from backend.delegation.mandates import LIVE
from backend.supervision.scope import Scope
from backend.supervision.tables import Escalation

_AGENTS = (
    "SELECT s.id::text AS id, s.display_name, s.area, a.name AS area_name, a.level,"
    " count(*) OVER () AS total FROM staff_user s JOIN area a ON a.code = s.area"
    " WHERE s.role = 'agent' AND s.active"
    " AND ({}::text IS NULL OR s.area = {}::text OR a.parent = {}::text)"
    " ORDER BY a.code, s.display_name, s.id LIMIT {} OFFSET {}"
)
_CASE_COUNTS = (
    "SELECT filed_by_staff::text AS agent,"
    " count(*) FILTER (WHERE closed_at IS NULL) AS open_errands,"
    " count(*) FILTER (WHERE created_at >= {}) AS filed_this_month"
    " FROM case_record WHERE parent IS NULL AND filed_by_staff = ANY({}::uuid[])"
    " GROUP BY filed_by_staff"
)
_MANDATES = (
    "SELECT agent::text AS agent, count(*) AS n FROM mandate"
    " WHERE agent = ANY({}::uuid[]) AND status = {} AND expires_on >= {} GROUP BY agent"
)
_FILED = "SELECT * FROM case_record WHERE filed_by_staff = ANY({}::uuid[])"


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
    township = scope.township
    agents = [
        dict(r)
        for r in await Escalation.raw(
            _AGENTS, township, township, township, page_size, (page - 1) * page_size
        ).run()
    ]
    if not agents:
        return [], 0
    ids = [a["id"] for a in agents]
    month_start = datetime.combine(today.replace(day=1), time(0), SHANGHAI)
    counts = {r["agent"]: r for r in await Escalation.raw(_CASE_COUNTS, month_start, ids).run()}
    mandates = {
        r["agent"]: int(r["n"]) for r in await Escalation.raw(_MANDATES, ids, LIVE, today).run()
    }
    filed: list[dict[str, Any]] = [dict(r) for r in await Escalation.raw(_FILED, ids).run()]
    custody = await custody_by_case(filed) if filed else {}
    originals: dict[str, int] = {}
    results: dict[str, int] = {}
    for row in filed:
        held = custody[row["id"]]
        agent = str(row["filed_by_staff"])
        originals[agent] = originals.get(agent, 0) + len(
            held.originals_to_send + held.originals_in_transit + held.originals_missing
        )
        results[agent] = results.get(agent, 0) + int(
            held.result_in_transit or held.result_with_agent
        )
    out = [
        Workload(
            agent_id=a["id"],
            name=a["display_name"],
            area_code=a["area"],
            area_name=a["area_name"],
            open_errands=int(counts[a["id"]]["open_errands"]) if a["id"] in counts else 0,
            filed_this_month=int(counts[a["id"]]["filed_this_month"]) if a["id"] in counts else 0,
            mandates_active=mandates.get(a["id"], 0),
            originals_held=originals.get(a["id"], 0),
            results_held=results.get(a["id"], 0),
        )
        for a in agents
    ]
    return out, int(agents[0]["total"])
