"""``jiujinban audit …``: checking the audit chain from the command line.

Exit codes of ``verify``: 0 the chain is whole, 1 it is broken (the first broken row is named),
2 it could not be checked (configuration or database).
"""

from __future__ import annotations

import asyncio
import sys

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backend.audit.verify import DEFAULT_BATCH, VerifyReport, verify_chain

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_UNCHECKED = 2


async def _verify(database_url: str, key: str, batch_size: int, console: Console) -> VerifyReport:
    from backend import db

    async with db.pool(database_url, min_size=1, max_size=2):
        with Progress(
            TextColumn("verifying audit chain"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("verify", total=None)
            return await verify_chain(
                key=key,
                batch_size=batch_size,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )


@click.group("audit")
def audit() -> None:
    """The audit log of reads of personal data (append-only, hash-chained)."""


@audit.command("verify")
@click.option(
    "--batch-size", type=click.IntRange(100, 100_000), default=DEFAULT_BATCH, show_default=True
)
def verify(batch_size: int) -> None:
    """Recompute every row's HMAC-SM3 with AUDIT_KEY and check every link, in id order.

    Exit 0 when the chain is whole, 1 when it is broken (naming the first broken row), 2 when it
    could not be checked.
    """
    from backend.logging import configure_logging
    from backend.settings import SettingsError, load_settings

    console = Console(stderr=True)
    try:
        settings = load_settings()
        configure_logging(level=settings.log_level, json=settings.log_json)
    except SettingsError as exc:
        console.print(f"configuration error: {exc}", markup=False)
        sys.exit(EXIT_UNCHECKED)
    import asyncpg

    try:
        report = asyncio.run(
            _verify(settings.database_url, settings.audit_key, batch_size, console)
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        console.print(f"could not check the audit chain: {exc}", markup=False)
        sys.exit(EXIT_UNCHECKED)
    if report.ok:
        click.echo(f"audit chain OK: {report.checked} rows checked")
        if report.head_id is not None:
            click.echo(f"head: id {report.head_id} hash {report.head_hash}")
        sys.exit(EXIT_OK)
    click.echo(
        f"audit chain BROKEN at row id {report.first_broken_id}: {report.reason}"
        f" ({report.checked} rows before it are intact)"
    )
    sys.exit(EXIT_BROKEN)


if __name__ == "__main__":
    audit()
