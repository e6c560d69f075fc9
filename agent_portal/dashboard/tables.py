"""The dashboard's tables, built from ``backend.stats.schemas.Overview`` and nothing else.

One definition per table serves the page, the CSV and the XLSX export, so the three always show
the same rows and columns. Values stay raw here (a share is 0.0–1.0, ``None`` is "no data");
:func:`display` is how a person reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from agent_portal.dashboard import texts
from backend.stats.schemas import Overview, TownshipFigures

Cell = str | int | float | None

SORTS: Final = (
    "cases",
    "on_time_rate",
    "satisfaction",
    "delegated_share",
    "urges",
    "rectifications",
    "rectifications_overdue",
)
"""Columns the township league table can be sorted by."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    kind: str  # text | code | int | share | avg
    sortable: bool = False

    @property
    def label(self) -> str:
        return texts.COLUMNS[self.key]

    @property
    def definition(self) -> str:
        return texts.COLUMN_DEFINITIONS.get(self.key, "")

    @property
    def on_page(self) -> bool:
        """Codes go to the exports only (the page is read on a phone too)."""
        return self.kind != "code"


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]

    @property
    def title(self) -> str:
        return texts.TABLES[self.key][0]

    @property
    def page_columns(self) -> list[tuple[int, Column]]:
        return [(i, c) for i, c in enumerate(self.columns) if c.on_page]

    @property
    def definitions(self) -> list[tuple[str, str]]:
        """(label, definition) of each column the page shows: the table's 口径."""
        return [(c.label, c.definition) for _, c in self.page_columns if c.definition]


def display(value: Cell, kind: str) -> str:
    if value is None:
        return texts.NO_DATA
    if kind == "share" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == "avg" and isinstance(value, int | float):
        return f"{value:.2f}"
    return str(value)


LeagueColumn = tuple[Column, Callable[[TownshipFigures], Cell]]

LEAGUE: Final[tuple[LeagueColumn, ...]] = (
    (Column("township", "text"), lambda t: t.name),
    (Column("township_code", "code"), lambda t: t.code),
    (Column("cases", "int", sortable=True), lambda t: t.cases),
    (Column("items", "int"), lambda t: t.items),
    (Column("on_time_rate", "share", sortable=True), lambda t: t.on_time_rate),
    (Column("satisfaction", "avg", sortable=True), lambda t: t.satisfaction),
    (Column("ratings", "int"), lambda t: t.ratings),
    (Column("delegated_share", "share", sortable=True), lambda t: t.delegated_share),
    (Column("local_share", "share"), lambda t: t.local_share),
    (Column("urges", "int", sortable=True), lambda t: t.urges),
    (Column("rectifications", "int", sortable=True), lambda t: t.rectifications),
    (Column("rectifications_overdue", "int", sortable=True), lambda t: t.rectifications_overdue),
)
"""The township league: one (column, value of a township) pair per column, in order. A new
figure of a township (say, supervision's urges) is one more pair here and a label in
``texts.COLUMNS`` — the page, the CSV and the XLSX follow; add its key to ``SORTS`` to sort."""


def _townships(ov: Overview, sort: str, descending: bool) -> Table:
    columns = tuple(column for column, _ in LEAGUE)
    rows: list[tuple[Cell, ...]] = [tuple(value(f) for _, value in LEAGUE) for f in ov.by_township]
    at = next(i for i, c in enumerate(columns) if c.key == (sort if sort in SORTS else "cases"))
    return Table("townships", columns, sort_rows(rows, at, descending=descending, tie=1))


def sort_rows(
    rows: Sequence[tuple[Cell, ...]], at: int, *, descending: bool, tie: int
) -> list[tuple[Cell, ...]]:
    """Rows by column ``at`` (numbers), rows without a value last either way, then by ``tie``."""

    def number(row: tuple[Cell, ...]) -> float:
        value = row[at]
        return float(value) if isinstance(value, int | float) else 0.0

    known = [r for r in rows if r[at] is not None]
    unknown = sorted((r for r in rows if r[at] is None), key=lambda r: str(r[tie]))
    known.sort(key=lambda r: str(r[tie]))
    known.sort(key=number, reverse=descending)
    return known + unknown


def _items(ov: Overview, sort: str, descending: bool) -> Table:
    columns = (
        Column("item", "text"),
        Column("item_code", "code"),
        Column("item_cases", "int"),
        Column("on_time_rate", "share"),
        Column("satisfaction", "avg"),
        Column("ratings", "int"),
        Column("bad_share", "share"),
    )
    rows: list[tuple[Cell, ...]] = [
        (
            f.name,
            f.code,
            f.cases,
            f.on_time_rate,
            f.satisfaction.average,
            f.satisfaction.count,
            f.satisfaction.bad_share,
        )
        for f in ov.by_item
    ]
    return Table("items", columns, rows)


def _departments(ov: Overview, sort: str, descending: bool) -> Table:
    columns = (
        Column("department", "text"),
        Column("department_code", "code"),
        Column("item_cases", "int"),
    )
    return Table("departments", columns, [(f.name, f.code, f.cases) for f in ov.by_department])


def _days(ov: Overview, sort: str, descending: bool) -> Table:
    columns = (Column("date", "text"), Column("submitted", "int"), Column("closed", "int"))
    return Table("days", columns, [(d.date, d.submitted, d.closed) for d in ov.by_day])


BUILDERS: Final[dict[str, Callable[[Overview, str, bool], Table]]] = {
    "townships": _townships,
    "items": _items,
    "departments": _departments,
    "days": _days,
}


def build(ov: Overview, key: str, *, sort: str = "cases", descending: bool = True) -> Table:
    return BUILDERS[key](ov, sort, descending)


@dataclass(frozen=True, slots=True)
class Figure:
    """One headline figure; ``path`` is where the API's JSON holds it (``data-figure``)."""

    path: str
    label: str
    unit: str
    kind: str
    value: Cell
    note: str

    @property
    def definition(self) -> str:
        return texts.DEFINITIONS[self.path]

    @property
    def anchor(self) -> str:
        return "def-" + self.path.replace(".", "-").replace("_", "-")

    @property
    def text(self) -> str:
        return display(self.value, self.kind)

    @property
    def raw(self) -> str:
        """The value as the API's JSON has it, for ``data-value`` ("" for no data)."""
        return "" if self.value is None else str(self.value)


def _at(tree: dict[str, Any], path: str) -> Cell:
    node: Any = tree
    for part in path.split("."):
        node = node[part]
    return node if isinstance(node, str | int | float) else None


def figures(ov: Overview) -> list[Figure]:
    tree = msgspec.to_builtins(ov)
    notes: dict[str, dict[str, Cell]] = {
        "totals.cases": {
            "open": ov.totals.open,
            "closed": ov.totals.closed,
            "bundles": ov.totals.bundles,
            "bundle_items": ov.totals.bundle_items,
        },
        "totals.items": {
            "singles": ov.totals.items - ov.totals.bundle_items,
            "bundle_items": ov.totals.bundle_items,
        },
        "satisfaction.average": {
            "count": ov.satisfaction.count,
            "bad": display(ov.satisfaction.bad_share, "share"),
        },
        "trips_per_case.avg": {"count": ov.trips_per_case.cases},
        "coverage_30min.share": {
            "villages": ov.coverage_30min.villages,
            "covered": ov.coverage_30min.villages_fully_covered,
        },
    }
    return [
        Figure(
            path,
            label,
            unit,
            kind,
            _at(tree, path),
            texts.FIGURE_NOTES[path].format(**notes[path]) if path in notes else "",
        )
        for path, label, unit, kind in texts.FIGURES
    ]
