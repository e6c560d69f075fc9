"""The catalogue written back as an XLSX workbook in the import layout (``sheets.py``).

Departments, items (each at its newest version, retired items left out), their materials and
form fields, and bundles: importing the workbook again changes nothing. Values are written the
way an administrator reads them (是/否, 窗口、代办 …), which the importer reads back as they were.

No cell is ever a formula: a text that a spreadsheet would run (``=``, ``+``, ``-``, ``@`` …) is
stored as a plain string and marked as quoted text, so opening the file runs nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.catalogue.model import BundleSpec, ItemSpec
from backend.catalogue.store import bundles as bundles_store
from backend.catalogue.store import departments as departments_store
from backend.catalogue.store import items as items_store
from backend.catalogue.texts import DELIVERY_LABELS
from backend.imports.reader import clean
from backend.imports.sheets import ITEM_KIND_LABELS, SHEETS

EXPORT_SHEETS: Final = ("departments", "items", "materials", "forms", "bundles")
MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RISKY_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
"""A cell whose text starts with one of these is taken for a formula by some spreadsheet."""

_LEVEL: Final = {"district": "区", "township": "镇街", "village": "村社"}
_CHANNEL: Final = {
    "window": "窗口",
    "agent": "代办",
    "bank": "银行",
    "self_service": "自助",
    "online": "网办",
}
_DELIVERY: Final = DELIVERY_LABELS  # the same words on the sheet as on the pages
_DATATYPE: Final = {
    "text": "文本",
    "number": "数字",
    "date": "日期",
    "choice": "选择",
    "id_number": "身份证号",
    "phone": "手机号",
}
_SENSITIVITY: Final = {
    "id_number": "身份证号",
    "phone": "手机号",
    "bank_account": "银行账号",
    "id_derived": "含身份证号",
    "none": "无",
}

Cell = str | int


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What the workbook holds, read in one go."""

    departments: dict[str, str]
    items: list[ItemSpec]
    bundles: list[BundleSpec]


async def read_catalogue() -> Catalogue:
    """Every department, every item that is not retired (its newest version) and every bundle."""
    newest = await items_store.in_force(day=date.max)
    return Catalogue(
        departments=await departments_store.names(),
        items=sorted((v.spec for v in newest), key=lambda s: s.code),
        bundles=await bundles_store.all_bundles(),
    )


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _words(values: Iterable[str], names: dict[str, str] | None = None) -> str:
    return "、".join(names.get(v, v) if names else v for v in values)


def _item_row(spec: ItemSpec) -> list[Cell]:
    return [
        spec.code,
        spec.name,
        spec.department_code,
        _LEVEL.get(spec.lowest_level, spec.lowest_level),
        _words(spec.channels, _CHANNEL),
        _yes(spec.delegable),
        _yes(spec.district_wide),
        spec.legal_days,
        spec.committed_days,
        spec.fee,
        _words(spec.delivery_methods, _DELIVERY),
        _words(spec.keywords),
        _yes(spec.personal),
        ITEM_KIND_LABELS.get(spec.kind, spec.kind),
        "",  # 生效日期: blank, the date chosen when the file is imported again
    ]


def rows_of(catalogue: Catalogue) -> dict[str, list[list[Cell]]]:
    """Each sheet's rows (without the header), in the column order of ``sheets.SHEETS``."""
    materials: list[list[Cell]] = []
    forms: list[list[Cell]] = []
    for spec in catalogue.items:
        for order, m in enumerate(spec.materials, start=1):
            materials.append(
                [
                    spec.code,
                    m.type,
                    m.name,
                    _yes(m.required),
                    "原件" if m.original else "复印件",
                    m.copies,
                    _yes(m.exempt_if_shared),
                    order,
                ]
            )
        for order, f in enumerate(spec.form, start=1):
            forms.append(
                [
                    spec.code,
                    f.name,
                    f.label,
                    _DATATYPE.get(f.datatype, f.datatype),
                    _SENSITIVITY.get(f.sensitivity, f.sensitivity),
                    _yes(f.required),
                    _words(f.values),
                    order,
                    "" if f.max_length is None else f.max_length,
                    f.pattern or "",
                    f.pattern_hint,
                ]
            )
    return {
        "departments": [[code, name] for code, name in sorted(catalogue.departments.items())],
        "items": [_item_row(spec) for spec in catalogue.items],
        "materials": materials,
        "forms": forms,
        "bundles": [
            [b.code, b.name, _words(b.item_codes), _words(b.keywords)] for b in catalogue.bundles
        ],
    }


def _put(ws: object, row: int, column: int, value: Cell) -> None:
    cell = ws.cell(row=row, column=column)  # type: ignore[attr-defined]
    cell.value = clean(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"  # never "f": a text is stored as text, whatever it starts with
        if value.startswith(RISKY_START):
            cell.quotePrefix = True


def workbook_bytes(sheets: dict[str, Sequence[Sequence[Cell]]]) -> bytes:
    """An XLSX workbook, one sheet per table, Chinese headers in bold."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        spec = SHEETS[name]
        ws = book.create_sheet(spec.label)
        for column, c in enumerate(spec.columns, start=1):
            _put(ws, 1, column, c.label)
            ws.cell(row=1, column=column).font = Font(bold=True)
            ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = max(
                12, 2 * len(c.label) + 4
            )
        for number, values in enumerate(rows, start=2):
            for column, value in enumerate(values, start=1):
                _put(ws, number, column, value)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export_catalogue() -> bytes:
    """The catalogue as an XLSX workbook in the import layout."""
    return workbook_bytes(dict(rows_of(await read_catalogue())))


def export_filename(day: date) -> str:
    return f"事项目录-{day.isoformat()}.xlsx"
