"""python-holidays' ``China``, read once per year (standard library and ``holidays`` only).

The library carries, for each year the State Council announced, the holidays, the days off moved by
调休 and the make-up workdays; for later years it computes the statutory holidays. This module turns
that into what the calendar needs: the days off, the make-up workdays, which years are announced,
and a Chinese name for every day off (including the weekends and moved days inside a holiday block,
and the holiday a make-up workday pays for).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

from holidays.countries.china import China
from holidays.holiday_base import HolidayBase

LANGUAGE: Final = "zh_CN"
SATURDAY: Final = 5
_BLOCK_REACH: Final = 16  # no holiday block (with its weekends) is longer than this


@dataclass(frozen=True, slots=True)
class LibraryYear:
    """What python-holidays says about one year."""

    official: bool
    holidays: Mapping[dt.date, str]
    substituted: frozenset[dt.date]  # days off moved from a workday: named after their block
    makeup: Mapping[dt.date, dt.date | None]  # make-up workday -> the day off it pays for


def _china(**kwargs: Any) -> HolidayBase:
    # python-holidays' China.__init__ carries no annotations.
    return China(language=LANGUAGE, **kwargs)  # type: ignore[no-untyped-call]


def _entries(value: Any) -> tuple[tuple[Any, ...], ...]:
    """A year's special-holiday entries, which python-holidays writes as one tuple or several."""
    if not value:
        return ()
    return tuple(value) if isinstance(value[0], tuple) else (tuple(value),)


def _special_table(found: HolidayBase) -> Mapping[int, Any]:
    table = getattr(found, "special_public_holidays", None)
    return table if isinstance(table, Mapping) else {}


def _substitution(year: int, entry: tuple[Any, ...]) -> tuple[dt.date, dt.date] | None:
    """``(day off, make-up workday)`` of a substitution entry, None for a plain special day."""
    if len(entry) not in (4, 5) or not all(isinstance(x, int) for x in entry):
        return None
    from_year = entry[4] if len(entry) == 5 else year
    return dt.date(year, entry[0], entry[1]), dt.date(from_year, entry[2], entry[3])


@lru_cache(maxsize=1)
def official_years() -> frozenset[int]:
    """Years whose announced arrangement python-holidays carries.

    Read from the library's own data: the years of its special (announced) holidays and of its
    make-up workdays. Later years hold only computed statutory holidays.
    """
    found = _china()
    years = {year for year, value in _special_table(found).items() if _entries(value)}
    years.update(day.year for day in found.weekend_workdays)
    return frozenset(years)


@lru_cache(maxsize=512)
def library_year(year: int) -> LibraryYear:
    found = _china(years=year)
    table = _special_table(found)
    substituted: set[dt.date] = set()
    pays_for: dict[dt.date, dt.date] = {}
    for entry_year in (year, year + 1):  # a make-up day may pay for next January's day off
        for entry in _entries(table.get(entry_year)):
            pair = _substitution(entry_year, entry)
            if pair is not None:
                substituted.add(pair[0])
                pays_for[pair[1]] = pair[0]
    makeup = {d: pays_for.get(d) for d in found.weekend_workdays if d.year == year}
    return LibraryYear(
        official=year in official_years(),
        holidays=MappingProxyType(dict(found.items())),
        substituted=frozenset(d for d in substituted if d.year == year),
        makeup=MappingProxyType(makeup),
    )


def is_off(day: dt.date) -> bool:
    known = library_year(day.year)
    if day in known.holidays:
        return True
    return day.weekday() >= SATURDAY and day not in known.makeup


_LABEL_SUFFIX = re.compile(r"（[^（）]*）$")  # （补假）, （推定）, （补假，推定）


def _own_names(day: dt.date) -> list[str]:
    """The festival names the library gives ``day`` itself, without observed/estimated marks."""
    known = library_year(day.year)
    raw = known.holidays.get(day)
    if raw is None or day in known.substituted:
        return []
    names: list[str] = []
    for part in raw.split(";"):
        name = _LABEL_SUFFIX.sub("", part.strip())
        if name and name not in names:
            names.append(name)
    return names


def _join(names: Iterable[str]) -> str | None:
    unique = list(dict.fromkeys(names))
    if "春节" in unique and "农历除夕" in unique:
        unique.remove("农历除夕")  # New Year's Eve is part of the Spring Festival break
    return "、".join(unique) or None


def _step(day: dt.date, delta: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=delta)
    except OverflowError:
        return None


@lru_cache(maxsize=4096)
def block_name(day: dt.date) -> str | None:
    """The festival(s) of the run of library days off around ``day`` (a weekend in 国庆节…)."""
    first = day
    for _ in range(_BLOCK_REACH):
        before = _step(first, -1)
        if before is None or not is_off(before):
            break
        first = before
    names: list[str] = []
    cursor: dt.date | None = first
    for _ in range(2 * _BLOCK_REACH + 1):  # in date order, through ``day`` and on
        if cursor is None or (cursor != day and not is_off(cursor)):
            break
        names.extend(_own_names(cursor))
        cursor = _step(cursor, 1)
    return _join(names)


def holiday_name(day: dt.date) -> str | None:
    """The name of a library day off: its festival, or its block's for a day moved by 调休."""
    if day in library_year(day.year).substituted:
        return block_name(day)
    return _join(_own_names(day))
