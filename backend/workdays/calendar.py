"""The working-day calendar (工作日历) that every time limit is counted on.

A time limit is the Nth working day after the day of acceptance. Which days are working days comes
from python-holidays' ``China``: the holidays and make-up workdays (调休上班日) of the years the
State Council has announced, and the statutory holidays computed for later years. Days an
administrator added or corrected are laid on top and win.

Standard library and ``holidays`` (read in ``backend.workdays.china``) only; synchronous; no
database. Library lookups are cached per year for the whole process, and each
:class:`ChinaCalendar` caches its working days per year, so counting a deadline is a couple of
binary searches.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, Protocol

from backend.workdays import china

Reason = Literal[
    "weekday", "weekend", "holiday", "makeup_workday", "admin_holiday", "admin_workday"
]
Source = Literal["official", "computed", "admin", "default"]
OverrideKind = Literal["holiday", "workday"]

OVERRIDE_KINDS: Final[tuple[OverrideKind, ...]] = ("holiday", "workday")


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one day, and why."""

    date: dt.date
    working: bool
    reason: Reason
    name: str | None  # the holiday's Chinese name when known (国庆节, 春节…)
    source: Source


@dataclass(frozen=True, slots=True)
class YearStatus:
    """Whether a year's calendar can be trusted for deadlines.

    ``official``: python-holidays carries the State Council's announced arrangement for the year.
    ``confirmed``: an administrator checked the year (and entered any corrections).
    """

    year: int
    official: bool
    confirmed: bool

    @property
    def needs_attention(self) -> bool:
        return not (self.official or self.confirmed)


@dataclass(frozen=True, slots=True)
class Override:
    """An administrator's decision about one day: a day off (``holiday``) or a ``workday``."""

    kind: OverrideKind
    note: str = ""


class WorkingCalendar(Protocol):
    """The one interface time limits are computed through (injectable; see ``ChinaCalendar``)."""

    def is_working_day(self, day: dt.date) -> bool: ...

    def kind_of(self, day: dt.date) -> DayInfo: ...

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted).

        ``days == 0`` answers ``start`` even when it is not a working day; ``days < 0`` raises
        ``ValueError``.
        """
        ...

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days ``d`` have ``start < d <= end`` (0 when ``end <= start``)."""
        ...

    def year_status(self, year: int) -> YearStatus: ...


# --- python-holidays alone -------------------------------------------------------------------


def _library_info(day: dt.date) -> DayInfo:
    known = china.library_year(day.year)
    source: Source = "official" if known.official else "computed"
    if day in known.holidays:
        return DayInfo(day, False, "holiday", china.holiday_name(day), source)
    if day in known.makeup:
        pays_for = known.makeup[day]
        name = china.block_name(pays_for) if pays_for else None
        return DayInfo(day, True, "makeup_workday", name, source)
    if day.weekday() >= china.SATURDAY:
        return DayInfo(day, False, "weekend", china.block_name(day), "default")
    return DayInfo(day, True, "weekday", None, "default")


# --- the calendar -----------------------------------------------------------------------------

_NO_OVERRIDES: Final[Mapping[dt.date, Override]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class _WorkingDays:
    ordinals: tuple[int, ...]  # sorted
    members: frozenset[int]


class ChinaCalendar(WorkingCalendar):
    """python-holidays' China with an administrator's overrides on top (the overrides win)."""

    def __init__(
        self,
        overrides: Mapping[dt.date, Override] = _NO_OVERRIDES,
        confirmed_years: Collection[int] = (),
    ) -> None:
        self._overrides: Mapping[dt.date, Override] = MappingProxyType(dict(overrides))
        self._confirmed = frozenset(confirmed_years)
        self._years: dict[int, _WorkingDays] = {}

    @property
    def overrides(self) -> Mapping[dt.date, Override]:
        return self._overrides

    @property
    def confirmed_years(self) -> frozenset[int]:
        return self._confirmed

    def is_working_day(self, day: dt.date) -> bool:
        return day.toordinal() in self._working_days(day.year).members

    def kind_of(self, day: dt.date) -> DayInfo:
        override = self._overrides.get(day)
        if override is None:
            return _library_info(day)
        library = _library_info(day)
        working = override.kind == "workday"
        return DayInfo(
            day,
            working,
            "admin_workday" if working else "admin_holiday",
            override.note.strip() or library.name,
            "admin",
        )

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return start
        year = start.year
        ordinals = self._working_days(year).ordinals
        index = bisect_right(ordinals, start.toordinal())
        remaining = days
        while remaining > len(ordinals) - index:
            remaining -= len(ordinals) - index
            year += 1
            if year > dt.MAXYEAR:
                raise ValueError(f"{days} working days after {start} is past the last date")
            ordinals, index = self._working_days(year).ordinals, 0
        return dt.date.fromordinal(ordinals[index + remaining - 1])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        if end <= start:
            return 0
        low, high = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._working_days(year).ordinals
            count += bisect_right(ordinals, high) - bisect_right(ordinals, low)
        return count

    def year_status(self, year: int) -> YearStatus:
        return YearStatus(year, year in china.official_years(), year in self._confirmed)

    def notable_days(self, year: int) -> list[DayInfo]:
        """The year's holidays, make-up workdays and overrides, in date order."""
        known = china.library_year(year)
        days = {*known.holidays, *known.makeup}
        days.update(d for d in self._overrides if d.year == year)
        return [self.kind_of(d) for d in sorted(days)]

    def _working_days(self, year: int) -> _WorkingDays:
        found = self._years.get(year)
        if found is None:
            first = dt.date(year, 1, 1).toordinal()
            last = dt.date(year, 12, 31).toordinal()
            ordinals = tuple(o for o in range(first, last + 1) if self._works(o))
            found = self._years[year] = _WorkingDays(ordinals, frozenset(ordinals))
        return found

    def _works(self, ordinal: int) -> bool:
        day = dt.date.fromordinal(ordinal)
        override = self._overrides.get(day)
        if override is not None:
            return override.kind == "workday"
        return not china.is_off(day)


# --- explanations -----------------------------------------------------------------------------


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day ``d`` with ``start < d <= end``."""
    for ordinal in range(start.toordinal() + 1, end.toordinal() + 1):
        yield dt.date.fromordinal(ordinal)


def days_off(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> list[DayInfo]:
    """The days ``d`` with ``start < d <= end`` that are not working days, and why."""
    return [calendar.kind_of(d) for d in _days(start, end) if not calendar.is_working_day(d)]


def years_needing_attention(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> list[int]:
    """Years touched by ``start < d <= end`` that are neither official nor confirmed."""
    if end <= start:
        return []
    first = start.year + 1 if (start.month, start.day) == (12, 31) else start.year
    return [
        year for year in range(first, end.year + 1) if calendar.year_status(year).needs_attention
    ]
