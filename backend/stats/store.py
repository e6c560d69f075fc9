"""The statistics' SQL: the working-day numbers, the daily and monthly roll-ups built from the
facts, the watermark, the cached coverage, and the reads of the overview.

The work is set-based and runs in PostgreSQL, a day or a month at a time; ``{…}`` in the
statements below is filled from constants, never from input. The facts of each case
(``stats_case``) are written by the cases context's ``backend.cases.store.stats``, which reads
the case tables they come from; ``backend.stats.rollup`` runs both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from backend import db
from backend.geo.store import areas as geo_areas
from backend.stats.model import HIST_MAX, MEASURES

_SUMS: Final = """
    count(*) FILTER (WHERE c.part <> 'item'),
    count(*) FILTER (WHERE c.part <> 'item' AND c.is_open),
    count(*) FILTER (WHERE c.part <> 'item' AND NOT c.is_open),
    count(*) FILTER (WHERE c.due), count(*) FILTER (WHERE c.on_time),
    count(*) FILTER (WHERE c.part <> 'item' AND c.filed_by_kind IN ('agent', 'bank')),
    count(*) FILTER (WHERE c.local),
    coalesce(sum(c.trips) FILTER (WHERE c.part <> 'item' AND NOT c.is_open), 0),
    count(*) FILTER (WHERE c.part <> 'item' AND NOT c.is_open AND c.trips <= 1),
    sum(c.sat_count), sum(c.sat_sum), sum(c.sat_bad),
    count(c.wd_accept), coalesce(sum(c.wd_accept), 0),
    count(c.wd_deliver), coalesce(sum(c.wd_deliver), 0),
    count(*) FILTER (WHERE c.part <> 'bundle'), count(*) FILTER (WHERE c.part = 'bundle')
