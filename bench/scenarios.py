"""What the bench measures: one ``Scenario`` per request shape, run against both servers.

Adding a scenario is one entry in ``SCENARIOS``. ``path``, header values and bodies may name
values of the bench context as ``string.Template`` placeholders, e.g. ``$staff_token``, or
``bodies`` may be a function of the context. The context is built once per run by
``bench.measure.build_context``: add a key there if a scenario needs new data. The baseline app
(``bench/baseline_app.py``) must answer the same path; set ``baseline=False`` for a route it
does not mirror (the table then shows only the app's figures).

A scenario that needs more than one request shape — a different citizen's token per request,
bodies that may be sent once only, a weighted mix of routes — gives ``build`` instead: a function
of the context and the ``Run`` (which server, how many seconds) returning the ``Request`` for that
one load-generator run, as one or more ``Stream``s. ``build`` is called for every run (warm-up and
each round, for each server), so streams whose calls create something (``once=True``) are sized
for that run alone: ``POOL_RPS`` requests per second of the run, per unit of the stream's share.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.citizens import CitizenData

Context = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """One concrete HTTP request."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class Stream:
    """Requests of one kind, sent in turn; ``weight`` is its share of the scenario's requests."""

    name: str
    calls: tuple[Call, ...]
    weight: float = 1.0
    once: bool = False
    """Every call is sent at most once (it creates something). Sending more than there are is
    counted as ``exhausted`` and fails the run."""


@dataclass(frozen=True, slots=True)
class Request:
    """A scenario with its context filled in: what the load generator sends in one run."""

    streams: tuple[Stream, ...]
    statuses: bool = False
    """Count the answers per HTTP status (wrk then parses every response: a little slower)."""

    @property
    def first_calls(self) -> list[tuple[str, Call]]:
        return [(s.name, s.calls[0]) for s in self.streams]


@dataclass(frozen=True, slots=True)
class Run:
    """One load-generator run: against which server (``app``/``baseline``), for how long, and
    the rate that server reached in its warm-up (None for the warm-up itself)."""

    who: str
    seconds: float
    warmup_rps: float | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """What the issue asks of a scenario on 2 cores."""

    min_rps: float
    max_p99_ms: float | None = None
    min_fraction: float | None = 0.5
    """Our throughput as a fraction of the baseline's, at least."""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    path: str
    summary: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    bodies: Sequence[str] | Callable[[Context], Sequence[str]] = ()
    """Request bodies, used in turn (one per request), or a function of the context making them;
    empty for no body."""
    build: Callable[[Context, Run], Request] | None = None
    """Instead of ``path``/``headers``/``bodies``: the request streams of one run."""
    concurrency: int | None = None
    """Connections for this scenario; ``None`` means the ``--concurrency`` of the run."""
    baseline: bool = True
    strict: bool = False
    """Any error (an answer other than 2xx, a socket error, an exhausted pool) fails the run."""
    goal: Goal | None = None
    note: str = ""

    def render(self, context: Context, run: Run | None = None) -> Request:
        if self.build is not None:
            return self.build(context, run or Run("app", 0.0))
        if callable(self.bodies):
            bodies = tuple(self.bodies(context))
        else:
            bodies = tuple(Template(b).substitute(context) for b in self.bodies)
        path = Template(self.path).substitute(context)
        headers = {k: Template(v).substitute(context) for k, v in self.headers.items()}
        calls = tuple(Call(self.method, path, headers, b.encode()) for b in bodies) or (
            Call(self.method, path, headers),
        )
        return Request((Stream(self.name, calls),))


STAFF = {"Authorization": "Bearer $staff_token"}
JSON = {"Content-Type": "application/json"}

POOL_RPS = {"submit": 1500.0, "citizen_mix": 3000.0}
"""Requests per second a warm-up of these scenarios is provisioned for (upload rows are made for
that many submissions before the run): several times what either server reaches on 2 cores.
The measured rounds get ``POOL_HEADROOM`` times the rate the server reached in its warm-up.
A run that sends more than it was given is reported as an exhausted pool and fails: raise these
then. (Provisioning far more rows than a run uses would only make autovacuum work during it.)"""
POOL_HEADROOM = 3.0
POOL_FLOOR_RPS = 50.0
POOL_MARGIN = 20


