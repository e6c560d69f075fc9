"""Everything API.md (the contract with the mini-program team) names is in the OpenAPI document.

The tables below say, route by route, what API.md names: the method and path, the request and
success-response fields, the query parameters, the statuses and problem codes; then each
enumeration with its values, and the conventions (public routes, paging, Idempotency-Key, the
problem document). They were written by reading API.md; ``test_every_name_in_api_md_is_in_the_tables``
reads its backticked names again, mechanically, so that nothing it names is skipped silently.

API.md is ``../shared/API.md`` beside the repository when there is one (then the copy committed
here must equal it), else that copy, ``tests/contract/API.md`` (a clean clone in CI).

Where the code and API.md really differ, the difference is listed in ``KNOWN_DIFFERENCES`` with
its reason, to be settled with the mini-program team; an entry that no longer differs fails too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.contract.openapi_walk import Walker, template

pytestmark = pytest.mark.unit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "API.md"
COPY = HERE / "API.md"

ALL_CASE_STATUSES = (
    "submitted", "queued", "awaiting_supplement", "accepted", "in_review", "approved", "denied",
    "rejected", "result_ready", "delivered", "withdrawn",
)  # fmt: skip
PROBLEM_FIELDS = ("type", "title", "status", "code", "detail")
PAGE_FIELDS = ("items", "total")


def page(*fields: str) -> tuple[str, ...]:
    """The fields of a paginated answer: ``{"items": [...], "total": n}``."""
    return (*PAGE_FIELDS, *(f"items.{name}" for name in fields))


@dataclass(frozen=True)
class Route:
    """One route API.md names, with what it names about it."""

    method: str
    path: str
    request: tuple[str, ...] = ()
    response: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    statuses: tuple[int, ...] = ()
    public: bool = False
    paginated: bool = False
    idempotent: bool = False
    bounds: tuple[tuple[str, float, float], ...] = ()
    """(request field, minimum, maximum) API.md gives."""
    defaults: tuple[tuple[str, Any], ...] = ()
    """(query parameter, default) API.md gives."""

    @property
    def key(self) -> tuple[str, str]:
        return self.method, template(self.path)


ME = (
    "id", "name", "id_number_masked", "phone_masked", "identity_bound", "identity_verified",
    "village_code",
)  # fmt: skip
ITEM = (
    "code", "name", "department", "committed_days", "legal_days", "channels", "delegable",
    "district_wide", "lowest_level",
)  # fmt: skip
SUBMISSION = (
    "item_code", "bundle_code", "form", "materials", "materials.type", "materials.upload_id",
    "service_point_id", "delivery", "delivery.method", "delivery.address",
)  # fmt: skip
CASE = (
    "number", "status", "public_status", "item_code", "bundle_code", "children", "filed_by",
    "filed_by.kind", "filed_by.name", "township_code", "deadline", "working_days_left",
    "timeline", "timeline.at", "timeline.status", "timeline.actor_role", "timeline.note",
    "supplement", "result",
)  # fmt: skip
CREATED_CASE = ("number", "status", "public_status")

ROUTES: tuple[Route, ...] = (
    # Health
    Route("GET", "/healthz", public=True, statuses=(200,)),
    Route("GET", "/readyz", public=True, statuses=(200,)),
    # Login
    Route(
        "POST", "/api/v1/auth/wechat/login", public=True, request=("code",),
        response=("access_token", "token_type", "expires_in", "citizen", "citizen.id",
                  "citizen.identity_bound"),
        statuses=(200, 401),
    ),
    Route(
        "POST", "/api/v1/auth/staff/login", public=True, request=("username", "password"),
        response=("access_token", "token_type", "expires_in", "staff", "staff.id", "staff.role",
                  "staff.area_code", "staff.department_code"),
    ),
    # Everyone signed in
    Route(
        "POST", "/api/v1/uploads", request=("file", "material_type"),
        response=("id", "sha256", "size", "content_type"), idempotent=True,
    ),
    # Citizen (mini-program)
    Route("GET", "/api/v1/me", response=ME),
    Route(
        "PUT", "/api/v1/me/identity", request=("name", "id_number", "village_code",
                                                "consent_version"),
        response=ME, statuses=(200, 409, 422),
    ),
    Route("POST", "/api/v1/me/phone", request=("code",), response=ME),
    Route("GET", "/api/v1/me/export"),
    Route("POST", "/api/v1/me/deletion-request"),
    Route(
        "GET", "/api/v1/areas", public=True, query=("level", "parent"), paginated=True,
        response=page("code", "name", "level", "parent_code", "lat", "lng"),
    ),
    Route(
        "GET", "/api/v1/items", public=True, query=("q", "department", "channel"),
        paginated=True, response=page(*ITEM),
    ),
    Route(
        "GET", "/api/v1/items/{code}", public=True,
        response=(*ITEM, "materials", "materials.type", "materials.name", "materials.required",
                  "materials.original", "materials.copies", "materials.exempt_if_shared",
                  "form", "form.name", "form.label", "form.datatype", "form.required",
                  "form.values", "fee", "delivery_methods"),
    ),
    Route(
        "GET", "/api/v1/bundles", public=True, query=("q",), paginated=True,
        response=page("code", "name", "items", "materials"),
    ),
    Route(
        "GET", "/api/v1/bundles/{code}", public=True,
        response=("code", "name", "items", "materials"),
    ),
    Route(
        "GET", "/api/v1/service-points/nearby", public=True,
        query=("lat", "lng", "item", "mode", "within_minutes", "at"), paginated=True,
        defaults=(("within_minutes", 30),),
        response=page("id", "name", "kind", "township_code", "distance_m", "travel_minutes",
                      "open_now"),
    ),
    Route("GET", "/api/v1/coverage", public=True, query=("item", "mode"), paginated=True),
    Route(
        "POST", "/api/v1/cases", request=SUBMISSION, response=CREATED_CASE, statuses=(201, 422),
        idempotent=True,
    ),
    Route("GET", "/api/v1/cases", paginated=True, response=page("number", "status")),
    Route("GET", "/api/v1/cases/{number}", response=CASE, statuses=(200, 404)),
    Route("POST", "/api/v1/cases/{number}/withdraw", statuses=(409,)),
    Route("POST", "/api/v1/cases/{number}/supplements", request=("materials", "note")),
    Route(
        "POST", "/api/v1/cases/{number}/evaluation", request=("score", "comment"),
        bounds=(("score", 1, 5),),
    ),
    Route("GET", "/api/v1/mandates", paginated=True, response=page("id", "status")),
    Route("POST", "/api/v1/mandates/{id}/confirm"),
    Route("POST", "/api/v1/mandates/{id}/refuse"),
    Route("POST", "/api/v1/mandates/{id}/revoke"),
    Route("POST", "/api/v1/notifications/subscriptions", request=("results",)),
    Route("GET", "/api/v1/messages", paginated=True, response=page("status")),
    # Agent (village station or bank outlet)
    Route(
        "POST", "/api/v1/agent/citizens", request=("name", "id_number", "phone", "village_code"),
        idempotent=True,
    ),
    Route("GET", "/api/v1/agent/citizens", query=("q",), paginated=True),
    Route(
        "POST", "/api/v1/agent/mandates",
        request=("citizen_id", "item_codes", "bundle_code", "expires_on", "evidence_upload_ids"),
        response=("id", "status"), idempotent=True,
    ),
    Route(
        "POST", "/api/v1/agent/cases", request=("mandate_id", *SUBMISSION, "paper_originals"),
        response=CREATED_CASE, statuses=(201,), idempotent=True,
    ),
    Route("GET", "/api/v1/agent/cases", paginated=True),
    Route(
        "POST", "/api/v1/agent/cases/{number}/handover-to-citizen", request=("photo_upload_id",)
    ),
    Route("POST", "/api/v1/agent/handovers", request=("case_numbers",), idempotent=True),
    Route("POST", "/api/v1/window/handovers/{id}/receive", request=("missing",)),
    # Window staff and approvers
    Route("GET", "/api/v1/window/queue", paginated=True, statuses=(200, 403)),
    Route("POST", "/api/v1/window/queue/claim", statuses=(200, 204)),
    Route("POST", "/api/v1/window/cases/{number}/release"),
    Route("POST", "/api/v1/window/cases/{number}/accept"),
    Route("POST", "/api/v1/window/cases/{number}/reject", request=("reason",)),
    Route("POST", "/api/v1/window/cases/{number}/supplement", request=("missing", "note")),
    Route("POST", "/api/v1/window/cases/{number}/transfer", request=("department_code",)),
    Route("POST", "/api/v1/window/cases/{number}/handoff", request=("township_code",)),
    Route("POST", "/api/v1/window/cases/{number}/result", request=("note",)),
    Route("POST", "/api/v1/window/cases/{number}/deliver", request=("method", "tracking_no")),
    Route(
        "POST", "/api/v1/window/cases", request=SUBMISSION, response=CREATED_CASE,
        idempotent=True,
    ),
    Route("GET", "/api/v1/review/cases", paginated=True),
    Route("POST", "/api/v1/review/cases/{number}/approve"),
    Route("POST", "/api/v1/review/cases/{number}/deny", request=("reason",)),
    Route("POST", "/api/v1/review/cases/{number}/supplement", request=("missing", "note")),
    # Supervision and administration
    Route("GET", "/api/v1/stats/overview", query=("from", "to", "township")),
    Route("GET", "/api/v1/supervision/overdue", paginated=True),
    Route("GET", "/api/v1/supervision/evaluations", query=("bad",), paginated=True),
    Route("POST", "/api/v1/supervision/mandates/{id}/spot-check", request=("ok", "note")),
    Route("GET", "/api/v1/admin/calendar", paginated=True, response=page("date", "kind", "note")),
    Route("POST", "/api/v1/admin/calendar", request=("date", "kind", "note")),
    # The WeChat message-push endpoint (Conventions: public, checks WeChat's signature).
    Route("POST", "/api/v1/wechat/push", public=True),
)  # fmt: skip


@dataclass(frozen=True)
class Enumeration:
    """An enumeration API.md names, with the fields that carry it.

    ``where`` holds (method, path, part, field): part is ``request``, ``response`` or ``query``.
    ``exact``: API.md's list is the whole list ("use exactly these values").
    """

    name: str
    values: tuple[str, ...]
    where: tuple[tuple[str, str, str, str], ...]
    exact: bool = True


ENUMERATIONS: tuple[Enumeration, ...] = (
    Enumeration("case status", ALL_CASE_STATUSES, (
        ("GET", "/api/v1/cases/{number}", "response", "status"),
        ("GET", "/api/v1/cases/{number}", "response", "timeline.status"),
        ("GET", "/api/v1/window/cases/{number}", "response", "status"),
    )),
    Enumeration("public_status", ("open", "closed"), (
        ("GET", "/api/v1/cases/{number}", "response", "public_status"),
    )),
    Enumeration("item channels", ("window", "agent", "bank", "self_service", "online"), (
        ("GET", "/api/v1/items", "response", "items.channels"),
        ("GET", "/api/v1/items/{code}", "response", "channels"),
    )),
    Enumeration("case channel", ("miniprogram", "agent", "window", "bank", "self_service"), (
        ("GET", "/api/v1/cases/{number}", "response", "channel"),
    )),
    Enumeration("filed_by.kind", ("self", "agent", "window", "bank"), (
        ("GET", "/api/v1/cases/{number}", "response", "filed_by.kind"),
    )),
    Enumeration("item lowest_level", ("district", "township", "village"), (
        ("GET", "/api/v1/items", "response", "items.lowest_level"),
    )),
    Enumeration("service point kind", (
        "township_hall", "village_station", "bank_outlet", "self_service_terminal", "dept_station",
    ), (("GET", "/api/v1/service-points/nearby", "response", "items.kind"),)),
    Enumeration("staff role", ("agent", "window", "approver", "supervisor", "admin"), (
        ("POST", "/api/v1/auth/staff/login", "response", "staff.role"),
    )),
    Enumeration("mandate status", ("pending", "active", "refused", "revoked", "expired"), (
        ("POST", "/api/v1/agent/mandates", "response", "status"),
        ("GET", "/api/v1/mandates", "response", "items.status"),
    )),
    Enumeration("delivery method", ("window", "mail", "agent"), (
        ("POST", "/api/v1/cases", "request", "delivery.method"),
        ("POST", "/api/v1/window/cases/{number}/deliver", "request", "method"),
    )),
    Enumeration("message status", (
        "created", "sending", "delivered", "temporary_failure", "permanent_failure",
        "technical_failure",
    ), (("GET", "/api/v1/messages", "response", "items.status"),)),
    # In the routes' text rather than the Enumerations table:
    Enumeration("area level", ("district", "township", "village"), (
        ("GET", "/api/v1/areas", "query", "level"),
    )),
    Enumeration("travel mode", ("walk", "ebike", "car"), (
        ("GET", "/api/v1/service-points/nearby", "query", "mode"),
        ("GET", "/api/v1/coverage", "query", "mode"),
    )),
    Enumeration("calendar day kind", ("holiday", "workday"), (
        ("POST", "/api/v1/admin/calendar", "request", "kind"),
        ("GET", "/api/v1/admin/calendar", "response", "items.kind"),
    )),
    Enumeration("token type", ("Bearer",), (
        ("POST", "/api/v1/auth/wechat/login", "response", "token_type"),
    )),
    Enumeration("bad ratings only", ("true",), (
        ("GET", "/api/v1/supervision/evaluations", "query", "bad"),
    ), exact=False),
)  # fmt: skip

# code → (method, path, status API.md gives, or None where it gives none)
CODES: dict[str, tuple[str, str, int | None]] = {
    "wechat_code_invalid": ("POST", "/api/v1/auth/wechat/login", 401),
    "id_number_invalid": ("PUT", "/api/v1/me/identity", 422),
    "case_not_found": ("GET", "/api/v1/cases/{number}", 404),
    "transition_not_allowed": ("POST", "/api/v1/cases/{number}/withdraw", 409),
    "mandate_required": ("POST", "/api/v1/agent/cases", None),
    "idempotency_key_reused": ("POST", "/api/v1/cases", 422),
}

# Values that live in a free-form object, so the document can only describe them: the values
# of wx.requestSubscribeMessage's result (its errMsg key is a free string beside them).
DESCRIBED: dict[str, tuple[str, str, str, str]] = {
    value: ("POST", "/api/v1/notifications/subscriptions", "request", "results")
    for value in ("accept", "reject", "ban", "filter")
}

# Backticked in API.md but not something the document can hold: formats, examples, the
# documentation's own addresses, a mini-program API.
NOT_IN_THE_DOCUMENT: dict[str, str] = {
    "YYYY-MM-DD": "a date format (the fields are typed as strings)",
    "XS20261126000123": "an example case number",
    "<number>-01": "the shape of a bundle child's number",
    "<number>-02": "the shape of a bundle child's number",
    "330***********1234": "an example masked ID number",
    "/schema/openapi.json": "where the document is served (test_docs_pages.py)",
    "/schema": "where the document is browsed (test_docs_pages.py)",
    "wx.requestSubscribeMessage": "the mini-program API whose result is sent",
    "errMsg": "a key of that result the server ignores",
    "Authorization: Bearer <token>": "the security scheme: checked for every non-public route",
    "Idempotency-Key": "the header: checked for every route marked idempotent",
}

# What differs between the code and API.md, to be settled with the mini-program team:
# failure text → why. An entry that no longer fails makes the test fail, so it is removed.
KNOWN_DIFFERENCES: dict[str, str] = {
    "POST /api/v1/uploads: Idempotency-Key header not declared": (
        "the upload route does not honour Idempotency-Key: a retried upload makes a second"
        " upload (the stored file is shared, being addressed by its SHA-256)"
    ),
    "GET /api/v1/service-points/nearby: paging parameter page missing": (
        "the nearest places first, page_size of them: there is no second page"
    ),
}


# --- API.md -----------------------------------------------------------------------------------


def _api_md() -> str:
    copy = COPY.read_text(encoding="utf-8")
    if SHARED.exists():
        shared = SHARED.read_text(encoding="utf-8")
        assert copy == shared, f"{COPY} differs from {SHARED}: copy it again"
        return shared
    return copy


@pytest.fixture(scope="module")
def api_md() -> str:
    return _api_md()


@pytest.fixture(scope="module")
def walker(openapi_doc: dict[str, Any]) -> Walker:
    return Walker(openapi_doc)


ROUTE_SPAN = re.compile(
    r"^((?:GET|POST|PUT|PATCH|DELETE)(?:\|(?:GET|POST|PUT|PATCH|DELETE))*) (\S+)$"
)
WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass
class Names:
    """What API.md's backticks name, sorted by kind."""

    routes: set[tuple[str, str]] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    other: set[str] = field(default_factory=set)


