"""Measure how far the code is from the rules of docs/architecture.md.

Run as ``.venv/bin/python scripts/architecture_counts.py [--json] [--verbose] [ROOT]``; ROOT
(default: this checkout) may be any checkout of the project, an older commit included. For each of
the three root packages (``backend``, ``agent_portal``, ``notifications``) it counts:

a. modules importing another context's ``tables`` (a context is a package with a ``tables.py``:
   ``backend/<ctx>/`` and ``notifications/``), and the import edges;
b. SQL statements outside store modules (``store.py``, ``store/``), by style: SQL text in string
   literals (asyncpg through ``backend.db`` or a connection), Piccolo ``.raw(...)``, and Piccolo
   query-builder calls on table classes;
c. ``Any`` expressions, from mypy's ``--any-exprs-report`` with the project's (strict) config;
d. route handlers and portal pages (functions decorated with Litestar's ``get``, ``post``,
   ``put``, ``patch``, ``delete``, ``route``) whose body is over 15 non-blank lines (docstring,
   decorators and signature not counted);
e. ``unit_of_work(...)`` opened outside use-case modules (``service.py``, ``service/``,
   ``jobs.py``, the worker's event handlers — a module that defines ``HANDLERS`` for the outbox
   runner — and ``backend/outbox`` itself);
f. import cycles between the second-level packages of each root package, found with grimp (the
   graph lint-imports checks).

The detectors (``sql_in_module``, ``handler_bodies``…) are plain functions over a module's source,
so tests/unit/test_architecture.py applies the same definitions.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOTS = ("backend", "agent_portal", "notifications")
HANDLER_LIMIT = 15
QUERY_BUILDER = frozenset({"select", "insert", "update", "delete", "objects", "count", "exists"})
ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "delete", "route"})
DB_CALLS = frozenset({"fetch", "fetchrow", "fetchval", "execute", "executemany"})

# A string literal holds SQL when it starts like a statement. Keywords are upper case in this
# code base, which keeps prose ("select a desk…") out.
SQL_START = re.compile(
    r"""^\s*(?:
        SELECT\b
      | INSERT\s+INTO\s
      | UPDATE\s+\S+(?:\s+(?:AS\s+)?\w+)?\s+SET\s
      | DELETE\s+FROM\s
      | WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\s+(?:(?:NOT\s+)?MATERIALIZED\s+)?\(
      | TRUNCATE\s
      | LOCK\s+TABLE\s
      | VACUUM\b
      | ANALYZE\s
      | (?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?
          (?:TABLE|INDEX|UNIQUE\s+INDEX|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|FUNCTION|TRIGGER)\s
      | REFRESH\s+MATERIALIZED\s+VIEW\s
      | SET\s+(?:LOCAL\s+)?\w+\s*(?:=|TO\s)
      | COPY\s
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class SourceModule:
    """One Python module of a checkout."""

    name: str
    path: Path
    rel: str
    tree: ast.Module
    text: str

    @property
    def root(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))


def is_store_module(name: str) -> bool:
    """``<ctx>.store`` or anything inside a ``store`` package."""
    return "store" in name.split(".")[1:]


def handles_events(tree: ast.Module) -> bool:
    """A module of the worker's event handlers (it defines ``HANDLERS`` for the outbox runner):
    each handler is a use case of the worker and opens its own unit of work."""
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == "HANDLERS" for t in targets):
            return True
    return False


def is_use_case_module(name: str) -> bool:
    """Modules where a use case may open its unit of work."""
    parts = name.split(".")
    return "service" in parts[1:] or parts[-1] == "jobs" or parts[:2] == ["backend", "outbox"]


def module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def load_modules(root: Path) -> list[SourceModule]:
    modules = []
    for package in ROOTS:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            text = path.read_text(encoding="utf-8")
            modules.append(
                SourceModule(
                    name=module_name(root, path),
                    path=path,
                    rel=str(path.relative_to(root)),
                    tree=ast.parse(text, filename=str(path)),
                    text=text,
                )
            )
    return modules


def contexts(root: Path) -> list[str]:
    """Packages that own tables: ``backend.<ctx>`` and ``notifications``."""
    found = [f"backend.{p.parent.name}" for p in sorted((root / "backend").glob("*/tables.py"))]
    if (root / "notifications" / "tables.py").exists():
        found.append("notifications")
    return found


# --- b. SQL -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlStatement:
    style: str  # "asyncpg" (SQL text), "raw" (Piccolo .raw) or "query builder"
    line: int
    text: str


def _docstring_nodes(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def _string_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
    return None


def is_sql(text: str) -> bool:
    return SQL_START.match(text) is not None


def table_names(modules: Iterable[SourceModule]) -> frozenset[str]:
    """Class names defined in the contexts' ``tables`` modules."""
    names: set[str] = set()
    for module in modules:
        if module.parts[-1] == "tables":
            names.update(n.name for n in module.tree.body if isinstance(n, ast.ClassDef))
    return frozenset(names)


def _local_table_names(tree: ast.Module, tables: frozenset[str]) -> set[str]:
    """Names a module binds to table classes (``from x.tables import Case as C`` binds ``C``)."""
    local = set(tables)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "tables":
            for alias in node.names:
                if alias.name in tables:
                    local.add(alias.asname or alias.name)
    return local


def _is_table(node: ast.expr, local: set[str], tables: frozenset[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in local
    if isinstance(node, ast.Attribute):  # tables.Case.select()
        return node.attr in tables and isinstance(node.value, ast.Name)
    return False


def _strings_fed_to(tree: ast.Module, names: set[str]) -> set[int]:
    """String nodes bound to ``names``, directly or through a ``for`` loop over a constant.

    ``Case.raw(statement)`` in ``for statement in _PURGE`` is one ``.raw`` statement; the strings
    of ``_PURGE`` are its text, not statements of their own.
    """
    names = set(names)
    for _ in range(2):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.For)
                and isinstance(node.target, ast.Name)
                and node.target.id in names
                and isinstance(node.iter, ast.Name)
            ):
                names.add(node.iter.id)
    found: set[int] = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            targets, value = [node.target], node.iter
        if value is not None and any(isinstance(t, ast.Name) and t.id in names for t in targets):
            strings = (n for n in ast.walk(value) if isinstance(n, ast.Constant | ast.JoinedStr))
            found.update(id(n) for n in strings)
    return found


def sql_text_lines(tree: ast.Module) -> list[int]:
    """Lines of the string literals that hold SQL, in whatever style they are run."""
    docstrings = _docstring_nodes(tree)
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant | ast.JoinedStr)
        and id(node) not in docstrings | inner
        and is_sql(_string_text(node) or "")
    )


