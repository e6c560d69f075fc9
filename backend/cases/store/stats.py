"""The case tables as the statistics read them (docs/statistics.md): which cases changed, the
range of ids and days there is, and the facts of each case.

Owned by the cases context. The facts are built by one set-based ``INSERT … SELECT`` per chunk of
cases that reads ``case_record``, ``case_event``, ``evaluation``, ``citizen`` and
``item_version`` and writes the statistics' ``stats_case`` (with the working-day numbers of
``stats_workday``). A bundle (一件事) gives one row for the bundle (``part`` ``bundle``: the
case the citizen filed, with the in-person visits of the bundle and all its items) and one per
item (``part`` ``item``: what the back offices handled, with its deadline and working days); a
single-item case is ``single``, both at once. It stays one statement on purpose: a rebuild of
five million cases runs it in 200 000-case chunks inside PostgreSQL, and splitting it into a
read here and a write in ``backend.stats.store`` would ship every case's facts through Python
and back (the ``make bench`` goal would not be met). So the statement that crosses the two
contexts lives here, with the owner of the rows it reads; ``backend.stats.rollup`` calls it.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from backend import db

BAD_SCORE: Final = 2
"""A rating of this score or less is bad (``backend.cases.actions.BAD_RATING``)."""

_BY_IDS: Final = {"e": 'e."case" = ANY($1::bigint[])', "v": 'v."case" = ANY($1::bigint[])',
                  "c": "c.id = ANY($1::bigint[])", "today": "$2::date"}  # fmt: skip
_BY_RANGE: Final = {"e": 'e."case" BETWEEN $1 AND $2', "v": 'v."case" BETWEEN $1 AND $2',
                    "c": "c.id BETWEEN $1 AND $2", "today": "$3::date"}  # fmt: skip
"""Which cases: a list of ids (the cron) or an id range (a rebuild), as index conditions."""

_FACTS: Final = """
WITH ev AS (
    SELECT e."case" AS id,
           count(*) FILTER (WHERE e.data->>'in_person' = 'true') AS visits,
           bool_or(e.action = 'transfer') AS transferred,
           min(e.at) FILTER (WHERE e.action IN ('approve', 'deny')) AS decided_at
    FROM case_event e WHERE {e}
    GROUP BY e."case"
),
ra AS (
    SELECT v."case" AS id, count(*) AS n, sum(v.score) AS s,
           count(*) FILTER (WHERE v.score <= {bad}) AS bad
    FROM evaluation v WHERE {v}
    GROUP BY v."case"
),
base AS (
    SELECT c.id,
           (c.created_at AT TIME ZONE 'Asia/Shanghai')::date AS sub,
           (c.accepted_at AT TIME ZONE 'Asia/Shanghai')::date AS acc,
           (c.closed_at AT TIME ZONE 'Asia/Shanghai')::date AS clo,
           (ev.decided_at AT TIME ZONE 'Asia/Shanghai')::date AS dec,
           CASE WHEN c.parent IS NOT NULL THEN 'item'
                WHEN c.item_code IS NULL THEN 'bundle' ELSE 'single' END AS part,
           c.deadline, c.status, c.channel, c.filed_by_kind, coalesce(c.item_code, '') AS item_code,
           coalesce(c.township, '') AS township,
           coalesce(z.village, '') AS village,
           coalesce(iv.department, c.department, '') AS department,
           coalesce(iv.lowest_level, 'district') AS lowest_level,
           CASE WHEN c.parent IS NOT NULL THEN 0
                WHEN c.item_code IS NULL THEN (
                    SELECT count(*) FROM case_event f
                    WHERE f.data->>'in_person' = 'true' AND f."case" IN (
                        SELECT c.id UNION ALL SELECT k.id FROM case_record k WHERE k.parent = c.id))
                ELSE coalesce(ev.visits, 0) END AS visits,
           coalesce(ev.transferred, false) AS transferred,
           coalesce(ra.n, 0) AS rn, coalesce(ra.s, 0) AS rs, coalesce(ra.bad, 0) AS rb
    FROM case_record c
    LEFT JOIN ev ON ev.id = c.id
    LEFT JOIN ra ON ra.id = c.id
    LEFT JOIN citizen z ON z.id = c.applicant
    LEFT JOIN item_version iv ON iv.id = c.item_version
    WHERE {c} AND (c.item_code IS NOT NULL OR c.bundle_code IS NOT NULL)
)
INSERT INTO stats_case AS s (
    case_id, part, submitted_on, closed_on, township, village, item_code, department, channel,
    filed_by_kind, status, is_open, local, due, on_time, wd_accept, wd_deliver, trips,
    sat_count, sat_sum, sat_bad, refreshed_at
)
SELECT b.id, b.part, b.sub, b.clo, b.township, b.village, b.item_code, b.department, b.channel,
       b.filed_by_kind, b.status,
       b.status NOT IN ('denied', 'rejected', 'delivered', 'withdrawn'),
       b.part <> 'bundle' AND b.lowest_level IN ('township', 'village') AND NOT b.transferred,
       b.part <> 'bundle' AND ((b.dec IS NOT NULL AND b.deadline IS NOT NULL)
           OR (b.dec IS NULL AND b.status IN ('accepted', 'in_review') AND b.deadline < {today})),
       b.part <> 'bundle' AND b.dec IS NOT NULL AND b.deadline IS NOT NULL AND b.dec <= b.deadline,
       CASE WHEN b.part <> 'bundle' THEN wa.n - ws.n END,
       CASE WHEN b.part <> 'bundle' AND b.status = 'delivered' THEN wc.n - ws.n END,
       CASE WHEN b.filed_by_kind = 'agent' THEN 0 ELSE b.visits END,
       b.rn, b.rs, b.rb, now()
