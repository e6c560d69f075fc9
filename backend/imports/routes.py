"""``POST /api/v1/admin/catalogue/import``: the importer for administrators, over HTTP."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.enums import RequestEncodingType
from litestar.params import Body

from backend.deps import Deps
from backend.http.auth import ApiRequest, staff_roles
from backend.http.openapi import operation
from backend.imports.schemas import ImportForm, ImportOut, TallyOut
from backend.imports.service import import_upload


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
            "每次写入都记入审计日志（文件名、指纹、各表变化、新增和改动的事项及其改动的字段、"
            "导入前后的数量）。文件名只保留不含路径、控制字符和不可见字符的部分（最多 100 字），"
            "什么也不剩时答 422 import_file_type（文件名无效）。"
            "单元格含不可见的控制字符（双向文本控制符、零宽字符等）时按行拒绝。"
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
        self,
        request: ApiRequest,
        deps: Deps,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportOut:
        report = await import_upload(
            audit=deps.audit,
            staff_id=request.user.id,
            filename=data.file.filename or "upload.csv",
            content=await data.file.read(),
            effective_from=data.effective_from,
            dry_run=data.dry_run,
        )
        return ImportOut(
            dry_run=report.dry_run,
            sheets={
                sheet: TallyOut(t.created, t.updated, t.unchanged, t.removed)
                for sheet, t in report.tallies.items()
            },
        )
