"""``jiujinban calendar …``: deadlines and the yearly check from the command line.

Without ``--offline`` the administrators' days and confirmed years are read from the database
named by ``DATABASE_URL``; when it cannot be reached the answer uses python-holidays alone and
says so on standard error.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import warnings
from contextlib import AsyncExitStack

import click

from backend.errors import InvalidInput
from backend.workdays import checks, texts
from backend.workdays.calendar import (
    ChinaCalendar,
    DayInfo,
    days_off,
    years_needing_attention,
)

EXIT_NEEDS_ATTENTION = 3
CONNECT_TIMEOUT_S = 5.0
OFFLINE_HELP = "Use python-holidays only; do not read the administrators' days."


def _day(day: dt.date) -> str:
    return f"{day.isoformat()} ({texts.weekday_label(day)})"


def describe(info: DayInfo) -> str:
    """``2026-10-01 (周四) 节假日：国庆节（国务院通知）``."""
    line = f"{_day(info.date)} {texts.REASONS[info.reason]}"
    if info.name:
        line += f"：{info.name}"
    if info.source != "default":
        line += f"（{texts.SOURCES[info.source]}）"
    return line


def due_lines(calendar: ChinaCalendar, start: dt.date, days: int) -> list[str]:
    """The due date, then how it was reached."""
    due = calendar.add_working_days(start, days)
    skipped = days_off(calendar, start, due)
    lines = [_day(due), texts.CLI_START.format(start=_day(start), days=days)]
    if skipped:
        lines.append(texts.CLI_SKIPPED.format(count=len(skipped)))
        lines.extend(f"  {describe(info)}" for info in skipped)
    else:
        lines.append(texts.CLI_NOTHING_SKIPPED)
    unsettled = years_needing_attention(calendar, start, due)
    if unsettled:
        lines.append(texts.CLI_ATTENTION.format(years="、".join(map(str, unsettled))))
    return lines


def check_lines(calendar: ChinaCalendar, year: int) -> list[str]:
    """Whether ``year`` is settled, then its holidays, make-up workdays and overrides."""
    status = calendar.year_status(year)
    if status.official:
        head = texts.CLI_YEAR_OFFICIAL.format(year=year)
        if status.confirmed:
            head += texts.CLI_YEAR_ALSO_CONFIRMED
    elif status.confirmed:
        head = texts.CLI_YEAR_CONFIRMED.format(year=year)
    else:
        head = texts.CLI_YEAR_ATTENTION.format(year=year)
    days = calendar.notable_days(year)
    sections = (
        (texts.CLI_HOLIDAYS, [d for d in days if d.reason == "holiday"]),
        (texts.CLI_MAKEUP, [d for d in days if d.reason == "makeup_workday"]),
        (texts.CLI_ADMIN, [d for d in days if d.source == "admin"]),
    )
    lines = [head]
    for title, found in sections:
        lines.append(title.format(count=len(found)))
        lines.extend([f"  {describe(d)}" for d in found] or [texts.CLI_NONE])
    return lines


def _load(offline: bool) -> ChinaCalendar:
    """The calendar with the database's days, or python-holidays alone (offline/unreachable)."""
    if offline:
        return ChinaCalendar()
    import asyncpg

    from backend import db
    from backend.settings import SettingsError, load_settings
    from backend.workdays import service

    async def fetch(database_url: str) -> ChinaCalendar:
        async with AsyncExitStack() as stack:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await stack.enter_async_context(db.pool(database_url, min_size=1, max_size=1))
            return await service.load_calendar()

    try:
        with warnings.catch_warnings():  # Piccolo warns about a failed connection; we say it
            warnings.simplefilter("ignore")
            return asyncio.run(fetch(load_settings().database_url))
    except (
        OSError,
        TimeoutError,
        SettingsError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
    ) as exc:
        reason = str(exc) or type(exc).__name__
        click.echo(texts.CLI_DB_UNREACHABLE.format(error=reason), err=True)
        return ChinaCalendar()


def _parse_date(value: str, name: str) -> dt.date:
    try:
        return checks.parse_date(value)
    except InvalidInput as exc:
        raise click.BadParameter(exc.detail, param_hint=name) from exc


def _parse_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise click.BadParameter(texts.NOT_AN_INTEGER.format(value=value), param_hint=name) from exc


@click.group("calendar")
def calendar() -> None:
    """The working-day calendar (工作日历): deadlines and the yearly check."""


@calendar.command("due", context_settings={"ignore_unknown_options": True})
@click.argument("start")
@click.argument("days")
@click.option("--offline", is_flag=True, help=OFFLINE_HELP)
def due(start: str, days: str, offline: bool) -> None:
    """The DAYS-th working day after START (YYYY-MM-DD), and the days skipped on the way."""
    day = _parse_date(start, "START")
    count = _parse_int(days, "DAYS")
    try:
        checks.check_days(count)
    except InvalidInput as exc:
        raise click.BadParameter(exc.detail, param_hint="DAYS") from exc
    for line in due_lines(_load(offline), day, count):
        click.echo(line)


@calendar.command("check")
@click.argument("year")
@click.option("--offline", is_flag=True, help=OFFLINE_HELP)
def check(year: str, offline: bool) -> None:
    """Whether YEAR's holidays are settled (exit 0) or need an administrator (exit 3)."""
    number = _parse_int(year, "YEAR")
    try:
        checks.check_year(number)
    except InvalidInput as exc:
        raise click.BadParameter(exc.detail, param_hint="YEAR") from exc
    found = _load(offline)
    for line in check_lines(found, number):
        click.echo(line)
    if found.year_status(number).needs_attention:
        sys.exit(EXIT_NEEDS_ATTENTION)


if __name__ == "__main__":
    calendar()
