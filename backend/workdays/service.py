"""Use cases of the working-day calendar: the calendar deadlines use, and its administration.

``load_calendar`` is what every deadline is computed with: python-holidays plus the days and
confirmed years in the database. It is cached in-process for ``CACHE_TTL_S`` seconds and dropped
on every change made through this process; other processes see a change within that time.
``set_day``, ``delete_day`` and ``confirm_year`` run inside the caller's transaction; the use
cases ``record_day``, ``remove_day`` and ``confirm`` open their own and drop the cached calendar
once more after it ended.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from backend.audit.service import Actor, AuditLog
from backend.errors import NotFound
from backend.idempotency.service import Answer, Claim, run_once
from backend.outbox.service import Doorbell, unit_of_work
from backend.workdays import notices, present, store, texts
from backend.workdays.calendar import (
    ChinaCalendar,
    DayInfo,
    Override,
    YearStatus,
    days_off,
    years_needing_attention,
)
from backend.workdays.checks import (
    check_day,
    check_days,
    check_kind,
    check_note,
    check_source,
    check_year,
)
from backend.workdays.china import official_years
from backend.workdays.store import CalendarDayRecord, YearConfirmation

CALENDAR_SET_DAY: Final = "calendar_set_day"
CALENDAR_REMOVE_DAY: Final = "calendar_remove_day"
CALENDAR_CONFIRM_YEAR: Final = "calendar_confirm_year"

CACHE_TTL_S = 30.0  # configure_cache() sets it from CALENDAR_CACHE_SECONDS
SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class DayPage:
    items: list[CalendarDayRecord]
    total: int
    years: list[YearStatus]


@dataclass(frozen=True, slots=True)
class DueDate:
    """A deadline and how it was reached: the days off skipped, the years not yet settled."""

    start: dt.date
    days: int
    due: dt.date
    skipped: list[DayInfo]
    years_needing_attention: list[int]


def today_in_shanghai() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


# --- the calendar deadlines are computed with ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cached:
    loaded_at: float
    calendar: ChinaCalendar


_cache: _Cached | None = None
_generation = 0  # bumped by every change, so a load that raced a change is not kept


def configure_cache(*, ttl_s: float) -> None:
    """How long a process keeps the calendar before reading the database's days again."""
    global CACHE_TTL_S
    CACHE_TTL_S = ttl_s


def forget_calendar() -> None:
    """Drop the cached calendar: the next ``load_calendar`` reads the database again."""
    global _cache, _generation
    _cache = None
    _generation += 1


async def load_calendar() -> ChinaCalendar:
    """python-holidays' China with the database's days and confirmed years on top (cached)."""
    global _cache
    cached, generation = _cache, _generation
    if cached is not None and time.monotonic() - cached.loaded_at < CACHE_TTL_S:
        return cached.calendar
    overrides = {
        day: Override(check_kind(kind), note) for day, kind, note in await store.declared_days()
    }
    confirmed = frozenset(await store.confirmed_years())
    if (
        cached is not None
        and cached.calendar.overrides == overrides
        and cached.calendar.confirmed_years == confirmed
    ):
        calendar = cached.calendar  # unchanged: keep its warm per-year tables
    else:
        calendar = ChinaCalendar(overrides, confirmed)
    if generation == _generation:
        _cache = _Cached(time.monotonic(), calendar)
    return calendar


async def day_info(*, day: dt.date) -> DayInfo:
    return (await load_calendar()).kind_of(check_day(day))


async def due_date(*, start: dt.date, days: int) -> DueDate:
    """The ``days``-th working day after ``start``, with the days off on the way."""
    check_day(start)
    check_days(days)
    calendar = await load_calendar()
    due = calendar.add_working_days(start, days)
    return DueDate(
        start=start,
        days=days,
        due=due,
        skipped=days_off(calendar, start, due),
        years_needing_attention=years_needing_attention(calendar, start, due),
    )


async def year_warnings(*, today: dt.date) -> list[YearStatus]:
    """This year and next year when neither official nor confirmed: what supervisors see."""
    calendar = await load_calendar()
    statuses = (calendar.year_status(y) for y in (today.year, today.year + 1))
    return [s for s in statuses if s.needs_attention]


# --- administration ------------------------------------------------------------------------


async def list_days(
    *, year: int | None, page: int, page_size: int, today: dt.date | None = None
) -> DayPage:
    """The administrator's days (of ``year``, or all), and the status of the years concerned.

    Without ``year`` the years are this one, the next one, and every year with a recorded day or
    a confirmation.
    """
    if year is not None:
        check_year(year)
    items, total = await store.days_page(year=year, page=page, page_size=page_size)
    confirmed = await store.confirmed_years()
    if year is not None:
        years = {year}
    else:
        this_year = (today or today_in_shanghai()).year
        years = {this_year, this_year + 1, *confirmed, *await store.years_with_days()}
    official = official_years()
    statuses = [YearStatus(y, y in official, y in confirmed) for y in sorted(years)]
    return DayPage(items=items, total=total, years=statuses)


async def set_day(
    *, day: dt.date, kind: str, note: str, staff_id: str | None, source: str = ""
) -> CalendarDayRecord:
    """Record ``day`` as a day off or a workday; a later correction replaces an earlier one.

    A day that says what python-holidays already says is still recorded: it documents intent
    and keeps the day fixed should the library change. ``source`` names the notice it comes
    from (国务院办公厅关于…的通知 and its number) or the local decision.
    """
    check_day(day)
    checked_kind, checked_note = check_kind(kind), check_note(note)
    checked_source = check_source(source)
    saved = await store.upsert_day(
        day=day,
        kind=checked_kind,
        note=checked_note,
        source=checked_source,
        by=staff_id,
        at=dt.datetime.now(dt.UTC),
    )
    forget_calendar()
    return saved