FROM base b
LEFT JOIN stats_workday ws ON ws.day = b.sub
LEFT JOIN stats_workday wa ON wa.day = b.acc
LEFT JOIN stats_workday wc ON wc.day = b.clo
ON CONFLICT (case_id) DO UPDATE SET
    part = EXCLUDED.part, submitted_on = EXCLUDED.submitted_on, closed_on = EXCLUDED.closed_on,
    township = EXCLUDED.township, village = EXCLUDED.village, item_code = EXCLUDED.item_code,
    department = EXCLUDED.department, channel = EXCLUDED.channel,
    filed_by_kind = EXCLUDED.filed_by_kind, status = EXCLUDED.status,
    is_open = EXCLUDED.is_open, local = EXCLUDED.local, due = EXCLUDED.due,
    on_time = EXCLUDED.on_time, wd_accept = EXCLUDED.wd_accept,
    wd_deliver = EXCLUDED.wd_deliver, trips = EXCLUDED.trips, sat_count = EXCLUDED.sat_count,
    sat_sum = EXCLUDED.sat_sum, sat_bad = EXCLUDED.sat_bad, refreshed_at = EXCLUDED.refreshed_at
"""

_FACTS_FOR_IDS: Final = _FACTS.format(bad=BAD_SCORE, **_BY_IDS)
_FACTS_FOR_RANGE: Final = _FACTS.format(bad=BAD_SCORE, **_BY_RANGE)


async def write_facts_for_ids(ids: list[int], *, today: dt.date) -> None:
    """Write (or rewrite) the ``stats_case`` facts of these cases."""
    async with db.connection() as conn:
        await conn.execute(_FACTS_FOR_IDS, ids, today)


async def write_facts_for_range(low: int, high: int, *, today: dt.date) -> None:
    """Write the ``stats_case`` facts of the cases whose id is in ``low..high``."""
    async with db.connection() as conn:
        await conn.execute(_FACTS_FOR_RANGE, low, high, today)


_CHANGED_SINCE: Final = """
SELECT DISTINCT "case" AS id FROM case_event WHERE at > $1
UNION SELECT "case" FROM evaluation WHERE created_at > $1
UNION SELECT k.parent FROM case_event e JOIN case_record k ON k.id = e."case"
      WHERE e.at > $1 AND k.parent IS NOT NULL
UNION SELECT id FROM case_record
      WHERE deadline >= $2::date AND deadline < $3::date AND status IN ('accepted', 'in_review')
"""


async def changed_since(since: dt.datetime, *, overdue_from: dt.date, today: dt.date) -> list[int]:
    """Cases with an event or a rating after ``since`` (and the bundles of such items: a
    bundle's trips are its items' too), and the open ones whose deadline fell
    in ``overdue_from..today`` (today excluded): those whose facts may have changed."""
    return [r["id"] for r in await db.fetch(_CHANGED_SINCE, since, overdue_from, today)]


async def first_submission_day() -> dt.date | None:
    """The Asia/Shanghai day the oldest case was submitted, None when there is none."""
    row = await db.fetchrow(
        "SELECT (min(created_at) AT TIME ZONE 'Asia/Shanghai')::date AS day FROM case_record"
    )
    return None if row is None else row["day"]


async def id_range() -> tuple[int, int] | None:
    """The lowest and highest case id, None when there is no case."""
    row = await db.fetchrow("SELECT min(id) AS low, max(id) AS high FROM case_record")
    if row is None or row["low"] is None:
        return None
    return int(row["low"]), int(row["high"])