def raw_calls(tree: ast.Module) -> list[int]:
    """Lines of every ``.raw(...)`` call (Piccolo's raw SQL; nothing else here is named so)."""
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "raw"
    )


def sql_in_module(tree: ast.Module, tables: frozenset[str]) -> list[SqlStatement]:
    """Every SQL statement of a module: SQL text, ``.raw(...)`` and query-builder calls."""
    local = _local_table_names(tree, tables)
    docstrings = _docstring_nodes(tree)
    found: list[SqlStatement] = []
    raw_args: set[int] = set()
    raw_names: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        if method == "raw" and (
            _is_table(receiver, local, tables)
            or (
                node.args
                and (_string_text(node.args[0]) or "")
                and is_sql(_string_text(node.args[0]) or "")
            )
        ):
            text = _string_text(node.args[0]) if node.args else None
            if node.args:
                raw_args.add(id(node.args[0]))
                if isinstance(node.args[0], ast.Name):
                    raw_names.add(node.args[0].id)
            found.append(SqlStatement("raw", node.lineno, (text or "").strip()))
        elif method in QUERY_BUILDER and _is_table(receiver, local, tables):
            name = receiver.id if isinstance(receiver, ast.Name) else ast.unparse(receiver)
            found.append(SqlStatement("query builder", node.lineno, f"{name}.{method}(…)"))
    skip: set[int] = set(docstrings) | raw_args | _strings_fed_to(tree, raw_names)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Constant | ast.JoinedStr):
            continue
        text = _string_text(node)
        if text is not None and is_sql(text):
            found.append(SqlStatement("asyncpg", node.lineno, " ".join(text.split())))
    return sorted(found, key=lambda s: s.line)


# --- d. handlers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    module: str
    name: str
    line: int
    body_lines: int


