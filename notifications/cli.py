"""``jiujinban notifications status|replay|remind``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import click

T = TypeVar("T")


def _run(work: Callable[[], Awaitable[T]]) -> T:
    from backend import db
    from backend.settings import load_settings

    settings = load_settings()

    async def main() -> T:
        async with db.pool(settings.database_url, min_size=1, max_size=2):
            return await work()

    return asyncio.run(main())


@click.group("notifications")
def notifications() -> None:
    """Subscribe messages: what was delivered, what is stuck, re-driving failures."""


@notifications.command("status")
@click.option("--limit", default=20, show_default=True, help="How many stuck messages to list.")
def status_command(limit: int) -> None:
    """Counts by channel and status, the stuck messages and the dead delivery jobs."""
    from notifications.service.operations import status

    found = _run(lambda: status(limit))
    click.echo(f"{'channel':8} {'status':18} {'count':>8}")
    for (channel, state), count in sorted(found.counts.items()):
        click.echo(f"{channel:8} {state:18} {count:>8}")
    if not found.counts:
        click.echo("(no messages)")
    click.echo(f"dead delivery jobs: {found.dead_jobs}")
    click.echo(f"stuck for over 10 minutes: {len(found.stuck)}")
    for row in found.stuck:
        click.echo(
            f"  #{row.id} {row.event} {row.channel} {row.status}"
            f" attempts={row.attempts} case={row.case_number or '-'} {row.last_error}"
        )


@notifications.command("replay")
@click.option("--no-stuck", is_flag=True, help="Only technical failures, not stuck messages.")
@click.option("--limit", default=10_000, show_default=True, help="At most this many.")
def replay_command(no_stuck: bool, limit: int) -> None:
    """Send again messages that failed for a technical reason (never permanent refusals)."""
    from notifications.service.operations import replay

    count = _run(lambda: replay(include_stuck=not no_stuck, limit=limit))
    click.echo(f"re-driven: {count} (the worker sends them; see `notifications status`)")


@notifications.command("remind")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to remind for (YYYY-MM-DD, Asia/Shanghai); default today.",
)
def remind_command(day: datetime | None) -> None:
    """Write today's reminders to the portal's bell (what the worker's daily cron does)."""
    from backend.clock import today
    from notifications.reminders import remind

    when = day.date() if day is not None else today()
    done = _run(lambda: remind(day=when))
    if not done.working_day:
        click.echo(f"{when.isoformat()}: not a working day, no reminders")
        return
    counts = ", ".join(f"{kind}={n}" for kind, n in sorted(done.created.items())) or "none new"
    click.echo(f"{when.isoformat()}: {done.total} reminders written ({counts})")
