"""The working-day calendar's records as response bodies."""

from __future__ import annotations

from backend.clock import local
from backend.workdays import texts
from backend.workdays.calendar import DayInfo, YearStatus
from backend.workdays.schemas import CalendarDayOut, DayInfoOut, YearOut
from backend.workdays.store import CalendarDayRecord


def day_out(record: CalendarDayRecord) -> CalendarDayOut:
    return CalendarDayOut(
        date=record.day,
        kind=record.kind,
        note=record.note,
        source=record.source,
        updated_by=record.updated_by,
        updated_at=local(record.updated_at).replace(microsecond=0),
    )


def year_out(status: YearStatus) -> YearOut:
    return YearOut(
        year=status.year,
        official=status.official,
        confirmed=status.confirmed,
        needs_attention=status.needs_attention,
    )


def info_out(info: DayInfo) -> DayInfoOut:
    return DayInfoOut(
        date=info.date,
        weekday=texts.weekday_label(info.date),
        working=info.working,
        reason=info.reason,
        name=info.name,
        source=info.source,
    )