def _query(query: str, names: Names) -> None:
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        names.params.add(key)
        names.words.update(v for v in value.split("|") if v and not v.isdigit())


def backticked(text: str) -> Names:
    names = Names()
    for span in re.findall(r"`([^`]+)`", text):
        if span in NOT_IN_THE_DOCUMENT:
            names.other.add(span)
        elif match := ROUTE_SPAN.match(span):
            path, _, query = match[2].partition("?")
            names.routes.update((m, template(path)) for m in match[1].split("|"))
            _query(query, names)
        elif span.startswith("/"):
            path, _, query = span.partition("?")
            names.paths.add(template(path))
            _query(query, names)
        elif span.startswith("?"):
            _query(span[1:], names)
        elif '"' in span:  # a JSON sketch: its quoted names and values
            names.words.update(re.findall(r'"([^"]+)"', span))
        elif WORD.match(span):
            names.words.update(span.split("."))
        else:
            names.other.add(span)
    return names


def _table_words() -> set[str]:
    words = set(PROBLEM_FIELDS) | set(PAGE_FIELDS) | set(CODES) | set(DESCRIBED)
    for route in ROUTES:
        for dotted in (*route.request, *route.response):
            words.update(dotted.split("."))
        words.update(route.query)
    for enumeration in ENUMERATIONS:
        words.update(enumeration.values)
        words.update(enumeration.name.split())
        for *_, dotted in enumeration.where:
            words.update(dotted.split("."))
    return words


