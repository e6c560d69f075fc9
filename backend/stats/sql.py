"""The statements that turn cases into facts and facts into roll-ups (docs/statistics.md).

Kept as fixed SQL: the work is set-based and runs in PostgreSQL, a day or a chunk of cases at a
time. ``{target}`` and ``{days}`` are filled from the constants below, never from input.
"""

from __future__ import annotations

from typing import Final

HIST_MAX: Final = 120
"""Working-day histograms have buckets 0..HIST_MAX and one overflow bucket (``over``)."""

BAD_SCORE: Final = 2  # a rating of 2 or less is bad (cases.service.BAD_RATING)

MEASURES: Final = [
    "cases", "open", "closed", "due", "on_time", "delegated", "local", "trips_sum", "trips_le1",
    "sat_count", "sat_sum", "sat_bad", "wa_n", "wa_sum", "wd_n", "wd_sum",
]  # fmt: skip

DIMS: Final = (
    "all",
    "status",
    "channel",
    "kind",
    "item",
    "department",
    "village",
    "township",
    "wd_accept",
    "wd_deliver",
)

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
           c.deadline, c.status, c.channel, c.filed_by_kind, c.item_code,
           coalesce(c.township, '') AS township,
           coalesce(z.village, '') AS village,
           coalesce(iv.department, c.department, '') AS department,
           coalesce(iv.lowest_level, 'district') AS lowest_level,
           coalesce(ev.visits, 0) AS visits,
           coalesce(ev.transferred, false) AS transferred,
           coalesce(ra.n, 0) AS rn, coalesce(ra.s, 0) AS rs, coalesce(ra.bad, 0) AS rb
    FROM case_record c
    LEFT JOIN ev ON ev.id = c.id
    LEFT JOIN ra ON ra.id = c.id
    LEFT JOIN citizen z ON z.id = c.applicant
    LEFT JOIN item_version iv ON iv.id = c.item_version
    WHERE {c} AND c.item_code IS NOT NULL
)
INSERT INTO stats_case AS s (
    case_id, submitted_on, closed_on, township, village, item_code, department, channel,
    filed_by_kind, status, is_open, local, due, on_time, wd_accept, wd_deliver, trips,
    sat_count, sat_sum, sat_bad, refreshed_at
)
SELECT b.id, b.sub, b.clo, b.township, b.village, b.item_code, b.department, b.channel,
       b.filed_by_kind, b.status,
       b.status NOT IN ('denied', 'rejected', 'delivered', 'withdrawn'),
       b.lowest_level IN ('township', 'village') AND NOT b.transferred,
       (b.dec IS NOT NULL AND b.deadline IS NOT NULL)
           OR (b.dec IS NULL AND b.status IN ('accepted', 'in_review') AND b.deadline < {today}),
       b.dec IS NOT NULL AND b.deadline IS NOT NULL AND b.dec <= b.deadline,
       wa.n - ws.n,
       CASE WHEN b.status = 'delivered' THEN wc.n - ws.n END,
       CASE WHEN b.filed_by_kind = 'agent' THEN 0 ELSE b.visits END,
       b.rn, b.rs, b.rb, now()
FROM base b
LEFT JOIN stats_workday ws ON ws.day = b.sub
LEFT JOIN stats_workday wa ON wa.day = b.acc
LEFT JOIN stats_workday wc ON wc.day = b.clo
ON CONFLICT (case_id) DO UPDATE SET
    submitted_on = EXCLUDED.submitted_on, closed_on = EXCLUDED.closed_on,
    township = EXCLUDED.township, village = EXCLUDED.village, item_code = EXCLUDED.item_code,
    department = EXCLUDED.department, channel = EXCLUDED.channel,
    filed_by_kind = EXCLUDED.filed_by_kind, status = EXCLUDED.status,
    is_open = EXCLUDED.is_open, local = EXCLUDED.local, due = EXCLUDED.due,
    on_time = EXCLUDED.on_time, wd_accept = EXCLUDED.wd_accept,
    wd_deliver = EXCLUDED.wd_deliver, trips = EXCLUDED.trips, sat_count = EXCLUDED.sat_count,
    sat_sum = EXCLUDED.sat_sum, sat_bad = EXCLUDED.sat_bad, refreshed_at = EXCLUDED.refreshed_at
"""

FACTS_FOR_IDS: Final = _FACTS.format(bad=BAD_SCORE, **_BY_IDS)
FACTS_FOR_RANGE: Final = _FACTS.format(bad=BAD_SCORE, **_BY_RANGE)

_SUMS: Final = """
    count(*), count(*) FILTER (WHERE c.is_open), count(*) FILTER (WHERE NOT c.is_open),
    count(*) FILTER (WHERE c.due), count(*) FILTER (WHERE c.on_time),
    count(*) FILTER (WHERE c.filed_by_kind IN ('agent', 'bank')),
    count(*) FILTER (WHERE c.local),
    coalesce(sum(c.trips) FILTER (WHERE NOT c.is_open), 0),
    count(*) FILTER (WHERE NOT c.is_open AND c.trips <= 1),
    sum(c.sat_count), sum(c.sat_sum), sum(c.sat_bad),
    count(c.wd_accept), coalesce(sum(c.wd_accept), 0),
    count(c.wd_deliver), coalesce(sum(c.wd_deliver), 0)
