"""What the supervisors' workload view reads of the mandates: how many each agent holds live."""

from __future__ import annotations

from datetime import date

from backend import db

_LIVE_MANDATES = (
    "SELECT agent::text AS agent, count(*) AS n FROM mandate"
    " WHERE agent = ANY($1::uuid[]) AND status = $2 AND expires_on >= $3 GROUP BY agent"
)


async def live_mandate_counts(agent_ids: list[str], *, live: str, today: date) -> dict[str, int]:
    """How many mandates of status ``live`` not yet expired on ``today`` each agent holds
    (agents without one are left out)."""
    rows = await db.fetch(_LIVE_MANDATES, agent_ids, live, today)
    return {r["agent"]: int(r["n"]) for r in rows}