def test_every_name_in_api_md_is_in_the_tables(api_md: str) -> None:
    names = backticked(api_md)
    table = {route.key for route in ROUTES}
    # "as `GET /me`": a route named by its path's end, as API.md does beside a full one.
    missing = [
        f"route {m} {p}"
        for m, p in sorted(names.routes - table)
        if not any(k[0] == m and k[1].endswith(p) for k in table)
    ]
    missing += [
        f"path {p}" for p in sorted(names.paths) if not any(k[1].endswith(p) for k in table)
    ]
    queries = {q for route in ROUTES for q in route.query} | {"page", "page_size"}
    missing += [f"query parameter {q}" for q in sorted(names.params - queries)]
    missing += [f"name {w}" for w in sorted(names.words - _table_words())]
    missing += [f"other {o}" for o in sorted(names.other - set(NOT_IN_THE_DOCUMENT))]
    assert not missing, "API.md names what the tables of this test do not:\n" + "\n".join(missing)


def test_the_committed_copy_is_current() -> None:
    """Where the shared contract sits beside the repository, the copy must equal it (a clone
    elsewhere, as in CI, has only the copy, which is then the contract)."""
    if SHARED.exists():
        assert COPY.read_text(encoding="utf-8") == SHARED.read_text(encoding="utf-8")
    assert "# API contract (v1)" in COPY.read_text(encoding="utf-8")