def login_bodies(context: Context) -> list[str]:
    """One body per demo account: logins of one account queue on its row lock, which the app
    holds across the argon2 check."""
    password = context["demo_password"]
    return [json.dumps({"username": u, "password": password}) for u in context["staff_usernames"]]


# --- the citizen scenarios -------------------------------------------------------------------


def _citizens(context: Context) -> CitizenData:
    data: CitizenData = context["citizens"]
    return data


def item_stream(context: Context, weight: float = 1.0) -> Stream:
    """Every item of the demo catalogue, in turn (public: no token)."""
    codes = _citizens(context).item_codes
    return Stream("item", tuple(Call("GET", f"/api/v1/items/{c}") for c in codes), weight)


def my_cases_stream(context: Context, weight: float = 1.0) -> Stream:
    """Each reader (a citizen with ``CASES_PER_READER`` cases) in turn."""
    readers = _citizens(context).readers
    return Stream(
        "my_cases", tuple(Call("GET", "/api/v1/cases", r.headers) for r in readers), weight
    )


def case_detail_stream(context: Context, weight: float = 1.0) -> Stream:
    """Every case made in setup, by its owner, in turn."""
    cases = _citizens(context).cases
    return Stream(
        "case_detail",
        tuple(Call("GET", f"/api/v1/cases/{number}", who.headers) for who, number in cases),
        weight,
    )


def submit_stream(context: Context, run: Run, share: float, rps: float) -> Stream:
    """New cases with fresh uploads, one per request, round-robin over the submitters."""
    data = _citizens(context)
    if run.warmup_rps is not None:
        rps = min(rps, max(POOL_FLOOR_RPS, POOL_HEADROOM * run.warmup_rps))
    wanted = math.ceil(run.seconds * rps * share) + POOL_MARGIN
    calls = tuple(
        Call("POST", "/api/v1/cases", {**who.headers, **JSON}, data.submission(ids))
        for who, ids in data.pool.take(data.submitters, wanted)
    )
    return Stream("submit", calls, share, once=True)


def build_items(context: Context, run: Run) -> Request:
    return Request((item_stream(context),), statuses=True)


def build_my_cases(context: Context, run: Run) -> Request:
    return Request((my_cases_stream(context),), statuses=True)


def build_case_detail(context: Context, run: Run) -> Request:
    return Request((case_detail_stream(context),), statuses=True)


def build_submit(context: Context, run: Run) -> Request:
    return Request((submit_stream(context, run, 1.0, POOL_RPS["submit"]),), statuses=True)


CITIZEN_CONNECTIONS = 16
"""The citizen goals are a rate *and* a p99: 16 keep-alive connections already drive the app
past the goal rates on 2 cores, where 32 only saturate it (latency then grows with connections
/ throughput, measuring the queue rather than the service). ``--concurrency`` does not change
scenarios that set their own."""

MIX = {"item": 0.40, "my_cases": 0.25, "case_detail": 0.25, "submit": 0.10}


def build_mix(context: Context, run: Run) -> Request:
    return Request(
        (
            item_stream(context, MIX["item"]),
            my_cases_stream(context, MIX["my_cases"]),
            case_detail_stream(context, MIX["case_detail"]),
            submit_stream(context, run, MIX["submit"], POOL_RPS["citizen_mix"]),
        ),
        statuses=True,
    )


def build_upload(context: Context, run: Run) -> Request:
    """A 2 MP phone photo per request: every citizen in turn (each may upload
    ``UPLOAD_MAX_PER_DAY`` = 200 a day), the photos in turn, every material type of the item
    in turn, as citizens uploading their materials one by one."""
    # local import: bench.citizens pulls in Pillow and the fakes, which bench.run needs anyway
    from bench.citizens import multipart

    data = _citizens(context)
    calls = []
    for k, who in enumerate(data.readers + data.submitters):
        body, content_type = multipart(
            {"material_type": data.materials[k % len(data.materials)]},
            ("IMG_20261127_1000.jpg", data.photos[k % len(data.photos)], "image/jpeg"),
            boundary=f"----bench{k:04d}",
        )
        calls.append(
            Call("POST", "/api/v1/uploads", {**who.headers, "Content-Type": content_type}, body)
        )
    return Request((Stream("upload", tuple(calls)),), statuses=True)


