"""Request and response bodies of the working-day calendar routes."""

from __future__ import annotations

from typing import Annotated

import msgspec

DateText = Annotated[str, msgspec.Meta(max_length=32, description="YYYY-MM-DD")]
KindText = Annotated[str, msgspec.Meta(max_length=16, description="holiday | workday")]
NoteText = Annotated[str, msgspec.Meta(max_length=1000, description="why (at most 200 characters)")]


class CalendarDayIn(msgspec.Struct):
    """``POST /api/v1/admin/calendar``: declare a day off (``holiday``) or a ``workday``."""

    date: DateText
    kind: KindText
    note: NoteText | None = None


class CalendarDayOut(msgspec.Struct):
    date: str
    kind: str
    note: str
    updated_by: str | None
    updated_at: str


class YearOut(msgspec.Struct):
    """Whether a year's holidays are settled: ``needs_attention`` = not official, not confirmed."""

    year: int
    official: bool
    confirmed: bool
    needs_attention: bool


class CalendarPage(msgspec.Struct):
    items: list[CalendarDayOut]
    total: int
    years: list[YearOut]


class ConfirmYearIn(msgspec.Struct):
    note: NoteText | None = None


class DayInfoOut(msgspec.Struct):
    """What the calendar says about one day, and why (``reason``, ``source``)."""

    date: str
    weekday: str
    working: bool
    reason: str
    name: str | None
    source: str


class DueOut(msgspec.Struct):
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""

    start: str
    days: int
    due: str
    due_weekday: str
    skipped: list[DayInfoOut]
    years_needing_attention: list[int]