# --- the document -----------------------------------------------------------------------------


def _route_failures(walker: Walker, route: Route) -> Iterator[str]:
    name = f"{route.method} {route.path}"
    operation = walker.operations.get(route.key)
    if operation is None:
        yield f"{name}: no such operation"
        return
    requests = walker.request_schemas(operation)
    for dotted in route.request:
        if not walker.field(requests, dotted):
            yield f"{name}: request field {dotted} missing"
    answers = walker.success_schemas(operation)
    if route.response and not any(walker.typed(s) for s in answers):
        yield f"{name}: success answer untyped"
    else:
        for dotted in route.response:
            if not walker.field(answers, dotted):
                yield f"{name}: response field {dotted} missing"
    parameters = walker.query(operation)
    for parameter in route.query:
        if parameter not in parameters:
            yield f"{name}: query parameter {parameter} missing"
    for status in route.statuses:
        if str(status) not in operation["responses"]:
            yield f"{name}: status {status} missing"
    if route.paginated:
        for parameter in ("page", "page_size"):
            if parameter not in parameters:
                yield f"{name}: paging parameter {parameter} missing"
        size = parameters.get("page_size", {})
        if "page_size" in parameters and not 0 < size.get("maximum", 1e9) <= 100:
            yield f"{name}: page_size allows more than 100"
        if not all(walker.field(answers, f) for f in PAGE_FIELDS):
            yield f"{name}: answer is not {{items, total}}"
    if route.idempotent and "idempotency-key" not in walker.headers(operation):
        yield f"{name}: Idempotency-Key header not declared"
    for dotted, low, high in route.bounds:
        found = {
            (b.get("minimum"), b.get("maximum"))
            for s in walker.field(requests, dotted)
            for b in walker.branches(s)
        }
        if (low, high) not in found:
            yield f"{name}: {dotted} not bounded {low}..{high}"
    for parameter, default in route.defaults:
        schema = parameters.get(parameter, {})
        if all(b.get("default") != default for b in walker.branches(schema)):
            yield f"{name}: query parameter {parameter} does not default to {default}"


