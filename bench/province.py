"""``python -m bench.run --profile province``: a province's day against the production layout.

``bench.run`` prepares what every run has (PostgreSQL and Redis, a throwaway database migrated
with the demo data, the in-process fakes, the environment) and hands over to ``run`` here:

1. **Layout**, as ``docs/operations.md`` documents it: ``jiujinban serve --workers N`` (one
   process per core) and N ``jiujinban worker`` processes, plus the bare baseline
   (``bench/baseline_app.py``, also N processes) for the comparison.
2. **Cast** (``bench.province_setup``): citizens over every township, the item, the window
   clerks, the supervisor's portal session.
3. **Baseline in the same run** (not with ``--soak``): the citizen part of the mix that the
   baseline mirrors (``MIRRORED_OPS``: uploads, submissions, case detail, my cases, item
   detail) at the peak mean, open loop, against the baseline and the app in turn (A B B A),
   workers stopped so only the server and its PostgreSQL backends work; CPU per request of each.
4. **The workers start**, drain what the comparison left, and one case goes through the whole
   chain (``smoke_case``), which also signs in the back office of the item's department.
5. **The day**: ``--minutes`` (10) at the peak mean with the burst minutes
   (``province_profile.segments``), open loop, from ``--load-processes`` processes of
   ``bench.province_load``. CPU of the API, the workers and PostgreSQL, the database's size and
   the uploads' bytes before and after, the outbox and arq queue every 30 s, then the
   notifications settle.
6. **Step search** when the goal is missed: ``STEP_LADDER`` multiples of the peak mean for
   ``--step-seconds`` each, highest first, until one meets the goal.
7. **Soak** (``--soak``) instead of 3, 5 and 6: ``--soak-minutes`` (60) at the peak mean;
   every 30 s the RSS of every process, the queue depth; afterwards the p99 of each interval,
   whether each series stayed flat, an SVG plot.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import psutil
import redis
from rich.console import Console
from rich.table import Table

from backend.fakes.wechat_server import FakeWeChat
from bench import machine
from bench.cpu import _cpu, _tree
from bench.processes import ChildFailed, Supervisor
from bench.province_profile import (
    CASE_LIFE_S,
    DASHBOARD_EVERY_S,
    GOAL_CPU_RATIO,
    GOAL_P99_MS,
    MIRRORED_OPS,
    NOTIFIED_EVENTS,
    NOTIFY_SEND_RATE,
    PEAK_CASES_PER_S,
    PHOTO_SIZE,
    PHOTOS_PER_CASE,
    RUN_MINUTES,
    SOAK_MINUTES,
    SOAK_SAMPLE_S,
    STEP_LADDER,
    STEP_SECONDS,
    Segment,
    burst_minutes,
    expected_cases,
    figures,
    segments,
)
from bench.province_report import (
    OpFigures,
    errors_of,
    flatness,
    goal_misses,
    interval_p99,
    merge,
    missed_windows,
    op_figures,
    soak_svg,
)
from bench.province_setup import Cast, citizens_needed, smoke_case
from bench.province_setup import build as build_cast
from bench.queue_latency import wait_worker_ready
from notifications.templates import parse_config

NAME = "province"
OUTPUT = Path("test-artifacts/province.json")
SOAK_OUTPUT = Path("test-artifacts/province-soak.json")
SOAK_PLOT = Path("docs/img/soak.svg")
TRIAL_PLOT = Path("test-artifacts/soak.svg")
PHOTO_BASES = 12
VARIANTS_PER_PHASE = 300_000
COMPARE_SECONDS = 120.0
SETTLE_TIMEOUT_S = 180.0
SETTLE_IDLE_S = 30.0
DRAIN_TIMEOUT_S = 600.0
START_DELAY_S = 6.0
"""The load processes start together this long after they are spawned (their photos are
made first)."""
ACTION_OF = {
    "case.received": "submit",
    "case.accepted": "accept",
    "case.result_ready": "issue_result",
    "case.delivered": "deliver",
}


@dataclass
class Layout:
    """The processes and services of the run."""

    supervisor: Supervisor
    cli: list[str]
    env: dict[str, str]
    run_dir: Path
    database_url: str
    database: str
    redis_url: str
    queue: str
    wechat: FakeWeChat
    progress: Callable[[str], None]
    ports: dict[str, int] = field(default_factory=dict)
    servers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    phases: int = 0

    def check(self) -> None:
        for who, proc in self.servers.items():
            self.supervisor.check_alive(proc, who)
        for k, proc in enumerate(self.workers):
            self.supervisor.check_alive(proc, f"{NAME}-worker-{k + 1}")

    def start_workers(self, n: int) -> None:
        env = {**self.env, "LOG_LEVEL": "INFO", "NOTIFY_SEND_RATE": str(NOTIFY_SEND_RATE)}
        for k in range(n):
            name = f"{NAME}-worker-{k + 1}"
            proc = self.supervisor.spawn([*self.cli, "worker"], env=env, name=name)
            self.workers.append(proc)
        for k, proc in enumerate(self.workers):
            name = f"{NAME}-worker-{k + 1}"
            wait_worker_ready(
                self.supervisor.log_path(name),
                lambda p=proc, n=name: self.supervisor.check_alive(p, n),  # type: ignore[misc]
            )

    def pids(self) -> dict[str, list[int]]:
        """Every process of the layout, by role: each API process, each worker process."""
        out: dict[str, list[int]] = {}
        if "app" in self.servers:
            out["api"] = _tree(self.servers["app"].pid)
        out["workers"] = [p for w in self.workers for p in _tree(w.pid)]
        return out


# --- measuring ----------------------------------------------------------------------------------


async def _fetch(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def _query(layout: Layout, sql: str, *args: Any) -> list[asyncpg.Record]:
    return asyncio.run(_fetch(layout.database_url, sql, *args))


def backends(layout: Layout) -> list[int]:
    rows = _query(
        layout,
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        layout.database,
    )
    return [int(r["pid"]) for r in rows]


def cpu_sample(layout: Layout, groups: Mapping[str, list[int]]) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each process of each group, and of the database's backends."""
    out: dict[str, dict[int, float]] = {}
    for group, pids in {**groups, "postgres": backends(layout)}.items():
        out[group] = {p: v for p in pids if (v := _cpu(p)) is not None}
    return out


