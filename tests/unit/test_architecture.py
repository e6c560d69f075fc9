"""The rules of docs/architecture.md that import-linter cannot see.

Each check reads a module-level ``ALLOWED_…`` set: the offenders found when the check was
written. The sets only shrink — never add to them; take a module out when it is fixed. They are
emptied once the restructuring has landed. The detectors are the ones
``scripts/architecture_counts.py`` counts with, so the test and the figures agree.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _load_counts() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "architecture_counts", ROOT / "scripts" / "architecture_counts.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


counts = _load_counts()
MODULES = counts.load_modules(ROOT)

# (context, missing part) -> why it may be missing. Only shrinks.
ALLOWED_MISSING_PARTS: dict[tuple[str, str], str] = {}

# Modules calling Piccolo's `.raw(...)`. Only shrinks.
ALLOWED_RAW: frozenset[str] = frozenset()

# Modules outside a store whose string literals hold SQL (`.raw` text included). Only shrinks.
ALLOWED_SQL_TEXT: frozenset[str] = frozenset()


def _has_part(context: str, part: str) -> bool:
    package = ROOT.joinpath(*context.split("."))
    return (package / f"{part}.py").exists() or (package / part / "__init__.py").exists()


def test_every_context_has_the_same_parts() -> None:
    """Every context has tables and a store; one with routes also has a service."""
    missing = []
    for context in counts.contexts(ROOT):
        needed = ["tables", "store"]
        if _has_part(context, "routes"):
            needed.append("service")
        missing += [
            f"{context}.{part}"
            for part in needed
            if not _has_part(context, part) and (context, part) not in ALLOWED_MISSING_PARTS
        ]
    assert not missing, f"contexts lack parts (docs/architecture.md, Contexts): {missing}"


def test_handlers_are_thin() -> None:
    """Parse, call one use case, present: no handler or page body over 15 lines."""
    long = [
        f"{h.module}.{h.name} ({h.body_lines} lines)"
        for module in MODULES
        for h in counts.handler_bodies(module)
        if h.body_lines > counts.HANDLER_LIMIT
    ]
    assert long == []


def test_only_use_cases_open_a_unit_of_work() -> None:
    """Handlers, pages and helpers never open a transaction: the use case owns it."""
    outside = [
        f"{module.name}: line {line}"
        for module in MODULES
        if not counts.is_use_case_module(module.name) and not counts.handles_events(module.tree)
        for line in counts.unit_of_work_calls(module.tree)
    ]
    assert outside == []


def test_no_piccolo_raw() -> None:
    found = {
        f"{m.rel}:{line}"
        for m in MODULES
        if m.name not in ALLOWED_RAW
        for line in counts.raw_calls(m.tree)
    }
    assert not found, f".raw() is not used; SQL goes through backend.db in a store: {found}"


def test_no_sql_text_outside_stores() -> None:
    found = {
        f"{m.rel}:{line}"
        for m in MODULES
        if not counts.is_store_module(m.name) and m.name not in ALLOWED_SQL_TEXT
        for line in counts.sql_text_lines(m.tree)
    }
    assert not found, f"SQL text belongs in the context's store: {found}"


# The detectors themselves.


def _tree(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 1",
        "\n    SELECT id FROM case_record WHERE id = $1",
        "INSERT INTO audit_event (id) VALUES ($1)",
        "UPDATE case_record c SET status = $2 WHERE c.id = $1",
        "DELETE FROM upload WHERE id = ANY($1)",
        "WITH due AS (SELECT 1) SELECT * FROM due",
        "LOCK TABLE case_record IN SHARE MODE",
    ],
)
def test_sql_is_recognised(text: str) -> None:
    assert counts.is_sql(text)


@pytest.mark.parametrize(
    "text",
    ["选择办事大厅", "select a desk", "DELETE", "UPDATE and DELETE are refused", "Select the item"],
)
def test_prose_is_not_sql(text: str) -> None:
    assert not counts.is_sql(text)


def test_sql_statements_by_style() -> None:
    tree = _tree(
        '''
        """SELECT in a docstring is prose."""
        from backend.cases.tables import Case as C

        _PURGE = ("DELETE FROM a WHERE id = {}", "DELETE FROM b WHERE id = {}")

        async def f(conn):
            await conn.fetch("SELECT 1")
            await C.select(C.id).where(C.id == 1)
            await C.raw("SELECT * FROM case_record").run()
            for statement in _PURGE:
                await C.raw(statement, 1).run()
            await other.select()
        '''
    )
    styles = [s.style for s in counts.sql_in_module(tree, frozenset({"Case"}))]
    assert sorted(styles) == ["asyncpg", "query builder", "raw", "raw"]


def test_handler_body_lines() -> None:
    source = textwrap.dedent(
        '''
        from litestar import get, post

        @get("/a")
        async def a(x: int) -> int:
            """Docstring, not counted."""

            y = x + 1

            return y

        @post(
            "/b",
        )
        async def b() -> None:
            pass

        def helper() -> None:
            pass
        '''
    )
    module = counts.SourceModule("backend.x.routes", Path("x"), "x", ast.parse(source), source)
    assert [(h.name, h.body_lines) for h in counts.handler_bodies(module)] == [("a", 2), ("b", 1)]


def test_unit_of_work_calls_and_use_case_modules() -> None:
    tree = _tree(
        """
        async def f(doorbell):
            async with unit_of_work(doorbell):
                pass
            async with outbox.unit_of_work(doorbell):
                pass
        """
    )
    assert len(counts.unit_of_work_calls(tree)) == 2
    assert counts.is_use_case_module("backend.cases.service")
    assert counts.is_use_case_module("backend.delegation.service.filing")
    assert counts.is_use_case_module("backend.supervision.jobs")
    assert counts.is_use_case_module("backend.outbox.runner")
    assert not counts.is_use_case_module("agent_portal.window.pages")
    assert counts.is_store_module("backend.cases.store.locks")
    assert not counts.is_store_module("backend.cases.queries")