def _enumeration_failures(walker: Walker, enumeration: Enumeration) -> Iterator[str]:
    for method, path, part, dotted in enumeration.where:
        where = f"{enumeration.name} at {method} {path} {part} {dotted}"
        operation = walker.operations.get((method, template(path)))
        if operation is None:
            continue  # reported as a missing route
        if part == "query":
            schemas = [s] if (s := walker.query(operation).get(dotted)) is not None else []
        elif part == "request":
            schemas = walker.field(walker.request_schemas(operation), dotted)
        else:
            schemas = walker.field(walker.success_schemas(operation), dotted)
        if not schemas:
            continue  # reported as a missing field or an untyped answer
        found: set[Any] = set().union(*(walker.values(s) for s in schemas))
        if enumeration.name == "token type":  # one fixed value: a default says it as well
            found |= {b.get("default") for s in schemas for b in walker.branches(s)}
        if enumeration.name == "bad ratings only":  # a boolean parameter takes true
            found |= {
                "true" for s in schemas for b in walker.branches(s) if b.get("type") == "boolean"
            }
        if not found:
            yield f"{where}: not an enum"
            continue
        missing = [v for v in enumeration.values if v not in found]
        if missing:
            yield f"{where}: values {missing} missing"
        extra = sorted(str(v) for v in found - set(enumeration.values) - {None})
        if enumeration.exact and extra:
            yield f"{where}: values {extra} not in API.md"


