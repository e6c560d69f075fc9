"""One pass over every operation of the OpenAPI document, shared by the two tests.

For each operation, in the order of ``rules.RULES``: its ``prepare`` step; every other
principal's call (must be refused, nothing changed); on reads, each peer's call (must succeed
without the owner's ``marker``); the hostile inputs sent as the rightful
principal on its own object (no 5xx, no 429, a refusal changes nothing); then the rightful call
(must succeed). The tests read the records this pass keeps.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.access.rules import RULES, Rule
from tests.access.world import ANON, PRINCIPALS, World, changed, checksum

METHODS = ("get", "post", "put", "patch", "delete")
REFUSED = (401, 403, 404)


@dataclass
class Operation:
    key: str
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def multipart(self) -> bool:
        content = self.spec.get("requestBody", {}).get("content", {})
        return "multipart/form-data" in content

    def params(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == where]


def operations(schema: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                found.append(
                    Operation(f"{method.upper()} {path}", method.upper(), path, item[method])
                )
    return found


@dataclass
class Request:
    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _value(value: Any, world: World) -> Any:
    return value(world) if callable(value) else value


def rightful(op: Operation, rule: Rule, world: World) -> Request:
    path_args = {p["name"]: "forged" for p in op.params("path")}  # signed routes: no real one
    path_args.update(_value(rule.path, world) or {})
    url = op.path.format(**{k: str(v) for k, v in path_args.items()})
    request = Request(op.method, url, params=dict(_value(rule.query, world) or {}))
    body = _value(rule.body, world)
    if rule.files is not None:
        request.files = _value(rule.files, world)
        request.data = body or {}
    elif body is not None:
        request.json = body
    return request


async def send(api: httpx.AsyncClient, request: Request, headers: dict[str, str]) -> httpx.Response:
    return await api.request(
        request.method,
        request.url,
        params=request.params or None,
        json=request.json if request.content is None else None,
        data=request.data,
        files=request.files,
        content=request.content,
        headers={**headers, **request.headers},
    )


@dataclass
class Row:
    key: str
    caller: str
    status: int
    problem: str = ""


@dataclass
class Sweep:
    ops: list[Operation]
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    access_calls: int = 0
    access_failures: list[str] = field(default_factory=list)
    positives: int = 0
    public: int = 0
    signed: int = 0
    hostile_tried: int = 0
    hostile_validation: int = 0
    hostile_status: Counter[int] = field(default_factory=Counter)
    hostile_failures: list[str] = field(default_factory=list)
    hostile_ops: int = 0
    hostile_accepted: list[str] = field(default_factory=list)
    portal_missing: list[str] = field(default_factory=list)
    portal_stale: list[str] = field(default_factory=list)
    portal_calls: int = 0
    portal_hostile_tried: int = 0
    portal_positives: int = 0
    portal_failures: list[str] = field(default_factory=list)


# --- hostile inputs ----------------------------------------------------------------------

NUL = "a\x00b"
DEEP = b"[" * 1000 + b"]" * 1000
DATE_NAMES = {"date", "day", "from", "to", "start", "end", "week", "at", "since", "until"}
DATE_ENDINGS = ("_on", "_at", "_from", "_to", "_date", "_day")


def _nul_strings(value: Any) -> Any:
    """The same JSON with a NUL in every string (keys kept)."""
    if isinstance(value, str):
        return value + "\x00"
    if isinstance(value, list):
        return [_nul_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _nul_strings(v) for k, v in value.items()}
    return value


def _far_dates(value: Any) -> tuple[Any, bool]:
    """The same JSON with every date-like string moved to year 1."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[:4].isdigit():
        return "0001-01-01" + value[10:], True
    if isinstance(value, list):
        pairs = [_far_dates(v) for v in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    if isinstance(value, dict):
        pairs_ = {k: _far_dates(v) for k, v in value.items()}
        return {k: p[0] for k, p in pairs_.items()}, any(p[1] for p in pairs_.values())
    return value, False


def hostile(op: Operation, base: Request) -> list[tuple[str, Request]]:
    """Every hostile variant of the rightful request that applies to this operation."""
    out: list[tuple[str, Request]] = []

    def variant(name: str, **changes: Any) -> None:
        fresh = Request(
            base.method,
            base.url,
            params=dict(base.params),
            json=base.json,
            data=dict(base.data) if base.data is not None else None,
            files=base.files,
        )
        for k, v in changes.items():
            setattr(fresh, k, v)
        out.append((name, fresh))

    query_names = [p["name"] for p in op.params("query")] or ["q"]
    variant("nul-query", params={**base.params, query_names[0]: NUL})
    for p in op.params("path"):
        if p.get("schema", {}).get("type") == "string":
            segments = base.url.split("/")
            template = op.path.split("/")
            spot = template.index("{" + p["name"] + "}")
            segments[spot] = "a%00b"
            variant(f"nul-path-{p['name']}", url="/".join(segments))
    dated = [
        p["name"]
        for p in op.params("query")
        if p.get("schema", {}).get("format") in ("date", "date-time")
        or p["name"] in DATE_NAMES
        or p["name"].endswith(DATE_ENDINGS)
    ]
    for name in dated:
        variant(f"far-date-{name}", params={**base.params, name: "0001-01-01"})
    if op.method in ("POST", "PUT", "PATCH", "DELETE"):
        if op.multipart:
            variant(
                "multipart-backslash-name",
                files={"file": ("\\", b"\x89PNG\r\n\x1a\n\xff", "image/png")},
            )
            if base.data:
                variant("nul-form-field", data={k: NUL for k in base.data})
                far, any_date = _far_dates(base.data)
                if any_date:
                    variant("far-date-form", data=far)
        else:
            body = base.json if base.json is not None else {"note": "x"}
            nul_body = _nul_strings(body)
            if nul_body == body:  # no string to carry the NUL
                nul_body = {**body, "note": NUL} if isinstance(body, dict) else {"note": NUL}
            variant("nul-json", json=nul_body)
            variant("nul-json-key", json={"a\x00": 1})
            variant(
                "deep-json", json=None, content=DEEP, headers={"content-type": "application/json"}
            )
            variant(
                "bad-utf8-json",
                json=None,
                content=b'{"note": "\xff\xfe"}',
                headers={"content-type": "application/json"},
            )
            far, any_date = _far_dates(body)
            if any_date:
                variant("far-date-json", json=far)
    return out


# --- the pass ------------------------------------------------------------------------------


def _problem(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""


async def run(api: httpx.AsyncClient, world: World) -> Sweep:
    schema = (await api.get("/schema/openapi.json")).json()
    ops = {op.key: op for op in operations(schema)}
    sweep = Sweep(list(ops.values()))
    sweep.missing = sorted(set(ops) - set(RULES))
    sweep.stale = sorted(set(RULES) - set(ops))
    for key, rule in RULES.items():
        op = ops.get(key)
        if op is None:
            continue
        try:
            await _one(api, world, op, rule, sweep)
        except Exception as failed:
            sweep.access_failures.append(f"{key}: setup failed: {failed!r}"[:400])
    return sweep


async def _one(
    api: httpx.AsyncClient, world: World, op: Operation, rule: Rule, sweep: Sweep
) -> None:
    if rule.prepare is not None:
        await rule.prepare(world)
    request = rightful(op, rule, world)
    owner = rule.who
    # 1. everyone else
    if not rule.public:
        before = await checksum()
        for caller in PRINCIPALS:
            if (caller == owner and not rule.signed) or caller in rule.wider:
                continue
            if caller in rule.peers:
                continue
            response = await send(api, request, world.headers(caller))
            sweep.access_calls += 1
            if response.status_code not in REFUSED:
                sweep.access_failures.append(
                    f"{op.key} as {caller}: {response.status_code} {response.text[:160]}"
                )
        after = await checksum()
        if changed(before, after):
            sweep.access_failures.append(
                f"{op.key}: refused calls changed {changed(before, after)}"
            )
        # peers answer with their own data (a read may be audited, so after the checksum)
        for caller in rule.peers if op.method == "GET" else ():
            response = await send(api, request, world.headers(caller))
            sweep.access_calls += 1
            marker = rule.marker(world) if rule.marker else None
            if not 200 <= response.status_code < 300 or (marker and marker in response.text):
                sweep.access_failures.append(
                    f"{op.key} as {caller} (peer): {response.status_code}, saw the owner's"
                    f" {marker!r}: {response.text[:160]}"
                )
    # 2. hostile inputs, as the rightful caller on its own object
    sweep.hostile_ops += 1
    before = await checksum()
    all_refused = True
    for name, variant in hostile(op, request):
        response = await send(api, variant, world.headers(owner))
        sweep.hostile_tried += 1
        status = response.status_code
        sweep.hostile_status[status] += 1
        if status in (400, 422):
            sweep.hostile_validation += 1
        if status < 400:
            all_refused = False
            sweep.hostile_accepted.append(f"{op.key} [{name}]: {status}")
        if status >= 500 or status == 429:
            sweep.hostile_failures.append(f"{op.key} [{name}]: {status} {response.text[:200]}")
        elif status >= 400 and not response.headers.get("content-type", "").startswith(
            "application/problem+json"
        ):
            sweep.hostile_failures.append(f"{op.key} [{name}]: {status} without a problem document")
    if all_refused and changed(before, await checksum()):
        sweep.hostile_failures.append(f"{op.key}: refused hostile input changed a table")
    # 3. the rightful call
    if rule.signed:
        sweep.signed += 1
        return
    response = await send(api, request, world.headers(owner))
    if response.status_code not in rule.ok:
        sweep.access_failures.append(
            f"{op.key} as {owner} (positive control): {response.status_code} {response.text[:200]}"
        )
        return
    if rule.public:
        sweep.public += 1
    else:
        sweep.positives += 1
    keep = rule.extra.get("keep")
    if keep:
        world.objects[keep] = response.json()["id"]


def summary_access(sweep: Sweep) -> str:
    return json.dumps(
        {
            "operations": len(sweep.ops),
            "with_owner_rule": sweep.positives,
            "public": sweep.public,
            "signed": sweep.signed,
            "cross_role_calls": sweep.access_calls,
            "failures": len(sweep.access_failures),
        }
    )


def summary_hostile(sweep: Sweep) -> str:
    return json.dumps(
        {
            "operations": sweep.hostile_ops,
            "hostile_requests": sweep.hostile_tried,
            "reached_validation_400_422": sweep.hostile_validation,
            "by_status": dict(sorted(sweep.hostile_status.items())),
            "5xx": sum(n for s, n in sweep.hostile_status.items() if s >= 500),
            "429": sweep.hostile_status.get(429, 0),
            "portal_routes_x_inputs": sweep.portal_hostile_tried,
            "accepted_as_valid": sweep.hostile_accepted,
        },
        ensure_ascii=False,
    )


__all__ = ["ANON", "Sweep", "run", "summary_access", "summary_hostile"]
