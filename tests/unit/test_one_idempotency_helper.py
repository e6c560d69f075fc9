"""Idempotency is done one way: every create route and portal form runs ``run_once``.

A module outside ``backend.idempotency`` that reads or writes the key table, or calls anything
of the service but the helper and its claim, would be a second way (and the race it loses is
the one ``tests/idempotency`` proves fixed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "agent_portal", "notifications")
OWNER = ROOT / "backend" / "idempotency"
ALLOWED = {
    "run_once",  # the helper
    "claim",  # a portal form's key → the helper's claim
    "Claim",
    "Answer",
    "seen_before",  # deduplicating pushed events, which have no answer to replay
    "purge_expired",  # the worker's cron
    "rewrite_stored_answers",  # masking forms in stored answers (privacy encrypt-forms)
    "ANSWERS_TABLE",  # vacuumed after that rewrite
}


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if OWNER not in path.parents
    ]


def _uses(tree: ast.AST) -> set[str]:
    """Names taken from ``backend.idempotency.service`` (imported or as ``module.name``)."""
    used: set[str] = set()
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "backend.idempotency.service":
            used |= {a.name for a in node.names}
        if isinstance(node, ast.ImportFrom) and node.module == "backend.idempotency":
            aliases |= {a.asname or a.name for a in node.names if a.name == "service"}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            used.add(node.attr)
    return used


def test_only_the_helper_is_used_outside_the_idempotency_package() -> None:
    offenders = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if (
            "IdempotencyKey" in text
            or "idempotency_key (" in text
            or "FROM idempotency_key" in text
        ):
            offenders[name] = "touches the idempotency_key table"
            continue
        extra = _uses(ast.parse(text)) - ALLOWED
        if extra:
            offenders[name] = f"calls {sorted(extra)}"
    assert offenders == {}


def test_the_scan_sees_the_routes_that_use_the_helper() -> None:
    using = {
        str(p.relative_to(ROOT))
        for p in _sources()
        if "run_once" in _uses(ast.parse(p.read_text(encoding="utf-8")))
    }
    assert {
        "backend/cases/service.py",
        "backend/window/service/walk_in.py",
        "backend/delegation/service.py",
        "backend/identity/staff_admin.py",
        "backend/workdays/service.py",
    } <= using
