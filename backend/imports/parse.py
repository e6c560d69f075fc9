"""Turning raw rows into typed records, naming every bad cell with its row (nothing is applied)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from backend.catalogue.model import (
    CODE,
    MAX_FIELD_LENGTH,
    MAX_PATTERN_HINT,
    BundleSpec,
    FormField,
    MaterialSpec,
    field_rule_problems,
)
from backend.geo.hours import HoursError, parse_hours
from backend.geo.points import PointSpec
from backend.imports.reader import RawTable, RowError
from backend.imports.sheets import (
    CHANNEL_ALIASES,
    DATATYPE_ALIASES,
    DELIVERY_ALIASES,
    FALSE,
    ITEM_KIND_ALIASES,
    KIND_ALIASES,
    LEVEL_ALIASES,
    SENSITIVITY_ALIASES,
    SHEETS,
    TRUE,
)

T = TypeVar("T")
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_CODE = re.compile(f"^{CODE.pattern}$")  # the rule the catalogue pages apply to a new code
_AREA_CODE = re.compile(r"^\d{6}(\d{3}){0,2}$")


@dataclass(frozen=True, slots=True)
class Where:
    source: str
    row: int


@dataclass(frozen=True, slots=True)
class AreaRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None
    population: int | None
    where: Where


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    code: str
    name: str
    where: Where


@dataclass(frozen=True, slots=True)
class ItemRow:
    code: str
    name: str
    department_code: str
    lowest_level: str
    channels: tuple[str, ...]
    delegable: bool
    district_wide: bool
    legal_days: int
    committed_days: int
    fee: str
    delivery_methods: tuple[str, ...]
    keywords: tuple[str, ...]
    personal: bool
    kind: str | None
    """None: the column was blank (a new item is 公共服务, an existing one keeps its kind)."""
    effective_from: date | None
    where: Where


@dataclass(frozen=True, slots=True)
class MaterialRow:
    item_code: str
    spec: MaterialSpec
    order: int
    where: Where


@dataclass(frozen=True, slots=True)
class FormRow:
    item_code: str
    spec: FormField
    order: int
    where: Where


@dataclass(frozen=True, slots=True)
class BundleRow:
    spec: BundleSpec
    where: Where


@dataclass(frozen=True, slots=True)
class PointRow:
    spec: PointSpec
    where: Where


@dataclass(frozen=True, slots=True)
class HandleRow:
    point_code: str
    item_codes: tuple[str, ...]
    where: Where


@dataclass
class Batch:
    """Everything an import file says, typed; ``errors`` lists every problem found."""

    areas: list[AreaRow] = field(default_factory=list)
    departments: list[DepartmentRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    materials: list[MaterialRow] = field(default_factory=list)
    forms: list[FormRow] = field(default_factory=list)
    bundles: list[BundleRow] = field(default_factory=list)
    points: list[PointRow] = field(default_factory=list)
    handles: list[HandleRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "areas": len(self.areas),
            "departments": len(self.departments),
            "items": len(self.items),
            "materials": len(self.materials),
            "forms": len(self.forms),
            "bundles": len(self.bundles),
            "service_points": len(self.points),
            "handles": sum(len(h.item_codes) for h in self.handles),
        }


def _options(aliases: Mapping[str, str]) -> str:
    """The choices an administrator may write, in Chinese (each value's first Chinese name)."""
    names: dict[str, str] = {}
    for alias, value in aliases.items():
        if value not in names or (names[value].isascii() and not alias.isascii()):
            names[value] = alias
    return "、".join(names.values())


class _Row:
    """One raw row being read; each getter records an error instead of raising."""

    def __init__(
        self, table: RawTable, number: int, cells: Mapping[str, str], errors: list[RowError]
    ) -> None:
        self.table = table
        self.where = Where(table.source, number)
        self.cells = cells
        self.errors = errors
        self.labels = {c.name: c.label for c in SHEETS[table.sheet].columns}
        self.ok = True

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(
            RowError(self.table.source, self.where.row, self.labels.get(column, column), message)
        )

    def text(self, column: str, *, required: bool = True, max_len: int = 100) -> str:
        value = self.cells.get(column, "").strip()
        if required and not value:
            self.fail(column, "不能为空")
        elif len(value) > max_len:
            self.fail(column, f"不能超过 {max_len} 个字符")
        return value

    def code(self, column: str, pattern: re.Pattern[str] = _CODE) -> str:
        value = self.text(column, max_len=40)
        if value and not pattern.match(value):
            self.fail(column, f"编码“{value}”格式不对")
        return value

    def convert(self, column: str, convert: Callable[[str], T], default: T, message: str) -> T:
        value = self.cells.get(column, "").strip()
        if not value:
            return default
        try:
            return convert(value)
        except (ValueError, KeyError):
            self.fail(column, message.format(value=value))
            return default

    def integer(
        self, column: str, *, default: int | None = None, low: int = 0, high: int = 10**9
    ) -> int:
        if default is None and not self.cells.get(column, "").strip():
            self.fail(column, "不能为空")
            return 0
        value = self.convert(column, int, default or 0, "“{value}”不是整数")
        if not low <= value <= high:
            self.fail(column, f"须在 {low}–{high} 之间")
        return value

    def number(self, column: str, *, required: bool, low: float, high: float) -> float | None:
        if not self.cells.get(column, "").strip():
            if required:
                self.fail(column, "不能为空")
            return None
        value = self.convert(column, float, 0.0, "“{value}”不是数字")
        if not low <= value <= high:
            self.fail(column, f"须在 {low} 到 {high} 之间")
        return value

    def boolean(self, column: str, default: bool) -> bool:
        value = self.cells.get(column, "").strip().lower()
        if not value:
            return default
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        self.fail(column, f"“{value}”应为 是 或 否")
        return default

    def choice(self, column: str, aliases: Mapping[str, str], *, default: str | None = None) -> str:
        value = self.cells.get(column, "").strip()
        if not value and default is not None:
            return default
        found = aliases.get(value) or aliases.get(value.lower())
        if found is None:
            self.fail(column, f"“{value}”无效，可选：{_options(aliases)}")
            return ""
        return found

    def choices(
        self, column: str, aliases: Mapping[str, str], *, default: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        parts = [p for p in _SPLIT.split(self.cells.get(column, "").strip()) if p]
        if not parts:
            if not default:
                self.fail(column, "不能为空")
            return default
        out: list[str] = []
        for part in parts:
            found = aliases.get(part) or aliases.get(part.lower())
            if found is None:
                self.fail(column, f"“{part}”无效，可选：{_options(aliases)}")
            elif found not in out:
                out.append(found)
        return tuple(out)

    def words(self, column: str) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(p for p in _SPLIT.split(self.cells.get(column, "").strip()) if p)
        )

    def day(self, column: str) -> date | None:
        return self.convert(column, date.fromisoformat, None, "“{value}”不是日期（YYYY-MM-DD）")


def parse(tables: list[RawTable]) -> Batch:
    batch = Batch()
    for table in tables:
        for number, cells in table.rows:
            row = _Row(table, number, cells, batch.errors)
            _PARSERS[table.sheet](row, batch)
    _check_duplicates(batch)
    return batch


def _areas(r: _Row, b: Batch) -> None:
    code = r.code("code", _AREA_CODE)
    level = r.choice("level", LEVEL_ALIASES)
    parent = r.cells.get("parent_code", "").strip() or None
    if level and level != "district" and not parent:
        r.fail("parent_code", "镇街和村社须填写上级代码")
    if parent and code and not code.startswith(parent):
        r.fail("parent_code", "区划代码须以上级代码开头")
    row = AreaRow(
        code,
        r.text("name", max_len=64),
        level,
        parent,
        r.number("lat", required=False, low=-90, high=90),
        r.number("lng", required=False, low=-180, high=180),
        r.integer("population", default=0, high=50_000_000) or None,
        r.where,
    )
    if r.ok:
        b.areas.append(row)


def _departments(r: _Row, b: Batch) -> None:
    row = DepartmentRow(r.code("code"), r.text("name", max_len=64), r.where)
    if r.ok:
        b.departments.append(row)


def _items(r: _Row, b: Batch) -> None:
    legal = r.integer("legal_days", high=365)
    committed = r.integer("committed_days", high=365)
    if committed > legal:
        r.fail("committed_days", "承诺时限不能长于法定时限")
    row = ItemRow(
        code=r.code("code"),
        name=r.text("name"),
        department_code=r.code("department_code"),
        lowest_level=r.choice("lowest_level", LEVEL_ALIASES),
        channels=r.choices("channels", CHANNEL_ALIASES),
        delegable=r.boolean("delegable", True),
        district_wide=r.boolean("district_wide", False),
        legal_days=legal,
        committed_days=committed,
        fee=r.text("fee", required=False) or "不收费",
        delivery_methods=r.choices("delivery_methods", DELIVERY_ALIASES, default=("window",)),
        keywords=r.words("keywords"),
        personal=r.boolean("personal", True),
        kind=r.choice("item_kind", ITEM_KIND_ALIASES, default="") or None,
        effective_from=r.day("effective_from"),
        where=r.where,
    )
    if r.ok:
        b.items.append(row)


def _materials(r: _Row, b: Batch) -> None:
    original = r.cells.get("original", "").strip()
    is_original = True if not original else original in {"原件", "是", "true", "1", "y", "yes"}
    if original and original not in {
        "原件",
        "复印件",
        "是",
        "否",
        "true",
        "false",
        "1",
        "0",
        "y",
        "n",
        "yes",
        "no",
    }:
        r.fail("original", f"“{original}”应为 原件 或 复印件")
    spec = MaterialSpec(
        type=r.text("type", max_len=20),
        name=r.text("name", max_len=100),
        required=r.boolean("required", True),
        original=is_original,
        copies=r.integer("copies", default=0, high=20),
        exempt_if_shared=r.boolean("exempt_if_shared", False),
    )
    row = MaterialRow(r.code("item_code"), spec, r.integer("order", default=0, high=999), r.where)
    if r.ok:
        b.materials.append(row)


def _forms(r: _Row, b: Batch) -> None:
    name = r.text("name", max_len=40)
    if name and not re.match(r"^[a-z][a-z0-9_]*$", name):
        r.fail("name", "字段名须为小写英文、数字和下划线")
    datatype = r.choice("datatype", DATATYPE_ALIASES)
    sensitivity = _sensitivity(r, name)
    values = r.words("values")
    if datatype == "choice" and not values:
        r.fail("values", "选择题须列出选项")
    spec = FormField(
        name,
        r.text("label", max_len=40),
        datatype,
        sensitivity,
        r.boolean("required", True),
        values,
        r.integer("max_length", default=0, low=0, high=MAX_FIELD_LENGTH) or None,
        r.cells.get("pattern", "").strip() or None,
        r.text("pattern_hint", required=False, max_len=MAX_PATTERN_HINT),
    )
    problems = field_rule_problems(spec) if r.ok else []
    for problem in problems:
        r.fail("pattern", problem)
    row = FormRow(r.code("item_code"), spec, r.integer("order", default=0, high=999), r.where)
    if r.ok:
        b.forms.append(row)


def _sensitivity(r: _Row, name: str) -> str:
    """The field's sensitivity kind, stated in its row: a blank or unknown one names the field."""
    value = r.cells.get("sensitivity", "").strip()
    found = SENSITIVITY_ALIASES.get(value) or SENSITIVITY_ALIASES.get(value.lower())
    if found is None:
        kinds = "、".join(dict.fromkeys(SENSITIVITY_ALIASES.values()))
        said = f"“{value}”无效" if value else "未填写"
        r.fail("sensitivity", f"字段“{name or '（无名）'}”的敏感类别{said}，可选：{kinds}")
        return ""
    return found


def _bundles(r: _Row, b: Batch) -> None:
    codes = r.words("item_codes")
    if len(codes) < 2:
        r.fail("item_codes", "一件事至少包含两个事项")
    spec = BundleSpec(r.code("code"), r.text("name"), codes, r.words("keywords"))
    if r.ok:
        b.bundles.append(BundleRow(spec, r.where))


def _points(r: _Row, b: Batch) -> None:
    hours: dict[str, list[list[str]]] = {}
    try:
        hours = parse_hours(r.cells.get("hours", ""))
    except HoursError as exc:
        r.fail("hours", str(exc))
    spec = PointSpec(
        code=r.code("code"),
        name=r.text("name"),
        kind=r.choice("kind", KIND_ALIASES),
        area_code=r.code("area_code", _AREA_CODE),
        lat=r.number("lat", required=True, low=-90, high=90) or 0.0,
        lng=r.number("lng", required=True, low=-180, high=180) or 0.0,
        address=r.text("address", required=False, max_len=200),
        phone=r.text("phone", required=False, max_len=40),
        hours=hours,
    )
    if r.ok:
        b.points.append(PointRow(spec, r.where))


def _handles(r: _Row, b: Batch) -> None:
    codes = r.words("item_codes")
    if not codes:
        r.fail("item_codes", "不能为空")
    row = HandleRow(r.code("service_point_code"), codes, r.where)
    if r.ok:
        b.handles.append(row)


_PARSERS: dict[str, Callable[[_Row, Batch], None]] = {
    "areas": _areas,
    "departments": _departments,
    "items": _items,
    "materials": _materials,
    "forms": _forms,
    "bundles": _bundles,
    "service_points": _points,
    "handles": _handles,
}


def _check_duplicates(b: Batch) -> None:
    def dup(
        rows: list[T], key: Callable[[T], object], where: Callable[[T], Where], what: str
    ) -> None:
        seen: dict[object, Where] = {}
        for row in rows:
            k = key(row)
            if k in seen:
                w = where(row)
                b.errors.append(RowError(w.source, w.row, None, f"{what}与第 {seen[k].row} 行重复"))
            else:
                seen[k] = where(row)

    dup(b.areas, lambda r: r.code, lambda r: r.where, "区划代码")
    dup(b.departments, lambda r: r.code, lambda r: r.where, "部门编码")
    dup(b.items, lambda r: r.code, lambda r: r.where, "事项编码")
    dup(b.materials, lambda r: (r.item_code, r.spec.type), lambda r: r.where, "同一事项的材料类型")
    dup(b.forms, lambda r: (r.item_code, r.spec.name), lambda r: r.where, "同一事项的字段名")
    dup(b.bundles, lambda r: r.spec.code, lambda r: r.where, "一件事编码")
    dup(b.points, lambda r: r.spec.code, lambda r: r.where, "办事点编码")
