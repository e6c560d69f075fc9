"""Checking the plain values the calendar's routes and commands receive (no database).

Each check answers the value or raises ``InvalidInput`` with a stable ``code`` and Chinese text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from backend.errors import InvalidInput
from backend.workdays import texts
from backend.workdays.calendar import OVERRIDE_KINDS, OverrideKind

MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100
MAX_DAYS: Final = 3650
NOTE_LENGTH: Final = 200
SOURCE_LENGTH: Final = 200

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date within the supported years."""
    value = text.strip()
    try:
        if not _ISO_DATE.fullmatch(value):  # fromisoformat also takes 20261001 and 2026-W40-4
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(texts.DATE_INVALID.format(value=text), code="date_invalid") from exc
    return check_day(day)


def check_day(day: dt.date) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInput(
            texts.DAY_OUT_OF_RANGE.format(low=MIN_YEAR, high=MAX_YEAR), code="date_out_of_range"
        )
    return day


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            texts.YEAR_OUT_OF_RANGE.format(low=MIN_YEAR, high=MAX_YEAR), code="year_out_of_range"
        )
    return year


def check_days(days: int) -> int:
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput(texts.DAYS_OUT_OF_RANGE.format(high=MAX_DAYS), code="days_out_of_range")
    return days


def check_kind(kind: str) -> OverrideKind:
    for known in OVERRIDE_KINDS:
        if kind == known:
            return known
    raise InvalidInput(texts.KIND_INVALID, code="calendar_kind_invalid")


def check_source(source: str) -> str:
    source = source.strip()
    if len(source) > SOURCE_LENGTH:
        raise InvalidInput(
            texts.SOURCE_TOO_LONG.format(high=SOURCE_LENGTH), code="calendar_source_too_long"
        )
    return source


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(texts.NOTE_TOO_LONG.format(high=NOTE_LENGTH), code="note_too_long")
    return note
