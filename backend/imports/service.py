"""The import use case: read, check, apply whole in one transaction (or only check: dry run)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from backend import db
from backend.clock import today
from backend.errors import InvalidInput
from backend.imports.apply import ImportRejected, ImportReport, apply_batch
from backend.imports.parse import Batch, parse
from backend.imports.reader import ReadError, read_tables

MAX_UPLOAD = 10 * 1024 * 1024


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


def _read_upload(name: str, data: bytes) -> Batch:
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise InvalidInput("只支持 .csv 和 .xlsx 文件。", code="import_file_type")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        return read_file(path)


async def import_upload(
    *, filename: str, content: bytes, effective_from: str | None, dry_run: bool
) -> ImportReport:
    """An administrator's uploaded file imported whole (``effective_from`` YYYY-MM-DD, else
    today); a rejected file is 422 ``import_rejected`` naming its first 500 errors."""
    if len(content) > MAX_UPLOAD:
        raise InvalidInput("文件超过 10 MB。", code="import_file_too_large")
    try:
        day = date.fromisoformat(effective_from) if effective_from else today()
    except ValueError as exc:
        raise InvalidInput("生效日期应写作 YYYY-MM-DD。", code="validation_failed") from exc
    try:
        batch = await asyncio.to_thread(_read_upload, filename, content)
        return await import_batch(batch, effective_from=day, dry_run=dry_run)
    except ImportRejected as rejected:
        raise InvalidInput(
            f"导入被拒绝，未写入任何数据：共 {len(rejected.errors)} 处错误。",
            code="import_rejected",
            extra={"errors": [str(e) for e in rejected.errors[:500]]},
        ) from rejected
