"""``jiujinban keys …``: rotating the field-encryption keys (``FIELD_KEYS``).

Procedure (docs/personal-data.md): put the new key first in ``FIELD_KEYS`` on every server and
restart them; run ``jiujinban keys rotate``; when it reports no value left under the old key,
remove that key from ``FIELD_KEYS``. Exit code 0 when every value is under the current key, 1
when some could not be decrypted (they are named in the log), 2 on a configuration error.
"""

from __future__ import annotations

import asyncio
import sys

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from backend.identity.keys import DEFAULT_BATCH, RotationReport, key_usage, rotate_keys
from backend.security.fieldcrypt import FieldCipher

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


async def _rotate(
    database_url: str, cipher: FieldCipher, batch_size: int, console: Console
) -> tuple[RotationReport, dict[str, dict[str, int]]]:
    from backend import db

    async with db.pool(database_url, min_size=1, max_size=2):
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total)
                bar.update(tasks[label], completed=done, total=total)

            report = await rotate_keys(cipher=cipher, batch_size=batch_size, progress=progress)
        return report, await key_usage()


@click.group("keys")
def keys() -> None:
    """Field-encryption keys (FIELD_KEYS) of personal data."""


@keys.command("rotate")
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=DEFAULT_BATCH, show_default=True
)
def rotate(batch_size: int) -> None:
    """Re-encrypt every ID number, phone and WeChat session key not under the first key of
    FIELD_KEYS. Safe to interrupt and to run again."""
    import asyncpg

    from backend.logging import configure_logging
    from backend.settings import SettingsError, load_settings

    console = Console()
    try:
        settings = load_settings()
        cipher = FieldCipher(settings.field_key_ring())
        configure_logging(level=settings.log_level, json=settings.log_json)
    except (SettingsError, ValueError) as exc:
        console.print(f"configuration error: {exc}", markup=False)
        sys.exit(EXIT_CONFIG)
    console.print(f"current key: {cipher.current_key_id}; ring: {', '.join(cipher.key_ids)}")
    try:
        report, usage = asyncio.run(_rotate(settings.database_url, cipher, batch_size, console))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        console.print(f"could not rotate: {exc}", markup=False)
        sys.exit(EXIT_CONFIG)

    table = Table(title=f"re-encrypted under {report.current_key_id}")
    for name in ("values", "were pending", "re-encrypted", "failed", "now by key id"):
        table.add_column(name, justify="left" if name == "values" else "right")
    for column in report.columns:
        held = ", ".join(f"{k}: {n}" for k, n in usage.get(column.label, {}).items()) or "-"
        table.add_row(
            column.label, str(column.pending), str(column.rotated), str(column.failed), held
        )
    console.print(table)
    still_used = {k for held in usage.values() for k in held}
    retired = [k for k in cipher.key_ids if k not in still_used and k != cipher.current_key_id]
    if retired:
        console.print(f"no value is under {', '.join(retired)} any more: it may leave FIELD_KEYS.")
        if not cipher.lookup_key_pinned and cipher.key_ids[-1] in retired:
            console.print(
                f"[yellow]lookup hashes are derived from {cipher.key_ids[-1]}: before removing it,"
                f" add lookup:<the same base64> to FIELD_KEYS so they stay valid.[/yellow]"
            )
    console.print(f"total: {report.rotated} re-encrypted, {report.failed} failed")
    sys.exit(EXIT_FAILED if report.failed else EXIT_OK)


@keys.command("index-phones")
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=DEFAULT_BATCH, show_default=True
)
def index_phones_command(batch_size: int) -> None:
    """Write the lookup hash of every phone bound before it was kept (the window's search by
    phone). Safe to interrupt and to run again."""
    import asyncpg

    from backend import db
    from backend.identity.phone_index import index_phones
    from backend.logging import configure_logging
    from backend.settings import SettingsError, load_settings

    console = Console()
    try:
        settings = load_settings()
        cipher = FieldCipher(settings.field_key_ring())
        configure_logging(level=settings.log_level, json=settings.log_json)
    except (SettingsError, ValueError) as exc:
        console.print(f"configuration error: {exc}", markup=False)
        sys.exit(EXIT_CONFIG)

    async def run() -> tuple[int, int]:
        async with db.pool(settings.database_url, min_size=1, max_size=2):
            report = await index_phones(cipher=cipher, batch_size=batch_size)
        return report.indexed, report.failed

    try:
        indexed, failed = asyncio.run(run())
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        console.print(f"could not index phones: {exc}", markup=False)
        sys.exit(EXIT_CONFIG)
    console.print(f"phones hashed: {indexed}; could not decrypt: {failed}")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


if __name__ == "__main__":
    keys()
