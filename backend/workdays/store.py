"""The working-day calendar's SQL: the days an administrator declared, the confirmed years."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from backend import db
from backend.workdays.calendar import OverrideKind
from backend.workdays.tables import CalendarDay, CalendarYear


@dataclass(frozen=True, slots=True)
class CalendarDayRecord:
    """A day an administrator declared off (``holiday``) or a ``workday``."""

    day: dt.date
    kind: OverrideKind
    note: str
    source: str  # the notice it comes from (国务院办公厅关于…的通知 and its number), or why else
    updated_by: str | None
    updated_at: dt.datetime


_DAY_COLUMNS = (
    CalendarDay.day,
    CalendarDay.kind,
    CalendarDay.note,
    CalendarDay.source,
    CalendarDay.updated_by,
    CalendarDay.updated_at,
)


def _record(row: dict[str, Any]) -> CalendarDayRecord:
    return CalendarDayRecord(
        day=row["day"],
        kind=row["kind"],
        note=row["note"],
        source=row["source"],
        updated_by=str(row["updated_by"]) if row["updated_by"] else None,
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True, slots=True)
class YearConfirmation:
    """Who confirmed a year against the official notice, when, and their note."""

    year: int
    confirmed_by: str | None
    confirmed_at: dt.datetime
    note: str


async def get_day(day: dt.date) -> CalendarDayRecord | None:
    """The declaration of ``day``, or None."""
    row = await CalendarDay.select(*_DAY_COLUMNS).where(CalendarDay.day == day).first().run()
    return None if row is None else _record(row)


async def year_confirmation(year: int) -> YearConfirmation | None:
    row = await CalendarYear.select().where(CalendarYear.year == year).first().run()
    if row is None:
        return None
    by = row["confirmed_by"]
    return YearConfirmation(
        year=year,
        confirmed_by=str(by) if by else None,
        confirmed_at=row["confirmed_at"],
        note=row["note"],
    )


async def declared_days() -> list[tuple[dt.date, str, str]]:
    """Every declared day: ``(day, kind, note)``."""
    rows = await CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.note).run()
    return [(r["day"], r["kind"], r["note"]) for r in rows]


async def confirmed_years() -> set[int]:
    return {int(r["year"]) for r in await CalendarYear.select(CalendarYear.year).run()}


async def years_with_days() -> set[int]:
    """The years in which any day was declared."""
    rows = await db.fetch("SELECT DISTINCT EXTRACT(YEAR FROM day)::int AS year FROM calendar_day")
    return {int(r["year"]) for r in rows}


async def days_page(
    *, year: int | None, page: int, page_size: int
) -> tuple[list[CalendarDayRecord], int]:
    """Declared days by date (of ``year`` when given); one page and the count."""
    select = CalendarDay.select(*_DAY_COLUMNS).order_by(CalendarDay.day)
    count = CalendarDay.count()
    if year is not None:
        within = (CalendarDay.day >= dt.date(year, 1, 1)) & (
            CalendarDay.day <= dt.date(year, 12, 31)
        )
        select, count = select.where(within), count.where(within)
    total = await count.run()
    rows = await select.limit(page_size).offset((page - 1) * page_size).run()
    return [_record(r) for r in rows], total


async def upsert_day(
    *, day: dt.date, kind: str, note: str, source: str, by: str | None, at: dt.datetime
) -> CalendarDayRecord:
    """Declare ``day`` (a second declaration replaces kind, note, source, who and when)."""
    rows = (
        await CalendarDay.insert(
            CalendarDay(
                day=day,
                kind=kind,
                note=note,
                source=source,
                created_by=by,
                updated_by=by,
                created_at=at,
                updated_at=at,
            )
        )
        .on_conflict(
            target=CalendarDay.day,
            action="DO UPDATE",
            values=[
                CalendarDay.kind,
                CalendarDay.note,
                CalendarDay.source,
                CalendarDay.updated_by,
                CalendarDay.updated_at,
            ],
        )
        .returning(*_DAY_COLUMNS)
        .run()
    )
    return _record(rows[0])


async def delete_day(day: dt.date) -> bool:
    """Forget the declaration of ``day``; False when there was none."""
    removed = (
        await CalendarDay.delete().where(CalendarDay.day == day).returning(CalendarDay.day).run()
    )
    return bool(removed)


async def upsert_year(*, year: int, by: str | None, note: str, at: dt.datetime) -> None:
    """Record the year as confirmed (again: replaces who, when and the note)."""
    await (
        CalendarYear.insert(CalendarYear(year=year, confirmed_by=by, confirmed_at=at, note=note))
        .on_conflict(
            target=CalendarYear.year,
            action="DO UPDATE",
            values=[CalendarYear.confirmed_by, CalendarYear.confirmed_at, CalendarYear.note],
        )
        .run()
    )
