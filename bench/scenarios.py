"""What the bench measures: one ``Scenario`` per request shape, run against both servers.

Adding a scenario is one entry in ``SCENARIOS``. ``path``, header values and bodies may name
values of the bench context as ``string.Template`` placeholders, e.g. ``$staff_token``, or
``bodies`` may be a function of the context. The context is built once per run by
``bench.measure.build_context``: add a key there if a scenario needs new data. The baseline app
(``bench/baseline_app.py``) must answer the same path; set ``baseline=False`` for a route it
does not mirror (the table then shows only the app's figures).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Any

Context = Mapping[str, Any]


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
    concurrency: int | None = None
    """Connections for this scenario; ``None`` means the ``--concurrency`` of the run."""
    baseline: bool = True
    note: str = ""

    def render(self, context: Context) -> Request:
        if callable(self.bodies):
            bodies = tuple(self.bodies(context))
        else:
            bodies = tuple(Template(b).substitute(context) for b in self.bodies)
        return Request(
            method=self.method,
            path=Template(self.path).substitute(context),
            headers={k: Template(v).substitute(context) for k, v in self.headers.items()},
            bodies=bodies,
        )


@dataclass(frozen=True, slots=True)
class Request:
    """A scenario with its context filled in: what the load generator sends."""

    method: str
    path: str
    headers: Mapping[str, str]
    bodies: tuple[str, ...]


STAFF = {"Authorization": "Bearer $staff_token"}
JSON = {"Content-Type": "application/json"}


def login_bodies(context: Context) -> list[str]:
    """One body per demo account: logins of one account queue on its row lock, which the app
    holds across the argon2 check."""
    password = context["demo_password"]
    return [json.dumps({"username": u, "password": password}) for u in context["staff_usernames"]]


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
)
