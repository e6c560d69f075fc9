"""``stats_overview``: ``GET /api/v1/stats/overview`` over 5 million generated cases.

The cases live in a database of their own that is kept between runs (``DATABASE``, on the same
server as the bench's throwaway one): the first run migrates it, loads the demo district and
runs ``jiujinban demo generate --cases 5000000`` (which also rebuilds the roll-ups); later runs
generate only what is missing. Then the roll-ups are rebuilt in this process when they do not
cover every case (else brought up to date by the cron's incremental refresh), a server
(``jiujinban serve``) is started against that database, and each filter below is asked
``REQUESTS`` times in a row, one request at a time, after ``WARMUP`` unmeasured requests, as
the district supervisor. The figure is the client-side latency of the whole request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from backend import db
from backend.clock import today
from backend.devservices import create_database_if_missing, free_port
from backend.geo.travel import StraightLineEstimator, TravelTimeProvider
from backend.settings import load_settings
from bench.processes import ChildFailed, Supervisor, with_database
from bench.queue_latency import percentile

NAME = "stats_overview"
DATABASE = "jjb_stats_bench"
CASES = 5_000_000
SINCE = "2025-06-01"
SEED = "5"
REQUESTS = 200
WARMUP = 10
GOAL_P99_MS = 300.0
GENERATE_TIMEOUT_S = 4 * 3600.0
TOWNSHIP = "330109105"  # 瓜沥镇, the demo district's most populous township


def filters(day: dt.date) -> dict[str, dict[str, str]]:
    """The filter combinations measured, by label (``day`` = today)."""
    year = day - dt.timedelta(days=364)
    return {
        "district, last 30 days": {
            "from": (day - dt.timedelta(days=29)).isoformat(),
            "to": day.isoformat(),
        },
        "district, one year": {"from": year.isoformat(), "to": day.isoformat()},
        "district, whole history": {"from": SINCE, "to": day.isoformat()},
        "district, one day": {"from": "2026-03-10", "to": "2026-03-10"},
        "township, one year": {
            "from": year.isoformat(),
            "to": day.isoformat(),
            "township": TOWNSHIP,
        },
        "township, 47 days across two months": {
            "from": "2026-03-05",
            "to": "2026-04-20",
            "township": TOWNSHIP,
        },
    }


async def _counts(url: str) -> tuple[int, int]:
    async with db.pool(url, min_size=1, max_size=2):
        cases = await db.fetchrow(
            "SELECT (SELECT count(*) FROM case_record WHERE item_code IS NOT NULL) AS cases,"
            " (SELECT count(*) FROM stats_case) AS facts"
        )
        assert cases is not None
        return int(cases["cases"]), int(cases["facts"])


async def _roll_up(url: str, *, full: bool, travel: TravelTimeProvider) -> dict[str, Any]:
    from backend.stats import jobs, rollup
    from backend.workdays.service import load_calendar

    async with db.pool(url, min_size=1, max_size=2):
        calendar = await load_calendar()
        started = time.perf_counter()
        if full:
            done = await rollup.rebuild(calendar=calendar, today=today())
        else:
            done = await rollup.refresh(calendar=calendar, today=today())
        seconds = time.perf_counter() - started
        await jobs.refresh_stats(travel=travel)  # what the cron adds: the cached coverage
        return {
            "kind": "rebuild" if full else "refresh",
            "seconds": round(seconds, 1),
            "cases": done.cases,
        }


def _measure(
    port: int, token: str, params: Mapping[str, str], alive: Callable[[], None]
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    samples: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, headers=headers) as c:
        for index in range(WARMUP + REQUESTS):
            started = time.perf_counter()
            answer = c.get("/api/v1/stats/overview", params=dict(params))
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                alive()
                raise ChildFailed(f"overview answered {answer.status_code}: {answer.text[:300]}")
            if index >= WARMUP:
                samples.append(elapsed * 1000)
        cases = answer.json()["totals"]["cases"]
    return {
        "params": dict(params),
        "cases": cases,
        "requests": len(samples),
        "p50_ms": round(percentile(samples, 50) or 0, 1),
        "p99_ms": round(percentile(samples, 99) or 0, 1),
        "max_ms": round(max(samples), 1),
    }


def run(
    supervisor: Supervisor,
    cli: list[str],
    env: Mapping[str, str],
    *,
    workers: int,
    password: str,
    load_average: Callable[[], list[float]],
    progress: Callable[[str], None],
) -> dict[str, Any]:
    url = with_database(env["DATABASE_URL"], DATABASE)
    create_database_if_missing(url)
    own = {**env, "DATABASE_URL": url}
    supervisor.run([*cli, "migrate"], env=own, name="stats-migrate", timeout_s=300)
    supervisor.run([*cli, "demo", "load"], env=own, name="stats-demo", timeout_s=300)
    cases, facts = asyncio.run(_counts(url))
    result: dict[str, Any] = {"database": DATABASE, "load_average_before": load_average()}
    if cases < CASES:
        progress(f"{NAME}: generating {CASES - cases} cases into {DATABASE} (once) …")
        started = time.perf_counter()
        out = supervisor.run(
            [*cli, "demo", "generate", "--cases", str(CASES - cases), "--seed", SEED,
             "--since", SINCE],
            env={**own, "COLUMNS": "200"}, name="stats-generate", timeout_s=GENERATE_TIMEOUT_S,
        )  # fmt: skip
        result["generated"] = {
            "cases": CASES - cases,
            "wall_seconds": round(time.perf_counter() - started, 1),
            "summary": " ".join(out.split()[-80:]),
        }
        cases, facts = asyncio.run(_counts(url))
    progress(f"{NAME}: {cases} cases; bringing the roll-ups up to date …")
    result["cases"] = cases
    travel = StraightLineEstimator.from_settings(load_settings(environ=dict(own)))
    result["roll_up"] = asyncio.run(_roll_up(url, full=facts != cases, travel=travel))
    port = free_port()
    server = supervisor.spawn(
        [*cli, "serve", "--workers", str(workers), "--port", str(port)], env=own, name="stats-app"
    )
    try:

        def alive() -> None:
            supervisor.check_alive(server, "stats-app")

        deadline = time.monotonic() + 60
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
            while True:
                alive()
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise ChildFailed("stats-app did not answer /readyz within 60 s")
                time.sleep(0.2)
            login = client.post(
                "/api/v1/auth/staff/login", json={"username": "supervisor", "password": password}
            )
            login.raise_for_status()
            token = login.json()["access_token"]
        measured = {}
        for label, params in filters(today()).items():
            measured[label] = _measure(port, token, params, alive)
            figures = measured[label]
            progress(
                f"{NAME}: {label}: {figures['cases']} cases, p50 {figures['p50_ms']} ms,"
                f" p99 {figures['p99_ms']} ms"
            )
        result["filters"] = measured
        result["goal_p99_ms"] = GOAL_P99_MS
        result["goal_met"] = all(m["p99_ms"] < GOAL_P99_MS for m in measured.values())
        result["load_average_after"] = load_average()
        return result
    finally:
        supervisor.stop(server)
