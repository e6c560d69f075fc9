"""The supervisors' overdue list (超期督办), filtered, sorted and paged in SQL.

How late a case is counts working days, which the database does not know: the caller passes the
working days of a wide enough range (``workdays``), and the query counts those after the stored
deadline up to today — or, while the case waits for a supplement, up to the day it was asked
(a paused clock stops: its deadline moves on by every working day of the pause). The stored
deadline is the one set at acceptance and moved on at every answered supplement, so it is the
clock's own for a running case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from backend import db

SORTS: Final = {
    "late": "days_overdue DESC, deadline, number",
    "deadline": "deadline, number",
    "township": "township_name, deadline, number",
}

_LIST = """
WITH base AS (
  SELECT c.id, c.number, c.status, c.township, c.department, c.item_code,
    c.deadline, c.filed_by_kind, c.filed_by_staff,
    COALESCE(t.name, c.township, '') AS township_name,
    COALESCE(i.name, c.item_code, '') AS item,
    d.name AS department_name, ag.display_name AS agent_name,
    w.actor_id AS clerk_id, w.clerk_name,
    CASE WHEN c.status = 'awaiting_supplement' THEN (
      SELECT (max(e.at) AT TIME ZONE 'Asia/Shanghai')::date FROM case_event e
      WHERE e."case" = c.id AND e.action = 'request_supplement') END AS paused_on
  FROM case_record c
  LEFT JOIN area t ON t.code = c.township
  LEFT JOIN item_version i ON i.id = c.item_version
  LEFT JOIN department d ON d.code = c.department
  LEFT JOIN staff_user ag ON ag.id = c.filed_by_staff
  LEFT JOIN LATERAL (
    SELECT e.actor_id, s.display_name AS clerk_name FROM case_event e
    LEFT JOIN staff_user s ON s.id::text = e.actor_id
    WHERE e."case" = c.id AND e.actor_role = 'window' AND e.actor_id IS NOT NULL
    ORDER BY e.id DESC LIMIT 1) w ON true
  WHERE c.closed_at IS NULL AND c.accepted_at IS NOT NULL AND c.status = ANY($1::text[])
    AND c.deadline IS NOT NULL AND NOT (c.bundle_code IS NOT NULL AND c.parent IS NULL)
    AND ($4::text IS NULL OR c.township = $4::text)
    AND ($5::text IS NULL OR c.department = $5::text)
    AND ($6::text IS NULL OR c.item_code = $6::text)
), clocked AS (
  SELECT b.*, COALESCE(b.paused_on, $2::date) AS clock_day,
    CASE WHEN b.status = 'in_review' THEN 'department'
      WHEN b.status = 'awaiting_supplement' THEN
        CASE WHEN b.filed_by_kind IN ('agent', 'bank') AND b.filed_by_staff IS NOT NULL
          THEN 'agent' ELSE 'citizen' END
      WHEN b.clerk_id IS NOT NULL THEN 'window' ELSE 'township' END AS holder_kind
  FROM base b
), counted AS (
  SELECT k.*,
    (SELECT count(*) FROM unnest($3::date[]) w(day)
      WHERE w.day > k.deadline AND w.day <= k.clock_day)::int AS days_overdue,
    (SELECT count(*) FROM unnest($3::date[]) w(day)
      WHERE w.day > k.clock_day AND w.day <= k.deadline)::int AS days_left
  FROM clocked k
)
SELECT *, count(*) OVER () AS total FROM counted
WHERE ($7::text IS NULL OR holder_kind = $7::text)
  AND (CASE WHEN $8::int IS NULL THEN days_overdue > 0 OR days_left <= $9::int
            WHEN $8::int = 0 THEN days_overdue = 0 AND days_left <= $9::int
            ELSE days_overdue >= $8::int END)
"""


@dataclass(frozen=True, slots=True)
class OverdueFilter:
    """What the list is narrowed to; ``min_late`` None: late or due within ``soon_days``
    working days, 0: due soon only, n: at least n working days late."""

    township: str | None = None
    department: str | None = None
    item_code: str | None = None
    holder_kind: str | None = None
    min_late: int | None = None
    soon_days: int = 3


@dataclass(frozen=True, slots=True)
class OverdueLine:
    id: int
    number: str
    status: str
    township: str | None
    township_name: str
    department: str | None
    department_name: str | None
    item_code: str | None
    item: str
    deadline: date
    paused: bool
    days_overdue: int
    days_left: int
    holder_kind: str
    holder_id: str | None
    holder_name: str


def _line(r: dict[str, object]) -> OverdueLine:
    kind = str(r["holder_kind"])
    holder_id = {
        "department": r["department"],
        "window": r["clerk_id"],
        "agent": r["filed_by_staff"],
        "township": r["township"],
    }.get(kind)
    name = {
        "department": r["department_name"],
        "window": r["clerk_name"],
        "agent": r["agent_name"],
        "township": r["township_name"],
    }.get(kind)
    return OverdueLine(
        id=int(str(r["id"])),
        number=str(r["number"]),
        status=str(r["status"]),
        township=r["township"],  # type: ignore[arg-type]
        township_name=str(r["township_name"]),
        department=r["department"],  # type: ignore[arg-type]
        department_name=r["department_name"],  # type: ignore[arg-type]
        item_code=r["item_code"],  # type: ignore[arg-type]
        item=str(r["item"]),
        deadline=r["deadline"],  # type: ignore[arg-type]
        paused=r["paused_on"] is not None,
        days_overdue=int(str(r["days_overdue"])),
        days_left=int(str(r["days_left"])),
        holder_kind=kind,
        holder_id=None if holder_id is None else str(holder_id),
        holder_name=str(name or ""),
    )


async def overdue_page(
    *,
    statuses: tuple[str, ...],
    today: date,
    workdays: list[date],
    where: OverdueFilter,
    sort: str,
    limit: int | None,
    offset: int,
) -> tuple[list[OverdueLine], int]:
    """One page of the list (``limit`` None: all of it, for an export) and the total."""
    order = SORTS.get(sort, SORTS["late"])
    sql = f"{_LIST} ORDER BY {order} LIMIT $10 OFFSET $11"
    rows = await db.fetch(sql, *_params(statuses, today, workdays, where), limit, offset)
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        total = await _count(statuses, today, workdays, where)
    return [_line(dict(r)) for r in rows], total


def _params(
    statuses: tuple[str, ...], today: date, workdays: list[date], where: OverdueFilter
) -> list[object]:
    """$1..$9 of :data:`_LIST`."""
    return [
        list(statuses),
        today,
        workdays,
        where.township,
        where.department,
        where.item_code,
        where.holder_kind,
        where.min_late,
        where.soon_days,
    ]


async def _count(
    statuses: tuple[str, ...], today: date, workdays: list[date], where: OverdueFilter
) -> int:
    """The total when the page asked for lies past the end."""
    row = await db.fetchrow(
        f"SELECT count(*) AS n FROM ({_LIST}) x",  # noqa: S608 - a constant query
        *_params(statuses, today, workdays, where),
    )
    return int(row["n"]) if row is not None else 0