def _litestar_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to Litestar's route decorators, and names bound to the litestar module."""
    decorators, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("litestar"):
            for alias in node.names:
                if alias.name in ROUTE_DECORATORS:
                    decorators.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "litestar":
                    modules.add(alias.asname or "litestar")
    return decorators, modules


def _is_route_decorator(node: ast.expr, decorators: set[str], modules: set[str]) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Name):
        return target.id in decorators
    return (
        isinstance(target, ast.Attribute)
        and target.attr in ROUTE_DECORATORS
        and isinstance(target.value, ast.Name)
        and target.value.id in modules
    )


def body_line_count(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Non-blank lines of a function's body, its docstring left out."""
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    start, end = body[0].lineno, node.end_lineno or body[-1].lineno
    return sum(1 for line in lines[start - 1 : end] if line.strip())


def handler_bodies(module: SourceModule) -> list[Handler]:
    decorators, litestar_modules = _litestar_names(module.tree)
    if not decorators and not litestar_modules:
        return []
    lines = module.text.splitlines()
    return [
        Handler(module.name, node.name, node.lineno, body_line_count(node, lines))
        for node in ast.walk(module.tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(_is_route_decorator(d, decorators, litestar_modules) for d in node.decorator_list)
    ]


# --- e. unit_of_work ----------------------------------------------------------------------------


def unit_of_work_calls(tree: ast.Module) -> list[int]:
    """Lines where ``unit_of_work(...)`` is called."""
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "unit_of_work")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "unit_of_work")
        )
    )


# --- a. and f. the import graph -----------------------------------------------------------------


def build_graph(root: Path) -> Any:
    """The grimp graph lint-imports checks (type-checking imports left out, as configured)."""
    sys.path.insert(0, str(root))
    try:
        import grimp

        return grimp.build_graph(*ROOTS, exclude_type_checking_imports=True, cache_dir=None)
    finally:
        sys.path.remove(str(root))


@dataclass(frozen=True)
class TableImport:
    importer: str
    imported: str
    lines: tuple[int, ...]


def foreign_table_imports(graph: Any, context_names: list[str]) -> list[TableImport]:
    found = []
    for context in context_names:
        tables = f"{context}.tables"
        if tables not in graph.modules:
            continue
        for importer in sorted(graph.find_modules_that_directly_import(tables)):
            if importer == context or importer.startswith(f"{context}."):
                continue
            details = graph.get_import_details(importer=importer, imported=tables)
            lines = tuple(sorted({d["line_number"] for d in details}))
            found.append(TableImport(importer, tables, lines))
    return found


@dataclass(frozen=True)
class Cycle:
    first: str
    second: str
    forward: tuple[tuple[str, str], ...]  # imports first -> second
    backward: tuple[tuple[str, str], ...]  # imports second -> first


def _child(module: str, depth: int) -> str:
    return ".".join(module.split(".")[:depth])


def sibling_edges(graph: Any, package: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Imports between the children of ``package``, grouped by (child, child)."""
    depth = package.count(".") + 2
    edges: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for importer in graph.find_descendants(package) | {package}:
        if importer == package:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if not (imported == package or imported.startswith(f"{package}.")):
                continue
            if imported == package:
                continue
            a, b = _child(importer, depth), _child(imported, depth)
            if a != b:
                edges[(a, b)].append((importer, imported))
    return edges


def mutual_cycles(graph: Any, package: str) -> list[Cycle]:
    edges = sibling_edges(graph, package)
    return [
        Cycle(a, b, tuple(sorted(edges[(a, b)])), tuple(sorted(edges[(b, a)])))
        for (a, b) in sorted(edges)
        if a < b and (b, a) in edges
    ]


def strongly_connected(graph: Any, package: str) -> list[list[str]]:
    """Groups of siblings that reach each other (cycles longer than two included)."""
    edges = sibling_edges(graph, package)
    nodes = sorted({n for pair in edges for n in pair})
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        out[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:  # Tarjan; the sibling graph is small
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(out[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in nodes:
        if node not in index:
            visit(node)
    return sorted(groups)


# --- c. Any expressions -------------------------------------------------------------------------


@dataclass
class AnyCounts:
    anys: int = 0
    exprs: int = 0

    @property
    def coverage(self) -> float:
        return 100.0 * (self.exprs - self.anys) / self.exprs if self.exprs else 100.0


def any_expressions(root: Path) -> dict[str, AnyCounts]:
    """Per root package and in total, from mypy's any-exprs report (its own cache, strict)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(root / "pyproject.toml"),
            "--cache-dir",
            str(Path(tmp) / "cache"),
            "--any-exprs-report",
            str(Path(tmp) / "report"),
            *(arg for package in ROOTS for arg in ("-p", package)),
        ]
        done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            command, cwd=root, capture_output=True, text=True, check=False
        )
        report = Path(tmp) / "report" / "any-exprs.txt"
        if not report.exists():
            raise RuntimeError(f"mypy wrote no report:\n{done.stdout}\n{done.stderr}")
        counts: dict[str, AnyCounts] = {p: AnyCounts() for p in (*ROOTS, "total")}
        for line in report.read_text().splitlines():
            cells = line.split()
            if len(cells) != 4 or not cells[1].isdigit():
                continue
            name, anys, exprs = cells[0], int(cells[1]), int(cells[2])
            target = "total" if name == "Total" else name.split(".", 1)[0]
            if target in counts:
                counts[target].anys += anys
                counts[target].exprs += exprs
        return counts


