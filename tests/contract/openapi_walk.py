"""Reading an OpenAPI 3.1 document the way a generated client sees it.

``$ref`` is followed; ``allOf``/``oneOf``/``anyOf`` branches are merged (a nullable field is a
``oneOf`` with ``null``); arrays are seen through, so ``materials.type`` names the ``type`` of each
item of ``materials``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Schema = dict[str, Any]
METHODS = ("get", "post", "put", "patch", "delete")


def template(path: str) -> str:
    """``/api/v1/mandates/{mandate_id}/confirm`` → ``/api/v1/mandates/{}/confirm``: clients
    fill in a path parameter by position, never by its name."""
    return re.sub(r"\{[^}]*\}", "{}", path)


class Walker:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.operations: dict[tuple[str, str], dict[str, Any]] = {}
        for path, item in doc["paths"].items():
            for method, operation in item.items():
                if method in METHODS:
                    self.operations[(method.upper(), template(path))] = operation

    def resolve(self, schema: Schema) -> Schema:
        seen = 0
        while "$ref" in schema and seen < 50:
            name = schema["$ref"].removeprefix("#/components/schemas/")
            schema = self.doc["components"]["schemas"][name]
            seen += 1
        return schema

    def branches(self, schema: Schema) -> Iterator[Schema]:
        """The schema and every schema it stands for: its branches and its arrays' items."""
        schema = self.resolve(schema)
        yield schema
        for key in ("allOf", "oneOf", "anyOf"):
            for branch in schema.get(key, []):
                yield from self.branches(branch)
        if isinstance(schema.get("items"), dict):
            yield from self.branches(schema["items"])

    def properties(self, schema: Schema) -> dict[str, list[Schema]]:
        """Each property name → its schemas in every branch (``allOf`` narrows in several)."""
        found: dict[str, list[Schema]] = {}
        for branch in self.branches(schema):
            for name, sub in branch.get("properties", {}).items():
                found.setdefault(name, []).append(sub)
        return found

    def field(self, schemas: list[Schema], dotted: str) -> list[Schema]:
        """The schemas of ``dotted`` (``filed_by.kind``) within any of ``schemas``."""
        for name in dotted.split("."):
            schemas = [sub for s in schemas for sub in self.properties(s).get(name, [])]
        return schemas

    def values(self, schema: Schema) -> set[Any]:
        """The values an enumeration allows (``enum`` and ``const`` in any branch)."""
        found: set[Any] = set()
        for branch in self.branches(schema):
            found.update(branch.get("enum", []))
            if "const" in branch:
                found.add(branch["const"])
        return found

    def text(self, schema: Schema) -> str:
        return " ".join(str(b.get("description", "")) for b in self.branches(schema))

    def request_schemas(self, operation: dict[str, Any]) -> list[Schema]:
        content = operation.get("requestBody", {}).get("content", {})
        return [media["schema"] for media in content.values() if "schema" in media]

    def success_schemas(self, operation: dict[str, Any]) -> list[Schema]:
        return [
            media["schema"]
            for status, answer in operation["responses"].items()
            if status.startswith("2")
            for media in answer.get("content", {}).values()
            if "schema" in media
        ]

    def typed(self, schema: Schema) -> bool:
        """False for ``{}`` and a free-form object: a client would see ``unknown``."""
        schema = self.resolve(schema)
        return any(
            b.get("properties") or b.get("type") not in (None, "object") or "enum" in b
            for b in self.branches(schema)
        )

    def problem_codes(self, operation: dict[str, Any]) -> dict[str, set[str]]:
        """Status → the ``code`` values its problem document lists."""
        codes: dict[str, set[str]] = {}
        for status, answer in operation["responses"].items():
            for media in answer.get("content", {}).values():
                for code in self.field([media.get("schema", {})], "code"):
                    codes.setdefault(status, set()).update(self.values(code))
        return codes

    def query(self, operation: dict[str, Any]) -> dict[str, Schema]:
        return {
            p["name"]: p.get("schema", {})
            for p in operation.get("parameters", [])
            if p.get("in") == "query"
        }

    def headers(self, operation: dict[str, Any]) -> set[str]:
        return {
            p["name"].lower() for p in operation.get("parameters", []) if p.get("in") == "header"
        }
