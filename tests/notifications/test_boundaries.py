"""Notifications' tables are private to its store, and notifications reads no other context's
tables: case and people facts come from the events' payloads and the owners' stores."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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
