"""Keeping the roll-ups current: ``refresh`` (the arq cron) and ``rebuild`` (everything).

``refresh`` recomputes the facts of every case touched since the watermark — a new event, a
rating, or a deadline passed since the last run (an open case turning overdue) — and then the
days those cases belong to (their submission and closing days, before and after) and those
days' months. Events are found by time with an overlap, so an event committed late (its ``at``
set before a slower transaction committed) is still seen; doing a case twice changes nothing,
so the cron is idempotent. The one watermark row is taken ``FOR UPDATE SKIP LOCKED``: a second
worker running the cron at the same time finds it taken and returns at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

from backend import db
from backend.stats import sql
from backend.workdays.calendar import WorkingCalendar

OVERLAP: Final = dt.timedelta(minutes=10)
"""How far before the watermark events are looked at again (longer than any transaction)."""

EPOCH: Final = dt.date(2000, 1, 1)
CHUNK: Final = 200_000  # cases per statement in a full rebuild

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Refreshed:
    skipped: bool  # another worker holds the watermark
    full: bool = False
    cases: int = 0
    days: int = 0
    months: int = 0


def _months(days: Iterable[dt.date]) -> list[dt.date]:
    return sorted({d.replace(day=1) for d in days})


async def sync_workdays(
    conn: asyncpg.Connection, calendar: WorkingCalendar, *, first: dt.date, last: dt.date
) -> bool:
    """Write ``stats_workday`` for ``first..last``; True when a day already stored changed."""
    rows = await conn.fetch(
        "SELECT day, n FROM stats_workday WHERE day BETWEEN $1 AND $2", first, last
    )
    stored = {r["day"]: r["n"] for r in rows}
    wanted = []
    day = first
    n = calendar.working_days_between(EPOCH, first)
    while day <= last:
        if day != first and calendar.is_working_day(day):
            n += 1
        if stored.get(day) != n:
            wanted.append((day, n))
        day += dt.timedelta(days=1)
    if wanted:
        await conn.executemany(
            "INSERT INTO stats_workday (day, n) VALUES ($1, $2)"
            " ON CONFLICT (day) DO UPDATE SET n = EXCLUDED.n",
            wanted,
        )
    return any(day in stored for day, _ in wanted)


async def _calendar_range(conn: asyncpg.Connection, today: dt.date) -> tuple[dt.date, dt.date]:
    oldest = await conn.fetchval(
        "SELECT (min(created_at) AT TIME ZONE 'Asia/Shanghai')::date FROM case_record"
    )
    first = min(oldest or today, today) - dt.timedelta(days=7)
    return first, today + dt.timedelta(days=366)


async def rebuild_days(conn: asyncpg.Connection, days: Iterable[dt.date]) -> int:
    touched = sorted(set(days))
    if not touched:
        return 0
    await conn.execute(sql.DELETE_DAYS, touched)
    for statement in sql.DAILY_FOR_DAYS:
        await conn.execute(statement, touched)
    return len(touched)


async def rebuild_months(conn: asyncpg.Connection, months: Iterable[dt.date]) -> int:
    count = 0
    for month in sorted(set(months)):
        await conn.execute(sql.DELETE_MONTH, month)
        await conn.execute(sql.MONTH, month)
        count += 1
    return count


async def _take_watermark(conn: asyncpg.Connection, *, wait: bool) -> asyncpg.Record | None:
    await conn.execute(
        "INSERT INTO stats_watermark (name, runs) VALUES ('rollup', 0) ON CONFLICT DO NOTHING"
    )
    lock = "FOR UPDATE" if wait else "FOR UPDATE SKIP LOCKED"
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT * FROM stats_watermark WHERE name = 'rollup' {lock}"  # noqa: S608 - constant
    )
    return row


async def _set_watermark(conn: asyncpg.Connection, today: dt.date) -> None:
    await conn.execute(
        "UPDATE stats_watermark SET events_at = now(), overdue_on = $1, refreshed_at = now(),"
        " runs = runs + 1 WHERE name = 'rollup'",
        today,
    )


async def refresh(*, calendar: WorkingCalendar, today: dt.date) -> Refreshed:
    """What changed since the last run, in one transaction (the cron's job)."""
    done = Refreshed(skipped=True)
    async with db.engine().transaction(), db.connection() as conn:
        mark = await _take_watermark(conn, wait=False)
        if mark is not None:
            done = await _refresh_in(conn, mark, calendar=calendar, today=today)
    return done


async def _refresh_in(
    conn: asyncpg.Connection, mark: asyncpg.Record, *, calendar: WorkingCalendar, today: dt.date
) -> Refreshed:
    first, last = await _calendar_range(conn, today)
    calendar_changed = await sync_workdays(conn, calendar, first=first, last=last)
    if mark["events_at"] is None or calendar_changed:
        return await _rebuild_in(conn, today=today, progress=None)
    since = mark["events_at"] - OVERLAP
    overdue_from = (mark["overdue_on"] or today) - dt.timedelta(days=1)
    ids = [r["id"] for r in await conn.fetch(sql.CHANGED_SINCE, since, overdue_from, today)]
    days: set[dt.date] = set()
    for start in range(0, len(ids), 50_000):
        part = ids[start : start + 50_000]
        days.update(_days_of(await conn.fetch(sql.DAYS_OF, part)))
        await conn.execute(sql.FACTS_FOR_IDS, part, today)
        days.update(_days_of(await conn.fetch(sql.DAYS_OF, part)))
    day_count = await rebuild_days(conn, days)
    month_count = await rebuild_months(conn, _months(days))
    await _set_watermark(conn, today)
    return Refreshed(False, False, len(ids), day_count, month_count)


def _days_of(rows: list[asyncpg.Record]) -> set[dt.date]:
    out: set[dt.date] = set()
    for row in rows:
        out.add(row["submitted_on"])
        if row["closed_on"] is not None:
            out.add(row["closed_on"])
    return out


async def rebuild(
    *, calendar: WorkingCalendar, today: dt.date, progress: Progress | None = None
) -> Refreshed:
    """Every fact and roll-up from scratch (after a bulk load or a calendar change)."""
    async with db.engine().transaction(), db.connection() as conn:
        await _take_watermark(conn, wait=True)
        first, last = await _calendar_range(conn, today)
        await sync_workdays(conn, calendar, first=first, last=last)
        done = await _rebuild_in(conn, today=today, progress=progress)
    return done


async def _rebuild_in(
    conn: asyncpg.Connection, *, today: dt.date, progress: Progress | None
) -> Refreshed:
    await conn.execute("SET LOCAL work_mem = '128MB'")
    await conn.execute("TRUNCATE stats_case, stats_daily, stats_monthly")
    bounds = await conn.fetchrow("SELECT min(id) AS low, max(id) AS high FROM case_record")
    low, high = (bounds["low"], bounds["high"]) if bounds and bounds["low"] else (1, 0)
    total = max(0, high - low + 1)
    for start in range(low, high + 1, CHUNK):
        end = min(start + CHUNK - 1, high)
        await conn.execute(sql.FACTS_FOR_RANGE, start, end, today)
        if progress is not None:
            progress("facts", end - low + 1, total)
    span = await conn.fetchrow(
        "SELECT min(submitted_on) AS first, max(greatest(submitted_on, closed_on)) AS last"
        " FROM stats_case"
    )
    months: list[dt.date] = []
    if span and span["first"] is not None:
        month = span["first"].replace(day=1)
        while month <= span["last"]:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
    for index, month in enumerate(months, start=1):
        end_day = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for statement in sql.DAILY_FOR_RANGE:
            await conn.execute(statement, month, end_day)
        await conn.execute(sql.MONTH, month)
        if progress is not None:
            progress("roll-ups", index, len(months))
    cases = await conn.fetchval("SELECT count(*) FROM stats_case")
    await _set_watermark(conn, today)
    await conn.execute("ANALYZE stats_case")
    await conn.execute("ANALYZE stats_daily")
    await conn.execute("ANALYZE stats_monthly")
    return Refreshed(False, True, int(cases), 0, len(months))


async def refresh_coverage(*, compute: Callable[[], Any], max_age: dt.timedelta) -> bool:
    """Recompute the cached 30-minute coverage when it is older than ``max_age``."""
    fresh = await db.fetchrow(
        "SELECT 1 FROM stats_coverage WHERE computed_at > now() - $1::interval LIMIT 1", max_age
    )
    if fresh is not None:
        return False
    report = await compute()
    rows = [
        (v.code, v.township_code, round(v.share_within * 1000), len(report.item_codes))
        for v in report.villages
    ]
    async with db.engine().transaction(), db.connection() as conn:
        await conn.execute("DELETE FROM stats_coverage")
        await conn.executemany(
            "INSERT INTO stats_coverage (village, township, share, items, computed_at)"
            " VALUES ($1, $2, $3, $4, now())",
            rows,
        )
    return True