def cpu_spent(
    layout: Layout, groups: Mapping[str, list[int]], before: Mapping[str, Mapping[int, float]]
) -> dict[str, float]:
    after = cpu_sample(layout, groups)
    return {
        group: round(
            sum(max(0.0, v - before.get(group, {}).get(p, 0.0)) for p, v in now.items()), 3
        )
        for group, now in after.items()
    }


def database_bytes(layout: Layout) -> int:
    rows = _query(layout, "SELECT pg_database_size($1) AS n", layout.database)
    return int(rows[0]["n"])


def upload_bytes(layout: Layout) -> int:
    root = Path(layout.env["STORAGE_DIR"])
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def queue_depth(layout: Layout) -> dict[str, int]:
    rows = _query(
        layout, "SELECT status, count(*) AS n FROM outbox_event WHERE status <> 'done' GROUP BY 1"
    )
    client = redis.Redis.from_url(layout.redis_url, socket_timeout=5)
    try:
        arq = int(client.zcard(layout.queue))  # type: ignore[arg-type]
    finally:
        client.close()  # type: ignore[no-untyped-call]
    by_status = {str(r["status"]): int(r["n"]) for r in rows}
    return {"outbox_not_done": sum(by_status.values()), "arq_queue": arq, **by_status}


def drain(layout: Layout, timeout_s: float = DRAIN_TIMEOUT_S) -> int:
    """Wait until no outbox row is pending; how many there were at first."""
    first = queue_depth(layout).get("pending", 0)
    deadline = time.monotonic() + timeout_s
    while queue_depth(layout).get("pending", 0):
        layout.check()
        if time.monotonic() > deadline:
            raise ChildFailed(f"{NAME}: the outbox did not drain within {timeout_s:.0f} s")
        time.sleep(1.0)
    return first


def memory(layout: Layout) -> dict[str, float]:
    """RSS in MB of every process: each API and worker process, each PostgreSQL backend of the
    bench database (and its private part, USS), Redis (``used_memory_rss``)."""
    out: dict[str, float] = {}
    for role, pids in layout.pids().items():
        for k, pid in enumerate(sorted(pids)):
            try:
                out[f"{role}-{k}"] = round(psutil.Process(pid).memory_info().rss / 2**20, 1)
            except psutil.Error:
                continue
    uss = rss = 0.0
    for pid in backends(layout):
        try:
            info = psutil.Process(pid).memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss / 2**20
        uss += info.uss / 2**20
    out["postgres-backends-rss"] = round(rss, 1)
    out["postgres-backends-uss"] = round(uss, 1)
    client = redis.Redis.from_url(layout.redis_url, socket_timeout=5)
    try:
        found: dict[str, Any] = client.info("memory")  # type: ignore[assignment]
        out["redis"] = round(int(found["used_memory_rss"]) / 2**20, 1)
    finally:
        client.close()  # type: ignore[no-untyped-call]
    return out


# --- running the load ---------------------------------------------------------------------------