# --- the whole measure --------------------------------------------------------------------------


@dataclass
class Figures:
    commit: str
    foreign_tables: list[TableImport] = field(default_factory=list)
    sql: dict[str, list[SqlStatement]] = field(default_factory=dict)  # module -> statements
    anys: dict[str, AnyCounts] = field(default_factory=dict)
    handlers: list[Handler] = field(default_factory=list)
    units_of_work: dict[str, list[int]] = field(default_factory=dict)  # module -> lines
    cycles: dict[str, list[Cycle]] = field(default_factory=dict)  # root package -> cycles
    groups: dict[str, list[list[str]]] = field(default_factory=dict)
    cycle_breakers: dict[str, int] = field(default_factory=dict)


def commit_of(root: Path) -> str:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "-C", str(root), "log", "-1", "--format=%h (%cs)"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "(not a git checkout)"


def measure(root: Path, *, with_mypy: bool = True) -> Figures:
    modules = load_modules(root)
    tables = table_names(modules)
    graph = build_graph(root)
    figures = Figures(commit=commit_of(root))
    figures.foreign_tables = foreign_table_imports(graph, contexts(root))
    for module in modules:
        if not is_store_module(module.name):
            statements = sql_in_module(module.tree, tables)
            if statements:
                figures.sql[module.name] = statements
        figures.handlers.extend(handler_bodies(module))
        if not is_use_case_module(module.name) and not handles_events(module.tree):
            calls = unit_of_work_calls(module.tree)
            if calls:
                figures.units_of_work[module.name] = calls
    for package in ROOTS:
        figures.cycles[package] = mutual_cycles(graph, package)
        figures.groups[package] = strongly_connected(graph, package)
        figures.cycle_breakers[package] = len(graph.nominate_cycle_breakers(package))
    if with_mypy:
        figures.anys = any_expressions(root)
    return figures


