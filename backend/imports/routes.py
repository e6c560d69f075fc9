"""``POST /api/v1/admin/catalogue/import``: the importer for administrators, over HTTP."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from backend.clock import today
from backend.errors import InvalidInput
from backend.http.auth import Principal, staff_roles
from backend.imports.apply import ImportRejected
from backend.imports.service import import_batch, read_file

MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(msgspec.Struct):
    file: UploadFile
    dry_run: bool = False
    effective_from: str | None = None


class TallyOut(msgspec.Struct):
    created: int
    updated: int
    unchanged: int
    removed: int


class ImportOut(msgspec.Struct):
    dry_run: bool
    sheets: dict[str, TallyOut]


def _read_upload(name: str, data: bytes) -> Any:
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise InvalidInput("只支持 .csv 和 .xlsx 文件。", code="import_file_type")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        return read_file(path)


class ImportController(Controller):
    path = "/api/v1/admin/catalogue/import"
    guards = [staff_roles("admin")]
    tags = ["administration"]

    @post("/", status_code=200, summary="Import items, materials, service points … (CSV or XLSX)")
    async def import_catalogue(
        self,
        request: Request[Principal, Any, Any],
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportOut:
        content = await data.file.read()
        if len(content) > MAX_UPLOAD:
            raise InvalidInput("文件超过 10 MB。", code="import_file_too_large")
        try:
            day = date.fromisoformat(data.effective_from) if data.effective_from else today()
        except ValueError as exc:
            raise InvalidInput("生效日期应写作 YYYY-MM-DD。", code="validation_failed") from exc
        try:
            name = data.file.filename or "upload.csv"
            batch = await asyncio.to_thread(_read_upload, name, content)
            report = await import_batch(batch, effective_from=day, dry_run=data.dry_run)
        except ImportRejected as rejected:
            raise InvalidInput(
                f"导入被拒绝，未写入任何数据：共 {len(rejected.errors)} 处错误。",
                code="import_rejected",
                extra={"errors": [str(e) for e in rejected.errors[:500]]},
            ) from rejected
        return ImportOut(
            dry_run=report.dry_run,
            sheets={
                sheet: TallyOut(t.created, t.updated, t.unchanged, t.removed)
                for sheet, t in report.tallies.items()
            },
        )
