"""A dashboard table as a CSV or XLSX file with a Chinese file name.

CSV is UTF-8 with a byte-order mark (Excel on Windows then reads the Chinese right) and holds
what the page shows (``85.0%``, empty for no data); XLSX holds the numbers, formatted. A text
cell that a spreadsheet would take for a formula is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font

from agent_portal.dashboard import texts
from agent_portal.dashboard.tables import Cell, Table, display

FORMATS: Final[dict[str, str]] = {
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS: Final = {"share": "0.0%", "avg": "0.00", "int": "0"}


@dataclass(frozen=True, slots=True)
class Export:
    body: bytes
    media_type: str
    filename: str
    ascii_filename: str  # for clients that do not read ``filename*``


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Cell, kind: str) -> str:
    if value is None:
        return ""
    if kind in {"text", "code"}:
        return _safe(str(value))
    return display(value, kind)


def to_csv(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, *, subtitle: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append([f"{table.title}（{subtitle}）"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([c.label for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(
            [_safe(v) if isinstance(v, str) else v for v, c in zip(row, table.columns, strict=True)]
        )
    for index, column in enumerate(table.columns, start=1):
        fmt = NUMBER_FORMATS.get(column.kind)
        letter = sheet.cell(row=2, column=index).column_letter
        sheet.column_dimensions[letter].width = 14 if column.kind != "text" else 24
        if fmt is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
            cell.number_format = fmt
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(table: Table, fmt: str, *, subtitle: str, scope: tuple[str, str], period: str) -> Export:
    """``fmt`` is a key of :data:`FORMATS`; ``scope`` (name, code) and ``period`` go into the
    file name: ``镇街排行_益农镇_20261101-20261130.csv``."""
    name, code = scope
    body = to_csv(table) if fmt == "csv" else to_xlsx(table, subtitle=subtitle)
    return Export(
        body,
        FORMATS[fmt],
        f"{texts.TABLES[table.key][1]}_{name}_{period}.{fmt}",
        f"{table.key}_{code}_{period}.{fmt}",
    )


def content_disposition(export: Export) -> str:
    """RFC 6266 with an RFC 5987 ``filename*`` for the Chinese name and an ASCII fallback."""
    name = quote(export.filename, safe="")
    return f"attachment; filename=\"{export.ascii_filename}\"; filename*=UTF-8''{name}"
