"""The import use case: read, check, apply whole in one transaction (or only check: dry run)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from backend import db
from backend.imports.apply import ImportRejected, ImportReport, apply_batch
from backend.imports.parse import Batch, parse
from backend.imports.reader import ReadError, read_tables


class _DryRunRollback(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def read_file(path: Path) -> Batch:
    """Read and type-check ``path``; raises ImportRejected naming every bad row."""
    try:
        tables = read_tables(path)
    except ReadError as exc:
        raise ImportRejected(exc.errors) from exc
    batch = parse(tables)
    if batch.errors:
        raise ImportRejected(batch.errors)
    return batch


async def import_batch(
    batch: Batch, *, effective_from: date, dry_run: bool = False
) -> ImportReport:
    """Apply ``batch`` in one transaction; a dry run checks everything, then rolls back."""
    try:
        async with db.engine().transaction():
            report = await apply_batch(batch, effective_from=effective_from)
            if dry_run:
                raise _DryRunRollback(report)
    except _DryRunRollback as rolled_back:
        rolled_back.report.dry_run = True
        return rolled_back.report
    return report


async def import_file(path: Path, *, effective_from: date, dry_run: bool = False) -> ImportReport:
    return await import_batch(read_file(path), effective_from=effective_from, dry_run=dry_run)