"""
"""The measures (``model.MEASURES``, in order) of a group of facts. A case is a single-item case
or a bundle (一件事) — a bundle's items are not cases — and ``items`` counts the items handled
(single-item cases and bundles' items): ``due``, ``on_time``, ``local`` and the working days are
per item (each has its own deadline and back office), trips per case, ratings all."""

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
       'closed', '', count(*) FILTER (WHERE c.part <> 'item')
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


_DELETE_DAYS: Final = "DELETE FROM stats_daily WHERE day = ANY($1::date[])"
_DAILY_FOR_DAYS: Final[tuple[str, ...]] = _daily(
    "c.submitted_on = ANY($1::date[])", "c.closed_on = ANY($1::date[])"
)
_DAILY_FOR_RANGE: Final[tuple[str, ...]] = _daily(
    "c.submitted_on BETWEEN $1::date AND $2::date", "c.closed_on BETWEEN $1::date AND $2::date"
)

_DELETE_MONTH: Final = "DELETE FROM stats_monthly WHERE month = $1::date"
_MONTH: Final = """
INSERT INTO stats_monthly (month, township, dim, key, {measures})
SELECT $1::date, township, dim, key, {sums}
FROM stats_daily
WHERE day >= $1::date AND day < ($1::date + interval '1 month')::date
GROUP BY township, dim, key
""".format(measures=", ".join(MEASURES), sums=", ".join(f"sum({m})" for m in MEASURES))


async def _execute(sql: str, *args: Any) -> None:
    async with db.connection() as conn:
        await conn.execute(sql, *args)


async def workday_numbers(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """The stored working-day number of each day in ``first..last``."""
    rows = await db.fetch(
        "SELECT day, n FROM stats_workday WHERE day BETWEEN $1 AND $2", first, last
    )
    return {r["day"]: r["n"] for r in rows}


async def save_workday_numbers(numbers: list[tuple[dt.date, int]]) -> None:
    """Store these (day, working-day number) pairs, replacing those stored."""
    async with db.connection() as conn:
        await conn.executemany(
            "INSERT INTO stats_workday (day, n) VALUES ($1, $2)"
            " ON CONFLICT (day) DO UPDATE SET n = EXCLUDED.n",
            numbers,
        )


async def rebuild_days(days: list[dt.date]) -> None:
    """Recompute the daily roll-ups of these days from the facts."""
    async with db.connection() as conn:
        await conn.execute(_DELETE_DAYS, days)
        for statement in _DAILY_FOR_DAYS:
            await conn.execute(statement, days)


async def build_days(first: dt.date, last: dt.date) -> None:
    """Add the daily roll-ups of ``first..last`` (after :func:`start_rebuild` emptied them)."""
    async with db.connection() as conn:
        for statement in _DAILY_FOR_RANGE:
            await conn.execute(statement, first, last)


async def rebuild_month(month: dt.date) -> None:
    """Recompute the monthly roll-up of ``month`` (its first day) from the daily ones."""
    async with db.connection() as conn:
        await conn.execute(_DELETE_MONTH, month)
        await conn.execute(_MONTH, month)


async def build_month(month: dt.date) -> None:
    """Add the monthly roll-up of ``month`` (after :func:`start_rebuild` emptied them)."""
    await _execute(_MONTH, month)


@dataclass(frozen=True, slots=True)
class Watermark:
    """How far the roll-ups are: the last run's time and the day its overdue check covered."""

    events_at: dt.datetime | None
    overdue_on: dt.date | None


async def take_watermark(*, wait: bool) -> Watermark | None:
    """Lock the roll-up watermark for this transaction; None when another holds it and
    ``wait`` is false."""
    await _execute(
        "INSERT INTO stats_watermark (name, runs) VALUES ('rollup', 0) ON CONFLICT DO NOTHING"
    )
    lock = "FOR UPDATE" if wait else "FOR UPDATE SKIP LOCKED"
    row = await db.fetchrow(
        f"SELECT events_at, overdue_on FROM stats_watermark WHERE name = 'rollup' {lock}"  # noqa: S608 - constant
    )
    return None if row is None else Watermark(row["events_at"], row["overdue_on"])


async def set_watermark(today: dt.date) -> None:
    """Record a finished run."""
    await _execute(
        "UPDATE stats_watermark SET events_at = now(), overdue_on = $1, refreshed_at = now(),"
        " runs = runs + 1 WHERE name = 'rollup'",
        today,
    )


async def fact_days(case_ids: list[int]) -> set[dt.date]:
    """The submission and closing days of these cases' stored facts."""
    rows = await db.fetch(
        "SELECT submitted_on, closed_on FROM stats_case WHERE case_id = ANY($1::bigint[])",
        case_ids,
    )
    days: set[dt.date] = set()
    for row in rows:
        days.add(row["submitted_on"])
        if row["closed_on"] is not None:
            days.add(row["closed_on"])
    return days


async def start_rebuild() -> None:
    """Empty the facts and roll-ups, with room to sort, for a rebuild in this transaction."""
    await _execute("SET LOCAL work_mem = '128MB'")
    await _execute("TRUNCATE stats_case, stats_daily, stats_monthly")


async def fact_span() -> tuple[dt.date, dt.date] | None:
    """The first submission day and the last submission or closing day of the facts."""
    row = await db.fetchrow(
        "SELECT min(submitted_on) AS first, max(greatest(submitted_on, closed_on)) AS last"
        " FROM stats_case"
    )
    if row is None or row["first"] is None:
        return None
    return row["first"], row["last"]


async def finish_rebuild() -> int:
    """Refresh the planner's statistics of the rebuilt tables; returns how many facts there are."""
    async with db.connection() as conn:
        cases = await conn.fetchval("SELECT count(*) FROM stats_case")
        await conn.execute("ANALYZE stats_case")
        await conn.execute("ANALYZE stats_daily")
        await conn.execute("ANALYZE stats_monthly")
    return int(cases)


async def coverage_is_fresh(max_age: dt.timedelta) -> bool:
    """Whether the cached coverage was computed less than ``max_age`` ago."""
    fresh = await db.fetchrow(
        "SELECT 1 FROM stats_coverage WHERE computed_at > now() - $1::interval LIMIT 1", max_age
    )
    return fresh is not None


@dataclass(frozen=True, slots=True)
class VillageCoverage:
    """One village's share of items within reach, for the cache."""

    village: str
    township: str
    share: int  # per mille
    items: int


async def replace_coverage(rows: list[VillageCoverage]) -> None:
    """Replace the cached coverage by these rows, in one transaction."""
    async with db.engine().transaction(), db.connection() as conn:
        await conn.execute("DELETE FROM stats_coverage")
        await conn.executemany(
            "INSERT INTO stats_coverage (village, township, share, items, computed_at)"
            " VALUES ($1, $2, $3, $4, now())",
            [(r.village, r.township, r.share, r.items) for r in rows],
        )


@dataclass(frozen=True, slots=True)
class NameRows:
    areas: dict[str, tuple[str, str | None, str]]  # code -> (name, parent, level)
    items: dict[str, str]  # item code -> the latest version's name
    departments: dict[str, str]


async def names() -> NameRows:
    """The names of areas, items and departments the figures are keyed by.

    Areas come from geo's store; the item and department names are still read here from the
    catalogue's tables, until the catalogue's store offers that read.
    """
    areas = await geo_areas.all_areas()
    items = await db.fetch(
        "SELECT DISTINCT ON (item) item, name FROM item_version ORDER BY item, version DESC"
    )
    departments = await db.fetch("SELECT code, name FROM department")
    return NameRows(
        {a.code: (a.name, a.parent_code, a.level) for a in areas},
        {r["item"]: r["name"] for r in items},
        {r["code"]: r["name"] for r in departments},
    )


_READ_SUMS: Final = ", ".join(f"sum({m})::bigint AS {m}" for m in MEASURES)
_READ_COLS: Final = ", ".join(MEASURES)

_OVERVIEW: Final = f"""
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

_LEAGUE: Final = f"""
SELECT a.code, a.name, {", ".join(f"coalesce(sum(r.{m}), 0)::bigint AS {m}" for m in MEASURES)}
FROM area a
LEFT JOIN (
    SELECT key, {_READ_COLS} FROM stats_monthly
    WHERE township = '*' AND dim = 'township' AND month = ANY($1::date[])
    UNION ALL
    SELECT key, {_READ_COLS} FROM stats_daily
    WHERE township = '*' AND dim = 'township'
      AND (day BETWEEN $2::date AND $3::date OR day BETWEEN $4::date AND $5::date)
) r ON r.key = a.code
WHERE a.level = 'township' AND ($6::text IS NULL OR a.code = $6::text)
GROUP BY a.code, a.name
ORDER BY a.code
"""  # noqa: S608 - built from the constants above
"""The township league: every township of the area list (of the one asked for), with the
measures of its cases — zeros for a township without any, which is listed all the same."""

_BY_DAY: Final = """
SELECT day, dim, cases FROM stats_daily
WHERE township = $1 AND dim = ANY(ARRAY['all', 'closed']) AND day BETWEEN $2::date AND $3::date
"""

_COVERAGE: Final = """
SELECT count(*) AS villages, coalesce(avg(share), 0)::float8 / 1000 AS share,
       count(*) FILTER (WHERE share >= 1000) AS covered, max(computed_at) AS computed_at
FROM stats_coverage WHERE $1::text IS NULL OR township = $1
"""


@dataclass(frozen=True, slots=True)
class SumsRow:
    """The measures summed over one key of one dimension (``MEASURES``, missing ones as 0)."""

    dim: str
    key: str
    sums: dict[str, int]


@dataclass(frozen=True, slots=True)
class DayCount:
    """Cases submitted (``dim`` ``all``) or closed (``closed``) on one day."""

    day: dt.date
    dim: str
    cases: int


@dataclass(frozen=True, slots=True)
class CoverageSummary:
    """The cached coverage summed up: villages, mean share, those fully covered, when."""

    villages: int
    share: float
    covered: int
    computed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LeagueRow:
    """One township of the league, with its measures (zeros when it had no case)."""

    code: str
    name: str
    sums: dict[str, int]


@dataclass(frozen=True, slots=True)
class OverviewRows:
    """The roll-up rows of one overview: sums by dimension, the township league, by day, the
    coverage, the time of the last refresh."""

    sums: list[SumsRow]
    league: list[LeagueRow]
    days: list[DayCount]
    coverage: CoverageSummary | None
    refreshed_at: dt.datetime | None


async def overview_rows(
    *,
    scope: str,
    township: str | None,
    months: list[dt.date],
    spans: tuple[Any, ...],
    date_from: dt.date,
    date_to: dt.date,
) -> OverviewRows:
    """The roll-ups of ``scope`` (a township or the district) over whole ``months`` and the two
    day ``spans`` around them, read on one connection."""
    async with db.connection() as conn:
        rows = await conn.fetch(_OVERVIEW, scope, months, *spans)
        league = await conn.fetch(_LEAGUE, months, *spans, township)
        day_rows = await conn.fetch(_BY_DAY, scope, date_from, date_to)
        cover = await conn.fetchrow(_COVERAGE, township)
        mark = await conn.fetchval("SELECT refreshed_at FROM stats_watermark WHERE name = 'rollup'")
    return OverviewRows(
        [SumsRow(r["dim"], r["key"], {m: int(r[m] or 0) for m in MEASURES}) for r in rows],
        [LeagueRow(r["code"], r["name"], {m: int(r[m]) for m in MEASURES}) for r in league],
        [DayCount(r["day"], r["dim"], int(r["cases"])) for r in day_rows],
        None
        if cover is None
        else CoverageSummary(
            int(cover["villages"]),
            float(cover["share"]),
            int(cover["covered"]),
            cover["computed_at"],
        ),
        mark,
    )


@dataclass(frozen=True, slots=True)
class CoverageRow:
    village: str
    township: str
    share: int  # per mille
    name: str
    lat: float | None
    lng: float | None
    township_name: str | None


async def coverage_by_village(township: str | None) -> list[CoverageRow]:
    """Each village's cached 30-minute coverage (of ``township`` when given), by code; the
    names and places are geo's (a village no longer in the area tree is left out)."""
    rows = await db.fetch(
        "SELECT village, township, share FROM stats_coverage"
        " WHERE ($1::text IS NULL OR township = $1::text) ORDER BY village",
        township,
    )
    if not rows:
        return []
    areas = {a.code: a for a in await geo_areas.all_areas()}
    out = []
    for r in rows:
        village = areas.get(r["village"])
        if village is None:
            continue
        seat = areas.get(r["township"])
        out.append(
            CoverageRow(
                village=r["village"],
                township=r["township"],
                share=r["share"],
                name=village.name,
                lat=village.lat,
                lng=village.lng,
                township_name=None if seat is None else seat.name,
            )
        )
    return out
