"""Reading import files into raw tables: CSV (one table each), XLSX (a sheet per table), folders."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from backend.imports.sheets import SHEET_ALIASES, SHEETS

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024


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


def _table(
    sheet: str, source: str, header: list[str], body: list[tuple[int, list[str]]]
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
            errors.append(RowError(source, 1, cell, "无法识别的列名"))
    missing = [c.label for c in spec.columns if c.required and c.name not in columns]
    if missing:
        errors.append(RowError(source, 1, None, "缺少必需的列：" + "、".join(missing)))
    table = RawTable(sheet, source)
    for number, cells in body:
        if not any((c or "").strip() for c in cells):
            continue
        if any((c or "").strip() for c in cells[len(columns) :]):
            errors.append(
                RowError(source, number, None, "本行的格子比表头多（含逗号的内容请加英文双引号）")
            )
            continue
        row = {
            col: (cells[i] if i < len(cells) else "").strip()
            for i, col in enumerate(columns)
            if col
        }
        table.rows.append((number, row))
        if len(table.rows) > MAX_ROWS:
            errors.append(RowError(source, number, None, f"行数超过上限 {MAX_ROWS}"))
            break
    return table, errors


def _read_csv(path: Path) -> tuple[list[RawTable], list[RowError]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [RowError(path.name, None, None, "文件编码无法识别（请用 UTF-8 或 GB18030）")]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], [RowError(path.name, None, None, "文件是空的")]
    header = rows[0]
    kind = _kind_from_name(path.stem) or _kind_from_header(header)
    if kind is None:
        return [], [RowError(path.name, 1, None, "无法判断这是哪张表（请按文件名或表头区分）")]
    table, errors = _table(kind, path.name, header, [(i + 2, r) for i, r in enumerate(rows[1:])])
    return [table], errors


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


def _read_xlsx(path: Path) -> tuple[list[RawTable], list[RowError]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        return [], [RowError(path.name, None, None, f"无法打开工作簿：{type(exc).__name__}")]
    tables: list[RawTable] = []
    errors: list[RowError] = []
    try:
        for ws in book.worksheets:
            rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
            if not rows:
                continue
            kind = _kind_from_name(ws.title) or _kind_from_header(rows[0])
            source = f"{path.name}[{ws.title}]"
            if kind is None:
                errors.append(
                    RowError(source, None, None, "无法判断这是哪张表（请按工作表名或表头区分）")
                )
                continue
            table, table_errors = _table(
                kind, source, rows[0], [(i + 2, r) for i, r in enumerate(rows[1:])]
            )
            tables.append(table)
            errors.extend(table_errors)
    finally:
        book.close()
    return tables, errors


def read_tables(path: Path) -> list[RawTable]:
    """Every table in ``path`` (a CSV, an XLSX, or a folder of them); raises ReadError."""
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
            found, problems = _read_csv(file)
        elif suffix == ".xlsx":
            found, problems = _read_xlsx(file)
        else:
            found, problems = [], [RowError(file.name, None, None, "只支持 .csv 和 .xlsx 文件")]
        tables.extend(found)
        errors.extend(problems)
    if errors:
        raise ReadError(errors)
    return tables
