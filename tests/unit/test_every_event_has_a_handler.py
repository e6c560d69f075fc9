"""Every event kind the code publishes to the outbox has a handler in the worker.

A kind without a handler waits in ``outbox_event`` forever (``mandate.revoked`` and
``citizen.takeover_refused`` did). The published kinds are found by reading the source: every
``publish(kind=…)`` call, its kind resolved to the string constant it names (in the module or
imported from another). The handlers are those the worker's composition root registers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backend.worker import domain_handlers

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "agent_portal", "notifications")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


class _Module:
    def __init__(self, path: Path) -> None:
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants: dict[str, str] = {}
        self.imported: dict[str, tuple[str, str | None]] = {}  # local → (module, name)
        for node in self.tree.body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                self.constants[target.id] = value.value
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = (node.module, alias.name)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = (alias.name, None)


def _modules() -> dict[str, _Module]:
    return {
        _module_name(path): _Module(path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }


def _resolve(modules: dict[str, _Module], module: str, node: ast.expr) -> str | None:
    here = modules.get(module)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if here is None:
        return None
    if isinstance(node, ast.Name):
        if node.id in here.constants:
            return here.constants[node.id]
        source = here.imported.get(node.id)
        if source and source[1] is not None:
            return _resolve(modules, source[0], ast.Name(id=source[1]))
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        source = here.imported.get(node.value.id)
        if source is None:
            return None
        target = source[0] if source[1] is None else f"{source[0]}.{source[1]}"
        return _resolve(modules, target, ast.Name(id=node.attr))
    return None


def _published() -> tuple[set[str], list[str]]:
    """The kinds published, and the calls whose kind could not be read (named by place)."""
    modules = _modules()
    kinds: set[str] = set()
    unread: list[str] = []
    for name, module in modules.items():
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called != "publish":
                continue
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            resolved = _resolve(modules, name, kind) if kind is not None else None
            if resolved is None:
                unread.append(f"{name}:{node.lineno}")
            else:
                kinds.add(resolved)
    return kinds, unread


def test_every_published_event_kind_has_a_handler() -> None:
    kinds, unread = _published()
    assert unread == [], "publish calls whose kind is not a readable constant"
    assert {"case.forward", "case.event", "mandate.revoked", "citizen.takeover_refused"} <= kinds
    assert sorted(kinds - set(domain_handlers())) == []


def test_the_scan_resolves_imported_and_qualified_constants() -> None:
    modules = _modules()
    module = "notifications.planner"
    assert _resolve(modules, module, ast.Name(id="DELIVER")) == "message.deliver"
    assert _resolve(modules, "backend.cases.filing", ast.Name(id="FORWARD_EVENT")) == (
        "case.forward"
    )
