"""``POST /api/v1/admin/catalogue/import``: the importer for administrators, over HTTP."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from litestar import Controller, post
from litestar.enums import RequestEncodingType
from litestar.params import Body

from backend.clock import today
from backend.errors import InvalidInput
from backend.http.auth import staff_roles
from backend.http.openapi import operation
from backend.imports.apply import ImportRejected
from backend.imports.parse import Batch
from backend.imports.schemas import ImportForm, ImportOut, TallyOut
from backend.imports.service import import_batch, read_file

MAX_UPLOAD = 10 * 1024 * 1024


def _read_upload(name: str, data: bytes) -> Batch:
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
    tags = ["管理员"]

    @post(
        "/",
        status_code=200,
        **operation(
            "导入事项目录",
            "管理员用 .csv 或 .xlsx 文件导入部门、区划、事项、材料、表单、一件事、办事点和办理"
            "事项清单。整个文件在一个事务中导入：有任何一处错误则全部不写入，答 422 "
            "import_rejected 并在 errors 中逐行列出（最多 500 条）；dry_run=true 只检查不写入。"
            "不是 multipart/form-data 或缺少 file 时答 400 bad_request。",
            problems={
                400: ["bad_request"],
                422: [
                    "import_file_type",
                    "import_file_too_large",
                    "import_rejected",
                    "effective_date_invalid",
                ],
            },
        ),
    )
    async def import_catalogue(
        self, data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)]
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