def _per_root(names: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys((*ROOTS, "total"), 0)
    for name in names:
        counts[name.split(".", 1)[0]] += 1
        counts["total"] += 1
    return counts


def summary(figures: Figures) -> dict[str, dict[str, Any]]:
    """The numbers, per root package and in total."""
    rows: dict[str, dict[str, Any]] = {}
    rows["a. modules importing another context's tables"] = _per_root(
        {t.importer for t in figures.foreign_tables}
    )
    rows["a. import edges to another context's tables"] = _per_root(
        t.importer for t in figures.foreign_tables
    )
    all_sql = [(m, s) for m, statements in figures.sql.items() for s in statements]
    rows["b. SQL statements outside stores"] = _per_root(m for m, _ in all_sql)
    for style in ("asyncpg", "raw", "query builder"):
        rows[f"b.   of which {style}"] = _per_root(m for m, s in all_sql if s.style == style)
    rows["b. files with SQL outside stores"] = _per_root(figures.sql)
    rows["b. files mixing SQL styles"] = _per_root(
        m for m, statements in figures.sql.items() if len({s.style for s in statements}) > 1
    )
    if figures.anys:
        rows["c. Any expressions (mypy)"] = {k: v.anys for k, v in figures.anys.items()}
        rows["c. expressions (mypy)"] = {k: v.exprs for k, v in figures.anys.items()}
        rows["c. typed coverage %"] = {k: round(v.coverage, 2) for k, v in figures.anys.items()}
    rows["d. handlers"] = _per_root(h.module for h in figures.handlers)
    rows[f"d. handlers over {HANDLER_LIMIT} body lines"] = _per_root(
        h.module for h in figures.handlers if h.body_lines > HANDLER_LIMIT
    )
    rows["e. unit_of_work outside use cases: calls"] = _per_root(
        m for m, lines in figures.units_of_work.items() for _ in lines
    )
    rows["e. unit_of_work outside use cases: modules"] = _per_root(figures.units_of_work)
    cycles = {p: len(c) for p, c in figures.cycles.items()}
    rows["f. mutual imports between sibling packages"] = {
        **cycles,
        "total": sum(cycles.values()),
    }
    grouped = {p: sum(len(g) for g in groups) for p, groups in figures.groups.items()}
    rows["f. sibling packages caught in a cycle"] = {**grouped, "total": sum(grouped.values())}
    rows["f. imports to remove to break every cycle"] = {
        **figures.cycle_breakers,
        "total": sum(figures.cycle_breakers.values()),
    }
    return rows


def details(figures: Figures, *, verbose: bool) -> Iterator[str]:
    yield "f. cycles between sibling packages (imports each way):"
    for package in ROOTS:
        for cycle in figures.cycles[package]:
            yield (
                f"   {cycle.first} <-> {cycle.second} "
                f"({len(cycle.forward)} / {len(cycle.backward)})"
            )
            if verbose:
                for importer, imported in (*cycle.forward, *cycle.backward):
                    yield f"       {importer} -> {imported}"
        for group in figures.groups[package]:
            if len(group) > 2:
                yield f"   cycle through {len(group)} packages: {', '.join(group)}"
    if not verbose:
        return
    yield "a. imports of another context's tables:"
    for t in figures.foreign_tables:
        yield f"   {t.importer} -> {t.imported} (line {', '.join(map(str, t.lines))})"
    yield "b. SQL outside stores (asyncpg / raw / query builder):"
    for module, statements in sorted(figures.sql.items()):
        by_style = [sum(1 for s in statements if s.style == k) for k in ("asyncpg", "raw")]
        builder = sum(1 for s in statements if s.style == "query builder")
        yield f"   {module}: {by_style[0]} / {by_style[1]} / {builder}"
    yield f"d. handlers over {HANDLER_LIMIT} body lines:"
    for h in sorted(figures.handlers, key=lambda h: (h.module, h.line)):
        if h.body_lines > HANDLER_LIMIT:
            yield f"   {h.module}.{h.name} (line {h.line}): {h.body_lines}"
    yield "e. unit_of_work outside use cases:"
    for module, lines in sorted(figures.units_of_work.items()):
        yield f"   {module}: line {', '.join(map(str, lines))}"


def as_json(figures: Figures) -> dict[str, Any]:
    return {
        "commit": figures.commit,
        "figures": summary(figures),
        "cycles": [
            {"between": [c.first, c.second], "imports": [len(c.forward), len(c.backward)]}
            for package in ROOTS
            for c in figures.cycles[package]
        ],
        "cycle_groups": [group for package in ROOTS for group in figures.groups[package]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--verbose", action="store_true", help="list what each number counts")
    parser.add_argument("--no-mypy", action="store_true", help="skip the Any count (c)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    figures = measure(root, with_mypy=not args.no_mypy)
    if args.json:
        sys.stdout.write(json.dumps(as_json(figures), indent=2, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Architecture counts at {figures.commit}", title_justify="left")
    table.add_column("measure")
    for column in (*ROOTS, "total"):
        table.add_column(column, justify="right")
    for label, counts in summary(figures).items():
        table.add_row(label, *(str(counts[c]) for c in (*ROOTS, "total")))
    console = Console(width=120)
    console.print(table)
    for line in details(figures, verbose=args.verbose):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
