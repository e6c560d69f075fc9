"""Reading import files into raw tables: CSV (one table each), XLSX (a sheet per table), folders."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from backend import textrules
from backend.imports.sheets import SHEET_ALIASES, SHEETS

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
"""An XLSX is a zip: what its parts may grow to when unpacked (a zip bomb is refused unread)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\t\r\n]+")
INVISIBLE = re.compile("[" + "".join(sorted(textrules.INVISIBLE)) + "]")
"""Bidi controls and zero-width characters: a cell holding one is refused (it can make a text
read differently from what it is, or two codes look alike)."""
INVISIBLE_MESSAGE = "含有不可见的控制字符（如双向文本控制符、零宽字符），请删除后再导入"
FORMULA_MESSAGE = "是公式，请改为纯文本或数值（导入不计算公式）"


@dataclass
class RawTable:
    sheet: str
    source: str  # file name (and sheet name for XLSX), for error messages
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RowError:
    source: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f"（{self.column}）"
        return f"{where}：{self.message}"


class ReadError(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _kind_from_name(name: str) -> str | None:
    stem = name.strip().lower().replace(" ", "_")
    return SHEET_ALIASES.get(stem) or SHEET_ALIASES.get(name.strip())


def _kind_from_header(header: list[str]) -> str | None:
    cells = {h.strip().lower() for h in header if h}
    for name, sheet in SHEETS.items():
        known = sheet.header_map()
        required = {c.name for c in sheet.columns if c.required}
        present = {known[c] for c in cells if c in known}
        if required <= present:
            return name
    return None


def clean(value: str) -> str:
    """A cell's text without control bytes or invisible characters; tabs and line breaks become
    one space. (A data cell holding an invisible character is refused before it is cleaned.)"""
    return INVISIBLE.sub("", _CONTROL.sub("", _BREAKS.sub(" ", value)))


def _table(
    sheet: str,
    source: str,
    header: list[str],
    body: Iterable[tuple[int, list[str]]],
    max_rows: int = MAX_ROWS,
) -> tuple[RawTable, list[RowError]]:
    spec = SHEETS[sheet]
    known = spec.header_map()
    errors: list[RowError] = []
    columns: list[str | None] = []
    for cell in header:
        key = (cell or "").strip().lower()
        if not key:
            columns.append(None)
        elif key in known:
            columns.append(known[key])
        else:
            columns.append(None)
            errors.append(RowError(source, 1, clean(cell), "无法识别的列名"))
    missing = [c.label for c in spec.columns if c.required and c.name not in columns]
    if missing:
        errors.append(RowError(source, 1, None, "缺少必需的列：" + "、".join(missing)))
    table = RawTable(sheet, source)
    for number, cells in body:
        filled = any((c or "").strip() for c in cells)
        if number > 2 * max_rows + 1000 or (filled and len(table.rows) >= max_rows):
            errors.append(
                RowError(source, number, None, f"数据行超过上限 {max_rows} 行，请分成几个文件导入")
            )
            break
        if not filled:
            continue
        if any((c or "").strip() for c in cells[len(columns) :]):
            errors.append(
                RowError(source, number, None, "本行的格子比表头多（含逗号的内容请加英文双引号）")
            )
            continue
        hidden = [
            RowError(source, number, clean(header[i]) or None, INVISIBLE_MESSAGE)
            for i, cell in enumerate(cells[: len(columns)])
            if columns[i] and cell and INVISIBLE.search(cell)
        ]
        if hidden:
            errors.extend(hidden)
            continue
        row = {
            col: clean(cells[i] if i < len(cells) else "").strip()
            for i, col in enumerate(columns)
            if col
        }
        table.rows.append((number, row))
    return table, errors


def _formula_errors(
    source: str, header: list[str], number: int, flags: Iterable[bool]
) -> list[RowError]:
    return [
        RowError(source, number, clean(header[i]) if i < len(header) else None, FORMULA_MESSAGE)
        for i, flag in enumerate(flags)
        if flag
    ]


def _read_csv(path: Path, max_rows: int) -> tuple[list[RawTable], list[RowError]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [RowError(path.name, None, None, "文件编码无法识别（请用 UTF-8 或 GB18030）")]
    try:
        rows = list(csv.reader(io.StringIO(text.replace("\x00", ""))))
    except csv.Error:
        return [], [RowError(path.name, None, None, "不是有效的 CSV 文件")]
    if not rows:
        return [], [RowError(path.name, None, None, "文件是空的")]
    header = rows[0]
    kind = _kind_from_name(path.stem) or _kind_from_header(header)
    if kind is None:
        return [], [RowError(path.name, 1, None, "无法判断这是哪张表（请按文件名或表头区分）")]
    # A CSV cell cannot say it is text: one that starts with "=" is taken for a formula.
    formulas = [
        e
        for i, r in enumerate(rows[1:])
        for e in _formula_errors(path.name, header, i + 2, (c.startswith("=") for c in r))
    ]
    body = ((i + 2, r) for i, r in enumerate(rows[1:]))
    table, errors = _table(kind, path.name, header, body, max_rows)
    return [table], errors + formulas


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unpacked_size(path: Path) -> int | None:
    """What the workbook's parts add up to unpacked; None when it is not a zip at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return None


def _xlsx_rows(
    ws: Any, source: str, errors: list[RowError]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The sheet's header and a lazy reader of its rows; formula cells are reported, not run."""
    rows = ws.iter_rows()
    first = next(rows, None)
    header = [_cell(c.value) for c in first] if first else []

    def body() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(rows, start=2):
            errors.extend(
                _formula_errors(source, header, number, (c.data_type == "f" for c in cells))
            )
            yield number, ["" if c.data_type == "f" else _cell(c.value) for c in cells]

    return header, body()


def _read_xlsx(path: Path, max_rows: int) -> tuple[list[RawTable], list[RowError]]:
    from openpyxl import load_workbook

    unpacked = _unpacked_size(path)
    if unpacked is None:
        return [], [
            RowError(path.name, None, None, "不是有效的 XLSX 工作簿（可能是改了扩展名的其他文件）")
        ]
    if unpacked > MAX_UNPACKED:
        return [], [RowError(path.name, None, None, "工作簿解压后过大，请删去无关内容后再导入")]
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        return [], [RowError(path.name, None, None, f"无法打开工作簿：{type(exc).__name__}")]
    tables: list[RawTable] = []
    errors: list[RowError] = []
    try:
        for ws in book.worksheets:
            source = f"{path.name}[{clean(ws.title)}]"
            header, body = _xlsx_rows(ws, source, errors)
            if not header:
                continue
            kind = _kind_from_name(ws.title) or _kind_from_header(header)
            if kind is None:
                errors.append(
                    RowError(source, None, None, "无法判断这是哪张表（请按工作表名或表头区分）")
                )
                continue
            table, table_errors = _table(kind, source, header, body, max_rows)
            tables.append(table)
            errors.extend(table_errors)
    except Exception as exc:  # a malformed part met while reading rows
        errors.append(RowError(path.name, None, None, f"工作簿内容有误：{type(exc).__name__}"))
    finally:
        book.close()
    return tables, errors


def read_tables(path: Path, *, max_rows: int = MAX_ROWS) -> list[RawTable]:
    """Every table in ``path`` (a CSV, an XLSX, or a folder of them), at most ``max_rows`` data
    rows each; raises ReadError."""
    if not path.exists():
        raise ReadError([RowError(str(path), None, None, "文件不存在")])
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in {".csv", ".xlsx"})
        if path.is_dir()
        else [path]
    )
    if not files:
        raise ReadError([RowError(str(path), None, None, "文件夹中没有 CSV 或 XLSX 文件")])
    tables: list[RawTable] = []
    errors: list[RowError] = []
    for file in files:
        if file.stat().st_size > MAX_BYTES:
            errors.append(RowError(file.name, None, None, "文件超过 50 MB"))
            continue
        suffix = file.suffix.lower()
        if suffix == ".csv":
            found, problems = _read_csv(file, max_rows)
        elif suffix == ".xlsx":
            found, problems = _read_xlsx(file, max_rows)
        else:
            found, problems = [], [RowError(file.name, None, None, "只支持 .csv 和 .xlsx 文件")]
        tables.extend(found)
        errors.extend(problems)
    if errors:
        raise ReadError(errors)
    return tables
