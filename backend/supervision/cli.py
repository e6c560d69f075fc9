"""``jiujinban supervision sample|escalate``: what the worker's crons do, by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import click

from backend.settings import Settings

T = TypeVar("T")


def _run(work: Callable[[Settings], Awaitable[T]]) -> T:
    from backend import db
    from backend.settings import load_settings

    settings = load_settings()

    async def main() -> T:
        async with db.pool(settings.database_url, min_size=1, max_size=2):
            return await work(settings)

    return asyncio.run(main())


@click.group("supervision")
def supervision() -> None:
    """Supervision: overdue escalation and the weekly call-back sample."""


@supervision.command("sample")
@click.option(
    "--week",
    default=None,
    help="The week whose closed cases to sample: 2026-W48 or a date in it (default: last week).",
)
def sample_command(week: str | None) -> None:
    """Draw the week's call-back sample (once per week and township; again draws nothing)."""
    from backend.clock import today
    from backend.errors import DomainError
    from backend.supervision.callbacks import last_week, parse_week
    from backend.supervision.jobs import draw_callback_sample

    try:
        monday = parse_week(week) if week else last_week(today())
    except DomainError as exc:
        raise click.BadParameter(exc.detail, param_hint="--week") from exc

    async def work(settings: Settings) -> int:
        return (await draw_callback_sample(settings=settings, week=monday)).total

    drawn = _run(work)
    click.echo(f"week of {monday.isoformat()}: {drawn} calls drawn")


@supervision.command("escalate")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None)
def escalate_command(day: object) -> None:
    """Escalate overdue cases as the daily cron does (default: today, Asia/Shanghai).

    The bell notices go out when a worker runs the outbox rows this writes.
    """
    from datetime import datetime

    from backend.clock import today
    from backend.supervision.jobs import escalate_overdue

    on: date = day.date() if isinstance(day, datetime) else today()

    async def work(settings: Settings) -> int:
        return (await escalate_overdue(settings=settings, today=on, doorbell=None)).total

    click.echo(f"{on.isoformat()}: {_run(work)} escalations")
