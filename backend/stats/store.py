"""The statistics' reads: roll-ups for the overview, names to show, the cached coverage.

The statements that build the roll-ups from the case tables are ``backend.stats.sql``'s fixed
SQL, run by ``backend.stats.rollup``; these read what they produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from backend import db
from backend.stats import sql


@dataclass(frozen=True, slots=True)
class NameRows:
    areas: dict[str, tuple[str, str | None, str]]  # code -> (name, parent, level)
    items: dict[str, str]  # item code -> the latest version's name
    departments: dict[str, str]


async def names() -> NameRows:
    """The names of areas, items and departments the figures are keyed by."""
    areas = await db.fetch("SELECT code, name, parent, level FROM area")
    items = await db.fetch(
        "SELECT DISTINCT ON (item) item, name FROM item_version ORDER BY item, version DESC"
    )
    departments = await db.fetch("SELECT code, name FROM department")
    return NameRows(
        {r["code"]: (r["name"], r["parent"], r["level"]) for r in areas},
        {r["item"]: r["name"] for r in items},
        {r["code"]: r["name"] for r in departments},
    )


@dataclass(frozen=True, slots=True)
class OverviewRows:
    """The roll-up rows of one overview: sums by dimension, by day, the coverage, the time of
    the last refresh."""

    sums: list[asyncpg.Record]
    days: list[asyncpg.Record]
    coverage: asyncpg.Record | None
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
        rows = await conn.fetch(sql.OVERVIEW, scope, months, *spans)
        day_rows = await conn.fetch(sql.BY_DAY, scope, date_from, date_to)
        cover = await conn.fetchrow(sql.COVERAGE, township)
        mark = await conn.fetchval("SELECT refreshed_at FROM stats_watermark WHERE name = 'rollup'")
    return OverviewRows(rows, day_rows, cover, mark)


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
    """Each village's cached 30-minute coverage (of ``township`` when given), by code."""
    rows = await db.fetch(
        "SELECT c.village, c.township, c.share, v.name, v.lat, v.lng, t.name AS township_name"
        " FROM stats_coverage c JOIN area v ON v.code = c.village"
        " LEFT JOIN area t ON t.code = c.township"
        " WHERE ($1::text IS NULL OR c.township = $1::text) ORDER BY c.village",
        township,
    )
    return [CoverageRow(**dict(r)) for r in rows]