def _code_failures(walker: Walker) -> Iterator[str]:
    for code, (method, path, status) in CODES.items():
        operation = walker.operations.get((method, template(path)))
        if operation is None:
            continue
        codes = walker.problem_codes(operation)
        statuses = sorted(s for s, listed in codes.items() if code in listed)
        if not statuses:
            yield f"code {code}: not listed by {method} {path}"
        elif status is not None and str(status) not in statuses:
            yield f"code {code}: listed by {method} {path} under {statuses}, not {status}"
    for code, (method, path, part, dotted) in DESCRIBED.items():
        operation = walker.operations.get((method, template(path)))
        schemas = walker.field(walker.request_schemas(operation or {}), dotted)
        if operation and not any(code in walker.text(s) for s in schemas):
            yield f"value {code}: not described at {method} {path} {part} {dotted}"


def _convention_failures(walker: Walker) -> Iterator[str]:
    problem = walker.doc["components"]["schemas"].get("Problem", {})
    for name in PROBLEM_FIELDS:
        if name not in problem.get("properties", {}):
            yield f"problem document: field {name} missing"
        if name not in problem.get("required", []):
            yield f"problem document: field {name} not required"
    schemes = walker.doc["components"].get("securitySchemes", {})
    bearer = {n for n, s in schemes.items() if s.get("scheme", "").lower() == "bearer"}
    public = {route.key for route in ROUTES if route.public}
    for key, operation in sorted(walker.operations.items()):
        name = f"{key[0]} {key[1]}"
        security = operation.get("security", walker.doc.get("security", []))
        if key in public:
            if security != []:
                yield f"{name}: public in API.md, but the document asks for a token"
        elif key[1].startswith("/api/") and security != []:
            # API.md: every other route needs Authorization: Bearer <token>, else 401.
            if not any(bearer & set(requirement) for requirement in security):
                yield f"{name}: no bearer token required"
            if "401" not in operation["responses"]:
                yield f"{name}: no 401 answer"
    if not any("429" in op["responses"] for op in walker.operations.values()):
        yield "no operation answers 429 (rate-limited)"


def _failures(walker: Walker) -> list[str]:
    failures = [f for route in ROUTES for f in _route_failures(walker, route)]
    failures += [f for e in ENUMERATIONS for f in _enumeration_failures(walker, e)]
    failures += list(_code_failures(walker))
    failures += list(_convention_failures(walker))
    return failures


def test_the_document_has_everything_api_md_names(walker: Walker) -> None:
    failures = _failures(walker)
    unexpected = [f for f in failures if f not in KNOWN_DIFFERENCES]
    settled = [f for f in KNOWN_DIFFERENCES if f not in failures]
    assert not unexpected, "missing from the document:\n" + "\n".join(unexpected)
    assert not settled, "no longer different, remove from KNOWN_DIFFERENCES:\n" + "\n".join(settled)