def run_load(
    layout: Layout,
    cast: Cast,
    *,
    tag: str,
    port: int,
    parts: Sequence[Segment],
    shards: int,
    ops: frozenset[str] | None = None,
    dashboard: bool = True,
    citizen_offset: int = 0,
    every: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run ``bench.province_load`` processes over ``parts``; their merged output."""
    layout.phases += 1
    plan = {
        **cast.plan_part(),
        "port": port,
        "ops": sorted(ops) if ops else None,
        "segments": [[p.start_s, p.end_s, p.cases_per_s, p.burst] for p in parts],
        "photo_bases": PHOTO_BASES,
        "photo_size": list(PHOTO_SIZE),
        "variant_offset": layout.phases * VARIANTS_PER_PHASE,
        "citizen_offset": citizen_offset,
        "start_at": time.time() + START_DELAY_S,
        "seed": layout.phases,
    }
    if not dashboard:
        plan["dashboard_cookie"] = ""
    procs = []
    outs = []
    for k in range(shards):
        path = layout.run_dir / f"{tag}-plan-{k}.json"
        out = layout.run_dir / f"{tag}-out-{k}.json"
        path.write_text(json.dumps({**plan, "shard": [k, shards]}, ensure_ascii=False))
        name = f"{NAME}-load-{tag}-{k}"
        argv = [sys.executable, "-m", "bench.province_load", str(path), str(out)]
        procs.append((layout.supervisor.spawn(argv, env=layout.env, name=name), name))
        outs.append(out)
    last = 0.0
    while any(p.poll() is None for p, _ in procs):
        layout.check()
        for proc, name in procs:
            if proc.poll() not in (None, 0):
                layout.supervisor.check_alive(proc, name)
        if every is not None and time.monotonic() - last >= 1.0:
            last = time.monotonic()
            every()
        time.sleep(0.2)
    for proc, name in procs:
        layout.supervisor.check_alive(proc, name) if proc.returncode else None
        layout.supervisor.stop(proc)
    return merge([json.loads(o.read_text()) for o in outs])


def _requests(merged: Mapping[str, Any]) -> int:
    return sum(len(c["status"]) for c in merged["ops"].values())


def _errors(merged: Mapping[str, Any]) -> int:
    return sum(1 for c in merged["ops"].values() for s in c["status"] if not 200 <= s < 300)


def compare(layout: Layout, cast: Cast, *, seconds: float, shards: int) -> dict[str, Any]:
    """The mirrored citizen mix at the peak mean against the baseline and the app, A B B A."""
    quarter = seconds / 4
    part = [Segment(0.0, quarter, PEAK_CASES_PER_S, False)]
    totals: dict[str, dict[str, Any]] = {
        who: {"requests": 0, "errors": 0, "server_s": 0.0, "postgres_s": 0.0, "latency": []}
        for who in ("app", "baseline")
    }
    for k, who in enumerate(("app", "baseline", "baseline", "app")):
        layout.progress(f"{NAME}: baseline comparison, round {k + 1} of 4: {who}, {quarter:g} s …")
        groups = {"server": _tree(layout.servers[who].pid)}
        before = cpu_sample(layout, groups)
        merged = run_load(
            layout,
            cast,
            tag=f"compare-{k}",
            port=layout.ports[who],
            parts=part,
            shards=shards,
            ops=MIRRORED_OPS,
            dashboard=False,
            citizen_offset=k * 97,
        )
        spent = cpu_spent(layout, groups, before)
        t = totals[who]
        t["requests"] += _requests(merged)
        t["errors"] += _errors(merged)
        t["server_s"] += spent["server"]
        t["postgres_s"] += spent["postgres"]
        t["latency"] += [ms for c in merged["ops"].values() for ms in c["latency_ms"]]
        t.setdefault("error_samples", []).extend(
            s for samples in merged["errors"].values() for s in samples[:2]
        )
    out: dict[str, Any] = {
        "rate_cases_per_s": round(PEAK_CASES_PER_S, 3),
        "seconds_per_server": seconds / 2,
        "ops": sorted(MIRRORED_OPS),
    }
    for who, t in totals.items():
        n = max(1, t["requests"])
        out[who] = {
            "requests": t["requests"],
            "errors": t["errors"],
            "error_samples": t.get("error_samples", [])[:5],
            "cpu_seconds": {
                "server": round(t["server_s"], 2),
                "postgres": round(t["postgres_s"], 2),
            },
            "cpu_ms_per_request": {
                "server": round(t["server_s"] / n * 1000, 3),
                "postgres": round(t["postgres_s"] / n * 1000, 3),
                "total": round((t["server_s"] + t["postgres_s"]) / n * 1000, 3),
            },
            "p50_ms": _pct(t["latency"], 50),
            "p99_ms": _pct(t["latency"], 99),
        }
    app, base = out["app"]["cpu_ms_per_request"], out["baseline"]["cpu_ms_per_request"]
    out["ratio"] = {k: round(app[k] / base[k], 3) if base[k] else None for k in ("server", "total")}
    return out


def _pct(values: Sequence[float], q: float) -> float | None:
    from bench.queue_latency import percentile

    value = percentile(values, q)
    return None if value is None else round(value, 1)


# --- the notifications --------------------------------------------------------------------------


def template_events(env: Mapping[str, str]) -> dict[str, str]:
    """Template id → event, for the four events of a case."""
    configured = parse_config(env.get("WECHAT_TEMPLATES", ""))
    return {configured[e].template_id: e for e in NOTIFIED_EVENTS}


def receipts(wechat: FakeWeChat, events: Mapping[str, str]) -> dict[tuple[str, str], datetime]:
    """(case number, event) → when the fake WeChat first accepted its message."""
    out: dict[tuple[str, str], datetime] = {}
    for m in wechat.messages():
        event = events.get(str(m.get("template_id")))
        if event is None:
            continue
        number = str(m["data"]["character_string1"]["value"])
        out.setdefault((number, event), datetime.fromisoformat(str(m["at"])))
    return out


def notifications(
    layout: Layout, merged: Mapping[str, Any], env: Mapping[str, str]
) -> dict[str, Any]:
    """Wait for the messages of the run's cases (those whose submission was answered 201).
    Expected: one per status change of theirs the citizen hears of, as ``case_event`` has them
    (answered to the client or not); latency: the first receipt − the event's time."""
    events = template_events(env)
    numbers = set(merged["submitted"])
    rows = _query(
        layout,
        'SELECT c.number, e.action, e.at FROM case_event e JOIN case_record c ON c.id = e."case"'
        " WHERE c.number = ANY($1::text[]) AND e.action = ANY($2::text[])",
        sorted(numbers),
        sorted(ACTION_OF.values()),
    )
    at = {(str(r["number"]), str(r["action"])): r["at"] for r in rows}
    expected = len(at)
    started = time.monotonic()
    seen, since = -1, time.monotonic()
    while True:
        got = {k: v for k, v in receipts(layout.wechat, events).items() if k[0] in numbers}
        if len(got) >= expected:
            break
        if len(got) != seen:
            seen, since = len(got), time.monotonic()
        if (
            time.monotonic() - since > SETTLE_IDLE_S
            or time.monotonic() - started > SETTLE_TIMEOUT_S
        ):
            break
        layout.check()
        time.sleep(1.0)
    delays = [
        (when - at[(n, ACTION_OF[e])]).total_seconds() * 1000
        for (n, e), when in got.items()
        if (n, ACTION_OF[e]) in at
    ]
    by_event = {e: sum(1 for (_, ev) in got if ev == e) for e in NOTIFIED_EVENTS}
    return {
        "expected": expected,
        "delivered": len(got),
        "missing": max(0, expected - len(got)),
        "by_event": by_event,
        "settle_seconds": round(time.monotonic() - started, 1),
        "event_to_wechat_ms": {
            "p50": _pct(delays, 50),
            "p99": _pct(delays, 99),
            "max": _pct(delays, 100),
        },
    }


# --- the phases ---------------------------------------------------------------------------------


@dataclass
class Phase:
    """One measured load: the day, a step of the search, or the soak."""

    name: str
    multiple: float
    parts: list[Segment]
    merged: dict[str, Any]
    figures: dict[str, OpFigures]
    cpu_s: dict[str, float]
    seconds: float
    misses: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return len(self.merged["submitted"])

    def to_json(self) -> dict[str, Any]:
        arrived = max(1, self.merged["cases"])  # CPU per case: over every case that arrived
        answered = max(1, _requests(self.merged) - _errors(self.merged))
        return {
            "name": self.name,
            "multiple_of_peak_mean": self.multiple,
            "cases_per_s": round(PEAK_CASES_PER_S * self.multiple, 3),
            "segments": [
                [p.start_s, p.end_s, round(p.cases_per_s, 3), p.burst] for p in self.parts
            ],
            "cases_planned": self.merged["cases"],
            "cases_submitted": self.cases,
            "requests": _requests(self.merged),
            "errors": errors_of(self.figures, self.merged),
            "error_samples": self.merged["errors"],
            "skipped_after_a_failed_step": self.merged["skipped"],
            "cases_never_queued": self.merged["never_queued"],
            "queue_reads_before_the_case_was_there": self.merged["queue_polls"],
            "client_send_lag_p99_ms": self.merged["lag_p99_ms"],
            "wall_seconds": round(self.seconds, 1),
            "ops": {op: f.to_json() for op, f in self.figures.items()},
            "cpu_seconds": self.cpu_s,
            "cpu_ms_per_case": {g: round(s / arrived * 1000, 1) for g, s in self.cpu_s.items()},
            "cpu_ms_per_answered_request": {
                g: round(s / answered * 1000, 3) for g, s in self.cpu_s.items()
            },
            "goal_misses": self.misses,
            **self.extra,
        }


def measure(
    layout: Layout,
    cast: Cast,
    *,
    name: str,
    parts: list[Segment],
    multiple: float,
    shards: int,
    citizen_offset: int,
    every: Callable[[], None] | None = None,
) -> Phase:
    groups = layout.pids()
    before = cpu_sample(layout, groups)
    started = time.monotonic()
    merged = run_load(
        layout,
        cast,
        tag=name,
        port=layout.ports["app"],
        parts=parts,
        shards=shards,
        citizen_offset=citizen_offset,
        every=every,
    )
    seconds = time.monotonic() - started
    cpu = cpu_spent(layout, groups, before)
    cpu = {
        "api": cpu.get("api", 0.0),
        "workers": cpu.get("workers", 0.0),
        "postgres": cpu["postgres"],
    }
    figs = op_figures(merged, parts)
    windows = ("peak", "burst") if any(p.burst for p in parts) else ("peak",)
    misses = goal_misses(figs, errors=errors_of(figs, merged), cpu_ratio=None, windows=windows)
    return Phase(name, multiple, parts, merged, figs, cpu, seconds, misses)


def step_search(
    layout: Layout,
    cast: Cast,
    *,
    start_below: float,
    seconds: float,
    shards: int,
) -> tuple[float | None, list[dict[str, Any]]]:
    """Multiples of the peak mean from the ladder, highest first below ``start_below``, each
    for ``seconds``; the first that meets the goal (p99 and errors) and every step's figures."""
    steps = []
    minutes = max(1, round(seconds / 60))
    for k, multiple in enumerate(m for m in STEP_LADDER if m < start_below):
        drained = drain(layout)
        layout.progress(
            f"{NAME}: step {k + 1}: {multiple:g}× the peak mean "
            f"({PEAK_CASES_PER_S * multiple:.2f} cases/s) for {minutes} min …"
        )
        parts = segments(minutes, multiple=multiple, bursts=False)
        phase = measure(
            layout,
            cast,
            name=f"step-{k}",
            parts=parts,
            multiple=multiple,
            shards=shards,
            citizen_offset=1000 + k * 131,
        )
        phase.extra["outbox_drained_before"] = drained
        phase.extra["queue_at_end"] = queue_depth(layout)
        steps.append(phase.to_json())
        layout.progress(
            f"{NAME}: step {multiple:g}×: "
            + ("meets the goal" if not phase.misses else "; ".join(phase.misses[:4]))
        )
        if not phase.misses:
            return multiple, steps
    return None, steps


# --- the run ------------------------------------------------------------------------------------


def run(
    *,
    supervisor: Supervisor,
    cli: list[str],
    env: dict[str, str],
    run_dir: Path,
    database_url: str,
    database: str,
    redis_url: str,
    wechat: FakeWeChat,
    password: str,
    upload_max_per_day: int,
    args: Any,
    wait_ready: Callable[[Supervisor, Any, str, int], None],
    free_port: Callable[[], int],
    progress: Callable[[str], None],
) -> tuple[dict[str, Any], bool]:
    """The whole profile; the JSON document and whether it had errors."""
    layout = Layout(
        supervisor, cli, env, run_dir, database_url, database, redis_url, env["ARQ_QUEUE"],
        wechat, progress,
    )  # fmt: skip
    soak = bool(args.soak)
    minutes = args.soak_minutes if soak else args.minutes
    serve = str(args.workers)
    layout.ports["app"] = free_port()
    # behind a load balancer, as deployed: the client address is the forwarded one
    layout.env = env = {**env, "TRUSTED_PROXIES": "127.0.0.1/32"}
    layout.servers["app"] = supervisor.spawn(
        [*cli, "serve", "--workers", serve, "--port", str(layout.ports["app"])], env=env, name="app"
    )
    if not soak:
        layout.ports["baseline"] = free_port()
        layout.servers["baseline"] = supervisor.spawn(
            [
                sys.executable, "-m", "uvicorn", "bench.baseline_app:create_app", "--factory",
                "--host", "127.0.0.1", "--port", str(layout.ports["baseline"]),
                "--workers", serve, "--log-level", "warning", "--no-access-log",
            ],
            env=env,
            name="baseline",
        )  # fmt: skip
    for who, proc in layout.servers.items():
        wait_ready(supervisor, proc, who, layout.ports[who])

    parts = arrivals(args)
    planned = expected_cases(parts)
    if not soak:
        planned += round(args.compare_seconds * PEAK_CASES_PER_S)
        planned += round(
            sum(m for m in STEP_LADDER if m < 1.0) * PEAK_CASES_PER_S * args.step_seconds
        )
    people = citizens_needed(planned, upload_max_per_day)
    progress(f"{NAME}: {people} citizens over every township, the clerks, the supervisor …")
    started = time.perf_counter()
    events = template_events(env)
    cast = build_cast(
        layout.ports["app"], database_url, citizens=people, password=password,
        templates=sorted(events),
    )  # fmt: skip
    progress(
        f"{NAME}: set up in {time.perf_counter() - started:.0f} s: item {cast.item['code']} "
        f"({'、'.join(cast.item['materials'])}), {len(cast.clerks)} township windows"
    )
    document: dict[str, Any] = {
        "profile": NAME,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(database_url=database_url, redis_url=redis_url),
        "load_average_before": machine.load_average(),
        "layout": {
            "serve_processes": args.workers,
            "worker_processes": args.arq_workers,
            "load_processes": args.load_processes,
            "notify_send_rate": NOTIFY_SEND_RATE,
            "app_log": {"level": env.get("LOG_LEVEL"), "json": env.get("LOG_JSON")},
        },
        "figures": asdict(figures(minutes)),
        "minutes": minutes,
        "burst_minutes": [] if soak else list(burst_minutes(minutes)),
        "citizens": people,
        "item": {k: v for k, v in cast.item.items() if k != "form"},
    }
    errors = 0
    cpu_ratio = None
    if not soak:
        compared = compare(layout, cast, seconds=args.compare_seconds, shards=args.load_processes)
        document["baseline_comparison"] = compared
        errors += compared["app"]["errors"] + compared["baseline"]["errors"]
        cpu_ratio = compared["ratio"]["total"]
        supervisor.stop(layout.servers.pop("baseline"))
    progress(f"{NAME}: starting {args.arq_workers} workers …")
    layout.start_workers(args.arq_workers)
    document["backlog_before"] = drain(layout)
    received = lambda number: {  # noqa: E731
        e for (n, e) in receipts(wechat, events) if n == number
    }
    document["smoke_case"] = smoke_case(layout.ports["app"], cast, password, received)
    progress(f"{NAME}: one case through the whole chain: {document['smoke_case']}")
    if soak:
        phase, samples = _soak(layout, cast, parts, minutes, args)
        document["soak"] = samples
    else:
        phase = _day(layout, cast, parts, minutes, args)
    phase.misses = goal_misses(
        phase.figures,
        errors=errors_of(phase.figures, phase.merged),
        cpu_ratio=cpu_ratio,
        windows=("peak",) if soak else ("peak", "burst"),
    )
    document["run"] = phase.to_json()
    notified = notifications(layout, phase.merged, env)
    document["notifications"] = notified
    document["queue_after_settle"] = queue_depth(layout)
    errors += errors_of(phase.figures, phase.merged) + notified["missing"]
    if notified["missing"]:
        phase.misses.append(f"{notified['missing']} notifications not delivered")
    document["goal"] = {
        "p99_ms_below": GOAL_P99_MS,
        "errors": 0,
        "cpu_ratio_at_most": GOAL_CPU_RATIO,
        "met": not phase.misses,
        "misses": phase.misses,
    }
    if not soak and phase.misses and not args.no_search:
        windows = missed_windows(phase.misses)
        start_below = 1.0 if "peak" in windows or "ramp" in windows or not windows else 3.0
        best, steps = step_search(
            layout, cast, start_below=start_below, seconds=args.step_seconds,
            shards=args.load_processes,
        )  # fmt: skip
        document["step_search"] = {
            "step_seconds": args.step_seconds,
            "highest_multiple_meeting_goal": best,
            "highest_cases_per_s_meeting_goal": None
            if best is None
            else round(best * PEAK_CASES_PER_S, 3),
            "steps": steps,
        }
        errors += 0  # a step's errors find the limit; they are not the run's errors
    document["load_average_after"] = machine.load_average()
    return document, errors > 0


def _day(layout: Layout, cast: Cast, parts: list[Segment], minutes: int, args: Any) -> Phase:
    samples: list[dict[str, Any]] = []
    t0 = time.monotonic()

    def every() -> None:
        if time.monotonic() - t0 >= len(samples) * SOAK_SAMPLE_S:
            samples.append({"t_s": round(time.monotonic() - t0, 1), **queue_depth(layout)})

    db_before, files_before = database_bytes(layout), upload_bytes(layout)
    layout.progress(
        f"{NAME}: {minutes} min at {PEAK_CASES_PER_S:.2f} cases/s, bursts of "
        f"{3 * PEAK_CASES_PER_S:.0f}/s in minutes {list(burst_minutes(minutes))} (from 0) …"
    )
    phase = measure(
        layout, cast, name="day", parts=parts, multiple=1.0, shards=args.load_processes,
        citizen_offset=0, every=every,
    )  # fmt: skip
    phase.extra["queue_at_end_of_load"] = queue_depth(layout)
    phase.extra["queue_samples"] = samples
    db_after, files_after = database_bytes(layout), upload_bytes(layout)
    n = max(1, phase.cases)
    stored = max(1, phase.figures["upload"].statuses.get("201", 0))
    per_photo = (files_after - files_before) / stored
    phase.extra["storage"] = {
        "database_bytes_before": db_before,
        "database_bytes_after": db_after,
        "database_gb_per_million_cases": round((db_after - db_before) / n * 1e6 / 1e9, 2),
        "upload_bytes_added": files_after - files_before,
        "uploads_stored": stored,
        "upload_bytes_per_photo": round(per_photo),
        "uploads_gb_per_million_cases": round(per_photo * PHOTOS_PER_CASE * 1e6 / 1e9, 1),
        "note": "database: growth ÷ cases submitted, right after the load (before autovacuum "
        "settles); uploads: bytes on disk ÷ uploads stored × 3 photos a case",
    }
    return phase


def arrivals(args: Any) -> list[Segment]:
    """The run's arrivals: the day (``--minutes``, with bursts) at the peak mean, or the soak
    (``--soak-minutes``, no bursts) at ``--soak-multiple`` of it."""
    if args.soak:
        multiple = float(getattr(args, "soak_multiple", 1.0))
        return segments(args.soak_minutes, multiple=multiple, bursts=False)
    return segments(args.minutes, bursts=True)


def _soak(
    layout: Layout, cast: Cast, parts: list[Segment], minutes: int, args: Any
) -> tuple[Phase, dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    t0 = time.monotonic()

    def every() -> None:
        if time.monotonic() - t0 >= len(rows) * SOAK_SAMPLE_S:
            at = time.monotonic() - t0
            rows.append({"t_s": round(at, 1), "rss_mb": memory(layout), **queue_depth(layout)})
            layout.progress(
                f"{NAME} soak {at / 60:5.1f} min: outbox not done {rows[-1]['outbox_not_done']}, "
                f"arq {rows[-1]['arq_queue']}, API RSS "
                f"{sum(v for k, v in rows[-1]['rss_mb'].items() if k.startswith('api')):.0f} MB"
            )

    multiple = float(getattr(args, "soak_multiple", 1.0))
    rate = PEAK_CASES_PER_S * multiple
    layout.progress(f"{NAME}: soak, {minutes} min at {rate:.2f} cases/s …")
    phase = measure(
        layout, cast, name="soak", parts=parts, multiple=multiple, shards=args.load_processes,
        citizen_offset=0, every=every,
    )  # fmt: skip
    intervals = len(rows)
    p99 = interval_p99(phase.merged, interval_s=SOAK_SAMPLE_S, intervals=intervals)
    names = sorted({k for r in rows for k in r["rss_mb"]})
    rss = {k: [r["rss_mb"].get(k) for r in rows] for k in names}
    depth = [float(r["outbox_not_done"]) for r in rows]
    arq = [float(r["arq_queue"]) for r in rows]
    verdicts = {
        f"rss {k}": flatness(v, interval_s=SOAK_SAMPLE_S, floor=5.0) for k, v in rss.items()
    }
    verdicts["p99 of the interval"] = flatness(p99, interval_s=SOAK_SAMPLE_S, floor=20.0)
    verdicts["outbox not done"] = flatness(depth, interval_s=SOAK_SAMPLE_S, floor=50.0)
    verdicts["arq queue"] = flatness(arq, interval_s=SOAK_SAMPLE_S, floor=50.0)
    plot = SOAK_PLOT if minutes >= SOAK_MINUTES else TRIAL_PLOT
    plot.parent.mkdir(parents=True, exist_ok=True)
    x = [r["t_s"] / 60 for r in rows]
    plot.write_text(
        soak_svg(
            [
                ("RSS, MB", rss),
                ("p99 of every request due in the interval, ms", {"p99": p99}),
                ("queue depth", {"outbox not done": depth, "arq queue": arq}),
            ],
            minutes=x,
            title=f"soak: {minutes} min at {rate:.2f} cases/s ({multiple:g}× the peak mean), "
            f"sampled every "
            f"{SOAK_SAMPLE_S:g} s",
        )
    )
    return phase, {
        "multiple_of_peak_mean": multiple,
        "cases_per_s": round(rate, 3),
        "sample_seconds": SOAK_SAMPLE_S,
        "samples": rows,
        "p99_ms_by_interval": p99,
        "flat": {k: v.to_json() for k, v in verdicts.items()},
        "all_flat": all(v.flat is not False for v in verdicts.values()),
        "plot": str(plot),
    }


# --- the report ---------------------------------------------------------------------------------


def _f(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def render(console: Console, document: Mapping[str, Any]) -> None:
    run_ = document["run"]
    fig = document["figures"]
    table = Table(
        title=(
            f"{NAME}: {document['minutes']} min, {fig['peak_cases_per_s']} cases/s "
            f"(bursts {fig['burst_cases_per_s']}/s in minutes {document['burst_minutes']}), "
            f"{run_['cases_submitted']:,} cases, {run_['requests']:,} requests (ms)"
        )
    )
    for col in ("operation", "count", "err", "p50", "p99", "max", "p99 peak", "p99 burst"):
        table.add_column(col, justify="left" if col == "operation" else "right", no_wrap=True)
    for op, f in run_["ops"].items():
        w = f["p99_ms_by_window"]
        table.add_row(
            op, f"{f['count']:,}", str(f["errors"]), _f(f["p50_ms"], 1), _f(f["p99_ms"], 1),
            _f(f["max_ms"]), _f(w.get("peak"), 1), _f(w.get("burst"), 1),
        )  # fmt: skip
    console.print(table)
    cpu = run_["cpu_ms_per_case"]
    console.print(
        f"CPU per case: API {cpu['api']} ms, workers {cpu['workers']} ms, PostgreSQL "
        f"{cpu['postgres']} ms; client send lag p99 {run_['client_send_lag_p99_ms']} ms"
    )
    if (cmp := document.get("baseline_comparison")) is not None:
        a, b = cmp["app"]["cpu_ms_per_request"], cmp["baseline"]["cpu_ms_per_request"]
        console.print(
            f"CPU per request, mirrored citizen mix at {cmp['rate_cases_per_s']} cases/s: app "
            f"{a['server']} + PG {a['postgres']} ms, baseline {b['server']} + PG {b['postgres']}"
            f" ms → {cmp['ratio']['total']}× (server alone {cmp['ratio']['server']}×)"
        )
    if (storage := run_.get("storage")) is not None:
        console.print(
            f"per million cases: database {storage['database_gb_per_million_cases']} GB, "
            f"uploads {storage['uploads_gb_per_million_cases']} GB"
        )
    n = document["notifications"]
    console.print(
        f"notifications: {n['delivered']:,} of {n['expected']:,} delivered; event → WeChat p50 "
        f"{_f(n['event_to_wechat_ms']['p50'])} ms, p99 {_f(n['event_to_wechat_ms']['p99'])} ms;"
        f" queue at the end of the load {run_.get('queue_at_end_of_load', '—')}, after "
        f"settling {document['queue_after_settle']}"
    )
    if (soak := document.get("soak")) is not None:
        for name, v in soak["flat"].items():
            verdict = {True: "flat", False: "[red]GROWS[/red]", None: "too short"}[v["flat"]]
            console.print(
                f"soak {name}: {verdict} (first half {v['first_half_mean']}, second half "
                f"{v['last_half_mean']}, slope/h {v['slope_per_hour']})"
            )
        console.print(f"soak plot: {soak['plot']}")
    goal = document["goal"]
    if goal["met"]:
        console.print("[bold green]goal met[/bold green]")
    else:
        console.print("[bold red]goal missed:[/bold red] " + "; ".join(goal["misses"][:12]))
    if (search := document.get("step_search")) is not None:
        best = search["highest_multiple_meeting_goal"]
        console.print(
            "highest rate meeting the goal: "
            + (
                "none of the steps"
                if best is None
                else f"{best:g}× the peak mean = {search['highest_cases_per_s_meeting_goal']} "
                f"cases/s ({best * fig['peak_cases_per_hour']:,.0f} cases/h)"
            )
        )


def default_output(soak: bool) -> Path:
    return SOAK_OUTPUT if soak else OUTPUT


def check_args(args: Any, parser_error: Callable[[str], None]) -> None:
    """The options that shape the profile's run; none can make the load smaller."""
    if args.minutes < 1 or args.soak_minutes < 1:
        parser_error("--minutes and --soak-minutes must be at least 1")
    if args.arq_workers < 1 or args.load_processes < 1:
        parser_error("--arq-workers and --load-processes must be at least 1")
    if args.step_seconds < 60 or args.compare_seconds < 20:
        parser_error("--step-seconds must be at least 60 and --compare-seconds at least 20")


DEFAULTS = {
    "minutes": RUN_MINUTES,
    "soak_minutes": SOAK_MINUTES,
    "step_seconds": STEP_SECONDS,
    "compare_seconds": COMPARE_SECONDS,
    "dashboard_every_s": DASHBOARD_EVERY_S,
    "case_life_s": CASE_LIFE_S,
}
