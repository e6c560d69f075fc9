"""The OpenAPI document is complete enough to generate a typed client from.

Every operation: a typed success body, its problem responses, Chinese summary and description,
examples; every schema property: a description and an example; no ``Any`` in a handler's
signature; ``Idempotency-Key`` declared wherever a handler honours it; public routes public.
Failures are listed per module, so each package's owner sees what is theirs.
"""

from __future__ import annotations

import ast
import inspect
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from backend.app import create_app
from backend.http.openapi import IDEMPOTENT_OPT, document
from backend.http.problem_codes import CODES
from backend.settings import load_settings

pytestmark = pytest.mark.unit

HAN = re.compile(r"[\u4e00-\u9fff]")
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(load_settings())


@pytest.fixture(scope="module")
def doc(app: Litestar) -> dict[str, Any]:
    return document(app)


def _handlers(app: Litestar) -> Iterator[tuple[HTTPRoute, HTTPRouteHandler, str]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.resolve_include_in_schema():
                for method in sorted(handler.http_methods):
                    yield route, handler, method.lower()


def _report(failures: dict[str, list[str]]) -> str:
    lines = []
    for module in sorted(failures):
        lines.append(f"{module}:")
        lines.extend(f"    {f}" for f in failures[module])
    return "\n".join(lines)


def _has_any(hint: Any) -> bool:
    if hint is Any:
        return True
    return any(_has_any(arg) for arg in typing.get_args(hint))


def test_no_any_in_a_handler_signature(app: Litestar) -> None:
    failures: dict[str, list[str]] = defaultdict(list)
    for route, handler, method in _handlers(app):
        hints = typing.get_type_hints(handler.fn, include_extras=True)
        bad = sorted(name for name, hint in hints.items() if _has_any(hint))
        if bad:
            failures[handler.fn.__module__].append(f"{method.upper()} {route.path}: {bad}")
    assert not failures, "Any in handler signatures:\n" + _report(failures)


def _module(app: Litestar, path: str, method: str) -> str:
    for route, handler, m in _handlers(app):
        if route.path_format == path and m == method:
            return str(handler.fn.__module__)
    return "?"


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_empty(schema: dict[str, Any], doc: dict[str, Any]) -> bool:
    schema = _resolve(schema, doc)
    if not schema:
        return True
    return schema.get("type") == "object" and not schema.get("properties")


def test_every_operation_is_described(app: Litestar, doc: dict[str, Any]) -> None:
    failures: dict[str, list[str]] = defaultdict(list)
    declared_tags = {t["name"] for t in doc.get("tags", [])}
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{method.upper()} {path}"
            wrong = []
            if not HAN.search(op.get("summary") or ""):
                wrong.append("no Chinese summary")
            description = (op.get("description") or "").split("\n\n适用：")[0]
            if not HAN.search(description.replace("公开接口，无需登录。", "")):
                wrong.append("no Chinese description")
            ok = {s: r for s, r in op["responses"].items() if s.startswith("2")}
            if not ok:
                wrong.append("no success response")
            for status, response in ok.items():
                if status == "204":
                    continue
                media = response.get("content", {})
                if not media:
                    wrong.append(f"{status}: empty success body")
                for name, m in media.items():
                    if name.endswith("json") and _is_empty(m.get("schema", {}), doc):
                        wrong.append(f"{status}: untyped success body")
                    if name.endswith("json") and "example" not in m and "examples" not in m:
                        wrong.append(f"{status}: no example")
            body = op.get("requestBody", {}).get("content", {})
            for name, m in body.items():
                if name.endswith("json") and "example" not in m and "examples" not in m:
                    wrong.append("request body: no example")
            if not any(s[0] in "45" for s in op["responses"]):
                wrong.append("no problem responses")
            tags = op.get("tags") or []
            if not tags or set(tags) - declared_tags:
                wrong.append(f"tags {tags} not among the document's tags")
            if wrong:
                failures[_module(app, path, method)].append(f"{where}: {', '.join(wrong)}")
    assert not failures, "operations not fully described:\n" + _report(failures)


def _free_form(schema: Any) -> bool:
    """An object with neither properties nor typed additional properties: untyped."""
    if not isinstance(schema, dict):
        return False
    if schema == {}:
        return True
    return (
        schema.get("type") == "object"
        and "properties" not in schema
        and schema.get("additionalProperties") in (None, True, {})
    )


def _struct_modules() -> dict[str, str]:
    import msgspec

    found: dict[str, str] = {}
    pending: list[type] = [msgspec.Struct]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        found.setdefault(cls.__name__, cls.__module__)
    return found


def test_every_schema_property_is_typed_described_and_exemplified(doc: dict[str, Any]) -> None:
    failures: dict[str, list[str]] = defaultdict(list)
    modules = _struct_modules()
    for name, schema in doc["components"]["schemas"].items():
        if name in ("Problem", "ProblemFieldError"):
            continue
        where = f"{modules.get(schema.get('title', name), '?')}"
        if not HAN.search(schema.get("description") or ""):
            failures[where].append(f"{name}: no Chinese description (Struct docstring)")
        for prop, spec in schema.get("properties", {}).items():
            wrong = []
            if _free_form(spec) or (spec.get("type") == "array" and _free_form(spec["items"])):
                wrong.append("untyped")
            if not HAN.search(spec.get("description") or ""):
                wrong.append("no Chinese description")
            if not _exemplified(spec):
                wrong.append("no example")
            if wrong:
                failures[where].append(f"{name}.{prop}: {', '.join(wrong)}")
    assert not failures, "schema properties:\n" + _report(failures)


def _exemplified(spec: dict[str, Any]) -> bool:
    """An example of its own, or one that follows from its type (enum, bool, a typed schema)."""
    if spec.get("examples") or "example" in spec or spec.get("enum") or "const" in spec:
        return True
    if spec.get("type") == "boolean" or "$ref" in spec:
        return True
    options = spec.get("oneOf") or spec.get("anyOf")
    if options:
        real = [o for o in options if o.get("type") != "null"]
        return all(_exemplified(o) for o in real)
    if spec.get("type") == "array":
        return _exemplified(spec.get("items", {}))
    return False


def test_every_problem_code_is_known_and_documented() -> None:
    raised = _codes_in_source()
    unknown = sorted(raised - CODES.keys())
    assert not unknown, f"codes raised but missing from backend/http/problem_codes.py: {unknown}"
    errors_md = (__import__("pathlib").Path(__file__).parents[2] / "docs" / "errors.md").read_text()
    undocumented = sorted(c for c in CODES if f"`{c}`" not in errors_md)
    assert not undocumented, f"codes missing from docs/errors.md: {undocumented}"


def _codes_in_source() -> set[str]:
    import pathlib

    root = pathlib.Path(__file__).parents[2]
    found: set[str] = set()
    for package in ("backend", "notifications"):
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    for kw in node.keywords:
                        if (
                            kw.arg == "code"
                            and isinstance(kw.value, ast.Constant)
                            and isinstance(kw.value.value, str)
                        ):
                            found.add(kw.value.value)
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if (
                        isinstance(target, ast.Name)
                        and target.id == "default_code"
                        and isinstance(node.value, ast.Constant)
                    ):
                        found.add(str(node.value.value))
    return found


def test_idempotency_key_is_declared_wherever_it_is_honoured(app: Litestar) -> None:
    failures: dict[str, list[str]] = defaultdict(list)
    for route, handler, method in _handlers(app):
        source = inspect.getsource(handler.fn)
        honours = "claim_of(" in source or "run_once(" in source
        declared = bool(handler.opt.get(IDEMPOTENT_OPT))
        if honours != declared:
            failures[handler.fn.__module__].append(
                f"{method.upper()} {route.path}: honours={honours} declared={declared}"
            )
    assert not failures, "Idempotency-Key:\n" + _report(failures)


def test_public_routes_need_no_token_and_the_others_do(app: Litestar, doc: dict[str, Any]) -> None:
    failures: dict[str, list[str]] = defaultdict(list)
    for route, handler, method in _handlers(app):
        op = doc["paths"][route.path_format][method]
        public = bool(handler.opt.get("exclude_from_auth"))
        says_public = op.get("security") == []
        if public != says_public:
            failures[handler.fn.__module__].append(
                f"{method.upper()} {route.path}: public={public} security={op.get('security')}"
            )
    assert not failures, "security:\n" + _report(failures)
