"""Notifications' tables are private to its store, and notifications reads no other context's
tables: case and people facts come from the events' payloads and the owners' stores."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from piccolo.table import Table

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
STORE_ONLY = {"notifications/piccolo_app.py"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def test_only_the_store_touches_the_notification_tables() -> None:
    reaching = [
        str(path.relative_to(ROOT))
        for path in _modules("notifications", "backend", "agent_portal")
        if "notifications.tables" in _imports(path)
        and not str(path.relative_to(ROOT)).startswith("notifications/store/")
        and str(path.relative_to(ROOT)) not in STORE_ONLY
    ]
    assert reaching == []


def test_notifications_import_no_other_context_tables() -> None:
    reaching = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in _imports(path)
            if name.startswith("backend.") and name.endswith(".tables")
        )
        for path in _modules("notifications")
    }
    assert {path: names for path, names in reaching.items() if names} == {}


def test_only_the_outbox_store_touches_the_outbox_table() -> None:
    allowed = {"backend/outbox/store.py", "backend/outbox/piccolo_app.py"}
    reaching = [
        str(path.relative_to(ROOT))
        for path in _modules("notifications", "backend", "agent_portal")
        if "backend.outbox.tables" in _imports(path) and str(path.relative_to(ROOT)) not in allowed
    ]
    assert reaching == []


SQL_CALLS = {"fetch", "fetchrow", "fetchval", "execute", "executemany", "raw"}
_SQL_TABLE = re.compile(r"(?<!FOR )\b(?:FROM|JOIN|UPDATE|INTO)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def test_notifications_write_sql_only_in_their_store() -> None:
    """Mandates, people and cases are read through their owners' stores (the planner and the
    agents' notices once joined ``mandate`` with ``staff_user`` and ``citizen`` themselves)."""
    found: list[str] = []
    for path in _modules("notifications"):
        if str(path.relative_to(ROOT)).startswith("notifications/store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "db"
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_store_sql_names_only_notification_tables() -> None:
    from notifications import tables

    own = {
        value._meta.tablename
        for value in vars(tables).values()
        if isinstance(value, type) and issubclass(value, Table) and value is not Table
    }
    named = {
        f"{path.relative_to(ROOT)}: {table}"
        for path in _modules("notifications/store")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for table in _SQL_TABLE.findall(node.value)
        if table.lower() not in own
    }
    assert named == set()