async def delete_day(*, day: dt.date) -> None:
    """Remove the administrator's entry for ``day``: python-holidays decides it again."""
    check_day(day)
    if not await store.delete_day(day):
        raise NotFound(
            texts.DAY_NOT_FOUND.format(day=day.isoformat()), code="calendar_day_not_found"
        )
    forget_calendar()


async def confirm_year(*, year: int, staff_id: str | None, note: str) -> YearStatus:
    """Record that an administrator checked ``year`` against the official notice.

    Confirming again replaces who, when and the note.
    """
    check_year(year)
    checked_note = check_note(note)
    await store.upsert_year(year=year, by=staff_id, note=checked_note, at=dt.datetime.now(dt.UTC))
    forget_calendar()
    return YearStatus(year, year in official_years(), True)


async def record_day(
    *,
    claim: Claim | None,
    ttl_s: int,
    doorbell: Doorbell | None,
    day: dt.date,
    kind: str,
    note: str,
    staff_id: str | None,
    audit: AuditLog,
    source: str = "",
) -> Answer:
    """Declare ``day`` off or a workday, once per idempotency key; the answer as first sent.

    The audit log gets the day's entry before and after.
    """

    async def record() -> object:
        before = await store.get_day(check_day(day))
        saved = await set_day(day=day, kind=kind, note=note, staff_id=staff_id, source=source)
        await _audit(
            audit,
            staff_id,
            CALENDAR_SET_DAY,
            day.isoformat(),
            _day_state(before),
            _day_state(saved),
        )
        return present.day_out(saved)

    try:
        return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, create=record)
    finally:
        forget_calendar()  # once the transaction ended: no reader caches the old calendar


async def remove_day(
    *, doorbell: Doorbell | None, day: dt.date, audit: AuditLog, staff_id: str | None
) -> None:
    """Drop the administrator's entry for ``day`` (``NotFound`` without one); audited."""
    try:
        async with unit_of_work(doorbell):
            before = await store.get_day(check_day(day))
            await delete_day(day=day)
            await _audit(
                audit, staff_id, CALENDAR_REMOVE_DAY, day.isoformat(), _day_state(before), None
            )
    finally:
        forget_calendar()


async def confirm(
    *, doorbell: Doorbell | None, year: int, staff_id: str | None, note: str, audit: AuditLog
) -> YearStatus:
    """Record that an administrator checked ``year``'s holidays against the official notice."""
    try:
        async with unit_of_work(doorbell):
            before = await store.year_confirmation(check_year(year))
            status = await confirm_year(year=year, staff_id=staff_id, note=note)
            after = await store.year_confirmation(year)
            await _audit(
                audit,
                staff_id,
                CALENDAR_CONFIRM_YEAR,
                str(year),
                _year_state(before),
                _year_state(after),
            )
            return status
    finally:
        forget_calendar()


# --- the audit of the administration -----------------------------------------------------------


def _day_state(record: CalendarDayRecord | None) -> dict[str, str] | None:
    if record is None:
        return None
    return {"kind": record.kind, "note": record.note, "source": record.source}


def _year_state(found: YearConfirmation | None) -> dict[str, str] | None:
    if found is None:
        return None
    return {"confirmed_by": found.confirmed_by or "", "note": found.note}


async def _audit(
    audit: AuditLog,
    staff_id: str | None,
    action: str,
    subject_id: str,
    before: dict[str, str] | None,
    after: dict[str, str] | None,
) -> None:
    """One audit row in the caller's transaction: what the entry was before and after."""
    reason = json.dumps(
        {"note": texts.AUDIT_NOTES[action], "before": before, "after": after},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    actor = Actor("staff", staff_id) if staff_id else Actor("system", "system")
    await audit.record(
        actor=actor, action=action, subject_kind="calendar", subject_id=subject_id, reason=reason
    )


# --- the administrator's view of one year -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarLine:
    """One notable day of a year: what the calendar says, the notice it comes from, and the
    administrator's entry when there is one."""

    info: DayInfo
    notice: str
    entry: CalendarDayRecord | None


@dataclass(frozen=True, slots=True)
class YearCalendar:
    status: YearStatus
    notice: notices.Notice | None  # the State Council's notice, for an official year
    confirmation: YearConfirmation | None
    lines: list[CalendarLine]


def _notice_text(info: DayInfo, entry: CalendarDayRecord | None) -> str:
    if entry is not None:
        return entry.source or texts.NO_SOURCE
    if info.source == "official":
        return notices.notice_of(info.date.year).label
    if info.source == "computed":
        return notices.STATUTORY
    return notices.PLAIN_WEEK


async def year_calendar(*, year: int) -> YearCalendar:
    """The year's holidays, make-up workdays and administrator's days, each with its notice.

    The administrator's days are read for this year only (at most 366 rows).
    """
    check_year(year)
    calendar = await load_calendar()
    entries, _ = await store.days_page(year=year, page=1, page_size=366)
    by_day = {e.day: e for e in entries}
    lines = [
        CalendarLine(info, _notice_text(info, by_day.get(info.date)), by_day.get(info.date))
        for info in calendar.notable_days(year)
    ]
    status = calendar.year_status(year)
    return YearCalendar(
        status=status,
        notice=notices.notice_of(year) if status.official else None,
        confirmation=await store.year_confirmation(year),
        lines=lines,
    )