READS = Goal(min_rps=1000, max_p99_ms=100)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("healthz", "/healthz", "liveness, no I/O: routing, serialisation, middleware"),
    Scenario("readyz", "/readyz", "SELECT 1 on PostgreSQL + Redis PING"),
    Scenario(
        "staff_me",
        "/api/v1/staff/me",
        "bearer JWT decode + staff row by primary key, joined to its area",
        headers=STAFF,
    ),
    Scenario(
        "areas",
        "/api/v1/areas?level=village",
        "public list: SELECT … ORDER BY … LIMIT 100 (demo villages) + COUNT",
    ),
    Scenario(
        "items_search",
        "/api/v1/items?q=%E8%BA%AB%E4%BB%BD%E8%AF%81",
        "public search for 身份证 over the cached catalogue (names, keywords, pinyin)",
        baseline=False,
    ),
    Scenario(
        "nearby",
        "/api/v1/service-points/nearby?lat=30.226&lng=120.628&item=MZ-DB-SQ&mode=car&within_minutes=45",
        "service points handling an item near a place in 益农镇, with travel minutes and open_now",
        baseline=False,
    ),
    Scenario(
        "coverage",
        "/api/v1/coverage?mode=ebike&page_size=100",
        "30-minute coverage of the whole demo district: 301 villages x 59 items",
        concurrency=1,
        baseline=False,
        note="one connection: p50 is the time to compute the whole district",
    ),
    Scenario(
        "login",
        "/api/v1/auth/staff/login",
        "staff password login: row lock, argon2id verify, UPDATE, token",
        method="POST",
        headers=JSON,
        bodies=login_bodies,
        concurrency=2,
        note="argon2id is slow on purpose; run at 2 connections, measures the hash, not the app",
    ),
    Scenario(
        "items_detail",
        "/api/v1/items/{code}",
        "public item detail (materials, form) from the cached catalogue, all 59 items in turn",
        build=build_items,
        goal=READS,
    ),
    Scenario(
        "my_cases",
        "/api/v1/cases",
        "a citizen's case list (20 cases each, 16 citizens in turn): count, page, their events",
        build=build_my_cases,
        goal=READS,
        concurrency=CITIZEN_CONNECTIONS,
    ),
    Scenario(
        "case_detail",
        "/api/v1/cases/{number}",
        "one case with its timeline, by its owner (320 cases in turn): guard + detail",
        build=build_case_detail,
        goal=READS,
        concurrency=CITIZEN_CONNECTIONS,
    ),
    Scenario(
        "citizen_mix",
        "40% items/{code}, 25% cases, 25% cases/{number}, 10% POST cases",
        "the mini-program's traffic: catalogue reads, my cases, case detail, submissions",
        build=build_mix,
        strict=True,
        goal=READS,
        concurrency=CITIZEN_CONNECTIONS,
    ),
    Scenario(
        "submit",
        "/api/v1/cases",
        "POST a new case (form + 4 uploads), a fresh case and fresh uploads per request",
        method="POST",
        build=build_submit,
        strict=True,
        goal=Goal(min_rps=300, max_p99_ms=100),
        concurrency=CITIZEN_CONNECTIONS,
    ),
    Scenario(
        "upload_photo",
        "/api/v1/uploads",
        "POST multipart: a 2 MP phone JPEG (≈ 650 KB, EXIF) re-encoded, stored, recorded",
        method="POST",
        build=build_upload,
        concurrency=4,
        strict=True,
        goal=Goal(min_rps=30),
        note="4 connections; the JPEG decode + re-encode dominates (Pillow, in a thread)",
    ),
)
