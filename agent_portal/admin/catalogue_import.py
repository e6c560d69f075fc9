"""The administrator's catalogue spreadsheet: export it, import it through a preview.

An upload is checked whole and its effect shown (errors by sheet, row and column, or what would
change) before anything is written; the file waits in Redis for its uploader, and only a
separate confirm applies it, checked again (``backend.imports.service``). Other roles get the
403 page on every address here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response, Template

from agent_portal.admin import texts_import as texts
from agent_portal.common.errors import WrongRole
from backend.clock import today
from backend.deps import Deps
from backend.errors import Conflict, InvalidInput
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.imports import export
from backend.imports import service as imports
from backend.imports.apply import ImportReport, ItemChange
from backend.imports.sheets import SHEETS

BASE = "/portal/admin/catalogue-import"


@dataclass
class UploadForm:
    file: UploadFile | None = None
    effective_from: str = ""


@dataclass
class ConfirmForm:
    token: str = ""


def _admin(staff: StaffAccount) -> StaffAccount:
    if staff.role != roles.ADMIN:
        raise WrongRole(roles.ADMIN)
    return staff


def _context(**values: Any) -> dict[str, Any]:
    return {
        "base": BASE,
        "sheets": SHEETS,
        "sheet_labels": texts.SHEET_LABELS,
        "tally_text": texts.tally_text,
        "applied_notice": texts.APPLIED,
        "size_labels": texts.SIZE_LABELS,
        "limit_mb": imports.MAX_PREVIEW_BYTES // (1024 * 1024),
        "limit_rows": imports.MAX_PREVIEW_ROWS,
        "error": None,
        "effective_from": "",
        **values,
    }


def _home(*, error: str | None = None, effective_from: str = "", status: int = 200) -> Template:
    return Template(
        "admin/import_home.html",
        context=_context(error=error, effective_from=effective_from),
        status_code=status,
    )


@dataclass(frozen=True, slots=True)
class ItemList:
    """One list of items on the preview (new, or given a new version): the first ones, with
    their changes, and how many more."""

    key: str
    title: str
    total: int
    shown: list[ItemChange]
    more: str | None


def _item_lists(report: ImportReport | None) -> list[ItemList]:
    lists = []
    for key, title in texts.ITEM_LISTS:
        listed = report.items.get(key, []) if report is not None else []
        if listed:
            rest = len(listed) - texts.ITEMS_SHOWN
            more = texts.MORE_ITEMS.format(count=rest) if rest > 0 else None
            lists.append(ItemList(key, title, len(listed), listed[: texts.ITEMS_SHOWN], more))
    return lists


def _preview_page(preview: imports.Preview) -> Template:
    report = preview.report
    changes = report is not None and any(
        t.created or t.updated or t.removed for t in report.tallies.values()
    )
    if preview.errors:
        notice = texts.HAS_ERRORS.format(count=len(preview.errors))
    else:
        notice = (
            texts.READY.format(minutes=preview.expires_in_s // 60) if changes else texts.NO_CHANGE
        )
    shown = preview.errors[: texts.ERRORS_SHOWN]
    return Template(
        "admin/import_preview.html",
        context=_context(
            preview=preview,
            changes=changes,
            item_lists=_item_lists(report),
            no_field_change=texts.NO_FIELD_CHANGE,
            notice=notice,
            errors=shown,
            more=texts.MORE_ERRORS.format(count=len(preview.errors) - len(shown))
            if len(preview.errors) > len(shown)
            else None,
            effective_from=preview.effective_from.isoformat(),
        ),
        status_code=422 if preview.errors else 200,
    )


def _rejected_page(filename: str, rejected: imports.Rejected) -> Template:
    shown = rejected.errors[: texts.ERRORS_SHOWN]
    return Template(
        "admin/import_preview.html",
        context=_context(
            preview=None,
            filename=filename,
            changes=False,
            notice=texts.REJECTED_ON_CONFIRM,
            errors=shown,
            more=None,
        ),
        status_code=422,
    )


async def _upload(data: UploadForm) -> tuple[str, bytes]:
    if data.file is None or not data.file.filename:
        raise InvalidInput(texts.FILE_MISSING, code="import_file_missing")
    return data.file.filename, await data.file.read(imports.MAX_PREVIEW_BYTES + 1)


class CatalogueImportPages(Controller):
    path = "/admin/catalogue-import"
    include_in_schema = False

    @get("/", name="portal:catalogue-import")
    async def home(self, staff: StaffAccount) -> Template:
        _admin(staff)
        return _home()

    @post(
        "/preview",
        name="portal:catalogue-import-preview",
        status_code=200,
        request_max_body_size=4 * imports.MAX_PREVIEW_BYTES,
    )
    async def preview(
        self,
        staff: StaffAccount,
        deps: Deps,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        _admin(staff)
        try:
            filename, content = await _upload(data)
            preview = await imports.preview_upload(
                redis=deps.redis,
                prefix=deps.settings.redis_prefix,
                staff_id=staff.id,
                filename=filename,
                content=content,
                effective_from=data.effective_from.strip() or None,
            )
        except InvalidInput as exc:
            return _home(error=exc.detail, effective_from=data.effective_from, status=422)
        return _preview_page(preview)

    @post("/confirm", name="portal:catalogue-import-confirm", status_code=200)
    async def confirm(
        self,
        staff: StaffAccount,
        deps: Deps,
        data: Annotated[ConfirmForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        _admin(staff)
        try:
            applied = await imports.confirm_upload(
                redis=deps.redis,
                prefix=deps.settings.redis_prefix,
                audit=deps.audit,
                staff_id=staff.id,
                token=data.token.strip(),
            )
        except imports.Rejected as rejected:
            return _rejected_page(rejected.filename, rejected)
        except Conflict as exc:
            return _home(error=exc.detail, status=409)
        return Template("admin/import_done.html", context=_context(applied=applied))

    @get("/export", name="portal:catalogue-export")
    async def export_file(self, staff: StaffAccount) -> Response[bytes]:
        _admin(staff)
        day = today().isoformat()
        name = quote(export.export_filename(today()), safe="")
        return Response(
            await export.export_catalogue(),
            media_type=export.MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{texts.export_ascii_name(day)}";'
                f" filename*=UTF-8''{name}"
            },
        )
