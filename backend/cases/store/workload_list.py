"""The agents' workload list (代办员工作量): filtered, sorted and paged in SQL.

Per active agent: open errands (top-level cases filed and not closed — a bundle counted once),
cases filed since a moment, and overdue errands — a top-level case with an item whose clock is
late, counted as the overdue list counts it (``overdue_list``): the caller passes the working
days of a wide enough range and an item is late when a working day lies after its stored
deadline up to today (or, while a supplement is awaited, up to the day it was asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from backend import db

SORTS: Final = {
    "township": "township {dir}, area {dir}, display_name, id",
    "name": "display_name {dir}, id",
    "open": "open_errands {dir}, display_name, id",
    "overdue": "overdue {dir}, open_errands DESC, display_name, id",
}
"""The orders the list can take (``asc``/``desc`` fills ``{dir}``); a fixed set."""

_LIST = """
WITH agents AS (
  SELECT s.id, s.display_name, s.area, a.name AS area_name,
    CASE WHEN a.level = 'township' THEN a.code ELSE a.parent END AS township
  FROM staff_user s JOIN area a ON a.code = s.area
  WHERE s.role = 'agent' AND s.active
    AND ($1::text IS NULL OR s.area = $1::text OR a.parent = $1::text)
    AND ($2::text IS NULL OR s.display_name ILIKE $2::text ESCAPE '\\')
), counted AS (
  SELECT g.id::text AS id, g.display_name, g.area, g.area_name, g.township,
    COALESCE(t.name, g.township, '') AS township_name,
    COALESCE(c.open_errands, 0)::int AS open_errands,
    COALESCE(c.filed_since, 0)::int AS filed_since,
    COALESCE(o.overdue, 0)::int AS overdue
  FROM agents g
  LEFT JOIN area t ON t.code = g.township
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE r.closed_at IS NULL) AS open_errands,
      count(*) FILTER (WHERE r.created_at >= $3::timestamptz) AS filed_since
    FROM case_record r WHERE r.parent IS NULL AND r.filed_by_staff = g.id) c ON true
  LEFT JOIN LATERAL (
    SELECT count(DISTINCT COALESCE(r.parent, r.id)) AS overdue FROM case_record r
    WHERE r.filed_by_staff = g.id AND r.closed_at IS NULL AND r.accepted_at IS NOT NULL
      AND r.deadline IS NOT NULL AND r.status = ANY($4::text[])
      AND NOT (r.bundle_code IS NOT NULL AND r.parent IS NULL)
      AND EXISTS (SELECT 1 FROM unnest($5::date[]) w(day) WHERE w.day > r.deadline
        AND w.day <= COALESCE(CASE WHEN r.status = 'awaiting_supplement' THEN (
          SELECT (max(e.at) AT TIME ZONE 'Asia/Shanghai')::date FROM case_event e
          WHERE e."case" = r.id AND e.action = 'request_supplement') END, $6::date))) o ON true
)
SELECT *, count(*) OVER () AS total FROM counted
"""


@dataclass(frozen=True, slots=True)
class WorkloadFilter:
    """``township``: the agents of a township and its villages; ``name``: a part of the
    agent's name (its wildcards taken literally); ``sort`` a key of :data:`SORTS`."""

    township: str | None = None
    name: str | None = None
    sort: str = "township"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class AgentLine:
    id: str
    display_name: str
    area: str
    area_name: str
    township: str | None
    township_name: str
    open_errands: int
    filed_since: int
    overdue: int


def like_pattern(text: str) -> str:
    """``text`` anywhere, its ``%``, ``_`` and backslashes taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def agents_page(
    *,
    where: WorkloadFilter,
    since: datetime,
    statuses: tuple[str, ...],
    workdays: list[date],
    today: date,
    limit: int,
    offset: int,
) -> tuple[list[AgentLine], int]:
    """One page of the agents with their counts, in the chosen order, and how many in all."""
    order = SORTS.get(where.sort, SORTS["township"]).format(
        dir="DESC" if where.descending else "ASC"
    )
    args = (
        where.township,
        like_pattern(where.name) if where.name else None,
        since,
        list(statuses),
        workdays,
        today,
    )
    rows = await db.fetch(f"{_LIST} ORDER BY {order} LIMIT $7 OFFSET $8", *args, limit, offset)
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        found = await db.fetchrow(f"SELECT count(*) AS n FROM ({_LIST}) x", *args)  # noqa: S608
        total = int(found["n"]) if found is not None else 0
    return [AgentLine(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total
