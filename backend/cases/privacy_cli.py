"""``jiujinban privacy encrypt-forms``: seal the sensitive values of case forms written before
the codec, then ``VACUUM FULL`` so no dead row version keeps them (docs/personal-data.md).

Safe to interrupt and to run again (``--after`` resumes past a case id; a second run rewrites
nothing). Exit code 0 when every row is sealed, 1 when some value did not decrypt (named in the
log), 2 on a configuration or database error.
"""

from __future__ import annotations

import asyncio
import sys

import click

from backend.cases.formseal import (
    DEFAULT_BATCH,
    VACUUMED,
    SealReport,
    seal_stored_forms,
    vacuum_full,
)
from backend.cases.store import forms
from backend.security.fieldcrypt import FieldCipher

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


async def _run(
    database_url: str, cipher: FieldCipher, batch_size: int, after: int, vacuum: bool
) -> SealReport:
    from backend import db

    def progress(checked: int, total: int, sealed: int) -> None:
        click.echo(f"case forms: {checked}/{total} rows checked, {sealed} sealed")

    async with db.pool(database_url, min_size=1, max_size=2):
        report = await seal_stored_forms(
            cipher=cipher, batch_size=batch_size, after=after, progress=progress
        )
        click.echo(f"stored idempotent answers masked: {report.answers_masked}")
        if vacuum:
            click.echo(f"{forms.vacuum_full_label(VACUUMED)} …")
            await vacuum_full()
    return report


@click.command("encrypt-forms")
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=DEFAULT_BATCH, show_default=True
)
@click.option("--after", type=click.IntRange(0), default=0, help="Resume past this case id.")
@click.option("--no-vacuum", is_flag=True, help="Skip VACUUM FULL (run it yourself later).")
def encrypt_forms(batch_size: int, after: int, no_vacuum: bool) -> None:
    """Seal every plain ID number, phone, bank account and certificate number in case forms."""
    import asyncpg

    from backend.logging import configure_logging
    from backend.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        cipher = FieldCipher(settings.field_key_ring())
        configure_logging(level=settings.log_level, json=settings.log_json)
    except (SettingsError, ValueError) as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    try:
        report = asyncio.run(
            _run(settings.database_url, cipher, batch_size, after, vacuum=not no_vacuum)
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        click.echo(f"could not seal the case forms: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    click.echo(
        f"done: {report.checked} rows checked, {report.sealed} sealed, {report.failed} failed,"
        f" last case id {report.last_id}"
    )
    sys.exit(EXIT_FAILED if report.failed else EXIT_OK)