"""

_BUCKET: Final = (
    "CASE WHEN c.{col} IS NULL THEN NULL WHEN c.{col} > {max} THEN 'over' ELSE c.{col}::text END"
)

_DAILY: Final = """
INSERT INTO stats_daily (day, township, dim, key, {measures})
SELECT c.submitted_on, CASE WHEN grouping(c.township) = 1 THEN '*' ELSE c.township END,
       d.dim, d.key, {sums}
FROM stats_case c
CROSS JOIN LATERAL (VALUES
    ('all', ''), ('status', c.status), ('channel', c.channel), ('kind', c.filed_by_kind),
    ('item', c.item_code), ('department', c.department), ('village', c.village),
    ('township', c.township), ('wd_accept', {wa}), ('wd_deliver', {wd})
) AS d (dim, key)
WHERE {days} AND d.key IS NOT NULL
GROUP BY GROUPING SETS ((c.submitted_on, c.township, d.dim, d.key), (c.submitted_on, d.dim, d.key))
@@
INSERT INTO stats_daily (day, township, dim, key, cases)
SELECT c.closed_on, CASE WHEN grouping(c.township) = 1 THEN '*' ELSE c.township END,
       'closed', '', count(*)
FROM stats_case c
WHERE {closed_days}
GROUP BY GROUPING SETS ((c.closed_on, c.township), (c.closed_on))
"""


def _daily(days: str, closed_days: str) -> tuple[str, ...]:
    """Two statements: the dimensions by submission day, then the closings by closing day."""
    text = _DAILY.format(
        measures=", ".join(MEASURES),
        sums=_SUMS,
        wa=_BUCKET.format(col="wd_accept", max=HIST_MAX),
        wd=_BUCKET.format(col="wd_deliver", max=HIST_MAX),
        days=days,
        closed_days=closed_days,
    )
    return tuple(part.strip() for part in text.split("@@"))


DELETE_DAYS: Final = "DELETE FROM stats_daily WHERE day = ANY($1::date[])"
DAILY_FOR_DAYS: Final[tuple[str, ...]] = _daily(
    "c.submitted_on = ANY($1::date[])", "c.closed_on = ANY($1::date[])"
)
DAILY_FOR_RANGE: Final[tuple[str, ...]] = _daily(
    "c.submitted_on BETWEEN $1::date AND $2::date", "c.closed_on BETWEEN $1::date AND $2::date"
)

DELETE_MONTH: Final = "DELETE FROM stats_monthly WHERE month = $1::date"
MONTH: Final = """
INSERT INTO stats_monthly (month, township, dim, key, {measures})
SELECT $1::date, township, dim, key, {sums}
FROM stats_daily
WHERE day >= $1::date AND day < ($1::date + interval '1 month')::date
GROUP BY township, dim, key
""".format(measures=", ".join(MEASURES), sums=", ".join(f"sum({m})" for m in MEASURES))

CHANGED_SINCE: Final = """
SELECT DISTINCT "case" AS id FROM case_event WHERE at > $1
UNION SELECT "case" FROM evaluation WHERE created_at > $1
UNION SELECT id FROM case_record
      WHERE deadline >= $2::date AND deadline < $3::date AND status IN ('accepted', 'in_review')
"""

DAYS_OF: Final = """
SELECT submitted_on, closed_on FROM stats_case WHERE case_id = ANY($1::bigint[])
"""

_READ_SUMS: Final = ", ".join(f"sum({m})::bigint AS {m}" for m in MEASURES)
_READ_COLS: Final = ", ".join(MEASURES)

OVERVIEW: Final = f"""
SELECT dim, key, {_READ_SUMS} FROM (
    SELECT dim, key, {_READ_COLS} FROM stats_monthly
    WHERE township = $1 AND month = ANY($2::date[]) AND dim <> 'closed'
    UNION ALL
    SELECT dim, key, {_READ_COLS} FROM stats_daily
    WHERE township = $1 AND dim <> 'closed'
      AND (day BETWEEN $3::date AND $4::date OR day BETWEEN $5::date AND $6::date)
) r
GROUP BY dim, key
"""  # noqa: S608 - built from the constants above

BY_DAY: Final = """
SELECT day, dim, cases FROM stats_daily
WHERE township = $1 AND dim = ANY(ARRAY['all', 'closed']) AND day BETWEEN $2::date AND $3::date
"""

COVERAGE: Final = """
SELECT count(*) AS villages, coalesce(avg(share), 0)::float8 / 1000 AS share,
       count(*) FILTER (WHERE share >= 1000) AS covered, max(computed_at) AS computed_at
FROM stats_coverage WHERE $1::text IS NULL OR township = $1
"""
