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

from backend import db
from backend.cases.store import stats as case_facts
from backend.stats import store
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


async def sync_workdays(calendar: WorkingCalendar, *, first: dt.date, last: dt.date) -> bool:
    """Write ``stats_workday`` for ``first..last``; True when a day already stored changed."""
    stored = await store.workday_numbers(first, last)
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
        await store.save_workday_numbers(wanted)
    return any(day in stored for day, _ in wanted)


async def _calendar_range(today: dt.date) -> tuple[dt.date, dt.date]:
    oldest = await case_facts.first_submission_day()
    first = min(oldest or today, today) - dt.timedelta(days=7)
    return first, today + dt.timedelta(days=366)


async def rebuild_days(days: Iterable[dt.date]) -> int:
    touched = sorted(set(days))
    if not touched:
        return 0
    await store.rebuild_days(touched)
    return len(touched)


async def rebuild_months(months: Iterable[dt.date]) -> int:
    count = 0
    for month in sorted(set(months)):
        await store.rebuild_month(month)
        count += 1
    return count


async def refresh(*, calendar: WorkingCalendar, today: dt.date) -> Refreshed:
    """What changed since the last run, in one transaction (the cron's job)."""
    done = Refreshed(skipped=True)
    async with db.engine().transaction():
        mark = await store.take_watermark(wait=False)
        if mark is not None:
            done = await _refresh_in(mark, calendar=calendar, today=today)
    return done


async def _refresh_in(
    mark: store.Watermark, *, calendar: WorkingCalendar, today: dt.date
) -> Refreshed:
    first, last = await _calendar_range(today)
    calendar_changed = await sync_workdays(calendar, first=first, last=last)
    if mark.events_at is None or calendar_changed:
        return await _rebuild_in(today=today, progress=None)
    since = mark.events_at - OVERLAP
    overdue_from = (mark.overdue_on or today) - dt.timedelta(days=1)
    ids = await case_facts.changed_since(since, overdue_from=overdue_from, today=today)
    days: set[dt.date] = set()
    for start in range(0, len(ids), 50_000):
        part = ids[start : start + 50_000]
        days.update(await store.fact_days(part))
        await case_facts.write_facts_for_ids(part, today=today)
        days.update(await store.fact_days(part))
    day_count = await rebuild_days(days)
    month_count = await rebuild_months(_months(days))
    await store.set_watermark(today)
    return Refreshed(False, False, len(ids), day_count, month_count)


async def rebuild(
    *, calendar: WorkingCalendar, today: dt.date, progress: Progress | None = None
) -> Refreshed:
    """Every fact and roll-up from scratch (after a bulk load or a calendar change)."""
    async with db.engine().transaction():
        await store.take_watermark(wait=True)
        first, last = await _calendar_range(today)
        await sync_workdays(calendar, first=first, last=last)
        done = await _rebuild_in(today=today, progress=progress)
    return done


async def _rebuild_in(*, today: dt.date, progress: Progress | None) -> Refreshed:
    await store.start_rebuild()
    low, high = await case_facts.id_range() or (1, 0)
    total = max(0, high - low + 1)
    for start in range(low, high + 1, CHUNK):
        end = min(start + CHUNK - 1, high)
        await case_facts.write_facts_for_range(start, end, today=today)
        if progress is not None:
            progress("facts", end - low + 1, total)
    span = await store.fact_span()
    months: list[dt.date] = []
    if span is not None:
        month = span[0].replace(day=1)
        while month <= span[1]:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
    for index, month in enumerate(months, start=1):
        end_day = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        await store.build_days(month, end_day)
        await store.build_month(month)
        if progress is not None:
            progress("roll-ups", index, len(months))
    await store.set_watermark(today)
    cases = await store.finish_rebuild()
    return Refreshed(False, True, cases, 0, len(months))


async def refresh_coverage(*, compute: Callable[[], Any], max_age: dt.timedelta) -> bool:
    """Recompute the cached 30-minute coverage when it is older than ``max_age``."""
    if await store.coverage_is_fresh(max_age):
        return False
    report = await compute()
    await store.replace_coverage(
        [
            store.VillageCoverage(
                village=v.code,
                township=v.township_code,
                share=round(v.share_within * 1000),
                items=len(report.item_codes),
            )
            for v in report.villages
        ]
    )
    return True
