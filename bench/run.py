"""``make bench``: the real API against a bare Litestar + asyncpg baseline, on this machine.

usage: python -m bench.run [--duration S] [--rounds N] [--warmup S] [--concurrency C]
                           [--only NAME[,NAME]] [--workers N] [--loadgen auto|wrk|python]
                           [--queue-rate R] [--notify-rate R]
       python -m bench.run --profile province [--minutes M] [--soak [--soak-minutes M]]
                           [--workers N] [--arq-workers N] [--load-processes N] …

``--profile province`` runs a province's day instead of the scenarios (``bench.province``,
``docs/benchmarks.md``, "A province's day"); steps 1, 2 and 6 below are the same.

1. finds or starts PostgreSQL and Redis (``backend.devservices``), creates a throwaway database
   ``jjb_bench_<random>``, migrates it and loads the demo data with the ``jiujinban`` CLI;
2. starts the local WeChat, e-licence and identity-verification fakes in this process, serves
   the real app (``jiujinban serve``) and ``bench/baseline_app.py`` under uvicorn, one worker per
   core each, on free loopback ports, and sets up citizens through the API
   (``bench.citizens``) if a citizen scenario is selected;
3. for ``queue_latency`` (``bench.queue_latency``) starts an arq worker (``jiujinban worker``)
   with the same environment, sends submissions at a fixed rate, reads how long each case took
   to be queued, and stops the worker again;
4. for every scenario of ``bench/scenarios.py`` warms both servers up, then measures them with
   wrk (else ``bench.pyload``) in alternating rounds (app, baseline, baseline, app, …);
5. for ``notify`` (``bench.notify``, last) starts arq workers itself: case event → fake WeChat
   latency at a paced rate, a 20,000-message drain, and a worker SIGKILLed 20 times;
6. prints the table, writes ``test-artifacts/bench.json``, stops everything it started, drops
   the database and deletes the run's Redis keys and uploaded files — also on Ctrl-C. Errors in
   a write scenario (``strict``) are printed in red and make the exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from backend.devservices import (
    Services,
    ServicesError,
    drop_database,
    ensure_services,
    free_port,
)
from backend.logging import configure_logging
from backend.settings import Settings, load_settings
from bench import citizens, loadgen, machine, notify, province, queue_latency, stats_overview
from bench.cpu import CpuMeter
from bench.measure import build_context, measure, smoke_check
from bench.processes import (
    ChildFailed,
    HelpFormatter,
    Supervisor,
    delete_redis_keys,
    describe,
    shielded_cleanup,
    signals_raise,
    with_database,
)
from bench.report import failed, render, render_queue, to_json, write_json
from bench.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(".data/bench")
OUTPUT = Path("test-artifacts/bench.json")
DB_PREFIX = "jjb_bench_"
STARTUP_TIMEOUT_S = 180.0  # a loaded 2-core machine takes more than a minute at times

console = Console(stderr=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = [s.name for s in SCENARIOS] + [queue_latency.NAME, stats_overview.NAME, notify.NAME]
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=describe(__doc__),
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help=f"measured seconds per scenario and server (default 8; {queue_latency.NAME}: "
        f"seconds of paced submissions, default {queue_latency.DEFAULT_SECONDS:g})",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per server")
    parser.add_argument(
        "--rounds", type=int, default=2, help="measured rounds the duration is split into"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these scenarios (repeat or comma-separate): {', '.join(names)}",
    )
    parser.add_argument("--workers", type=int, default=machine.cores(), help="uvicorn workers")
    parser.add_argument(
        "--loadgen", choices=("auto", "wrk", "python"), default="auto", help="load generator"
    )
    parser.add_argument(
        "--queue-rate",
        type=float,
        default=queue_latency.RATE,
        help=f"submissions per second of {queue_latency.NAME}",
    )
    parser.add_argument(
        "--notify-rate",
        type=float,
        default=notify.RATE,
        help=f"case events per second of {notify.NAME}'s latency part",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"where to write the JSON (default {OUTPUT}; --profile province: "
        f"{province.OUTPUT}, with --soak {province.SOAK_OUTPUT})",
    )
    group = parser.add_argument_group(
        "--profile province (a province's day; the load itself is pinned in "
        "bench/province_profile.py)"
    )
    group.add_argument(
        "--profile",
        choices=("scenarios", province.NAME),
        default="scenarios",
        help="what to run: the scenarios, or a province's day",
    )
    group.add_argument(
        "--minutes",
        type=int,
        default=province.DEFAULTS["minutes"],
        help="minutes of the day's peak (bursts in minutes 3, 7, …; a trial under 4 minutes "
        "bursts in its last minute)",
    )
    group.add_argument("--soak", action="store_true", help="the soak instead of the day")
    group.add_argument(
        "--soak-minutes",
        type=int,
        default=province.DEFAULTS["soak_minutes"],
        help="minutes of the soak",
    )
    group.add_argument(
        "--soak-multiple",
        type=float,
        default=1.0,
        help="the soak's rate as a multiple of the peak mean (0 < M ≤ 1; default 1, the peak "
        "mean): on a machine that cannot carry the peak, the highest rate the day met shows "
        "drift rather than overload",
    )
    group.add_argument(
        "--arq-workers",
        type=int,
        default=machine.cores(),
        help="jiujinban worker processes (default: one per core)",
    )
    group.add_argument("--load-processes", type=int, default=1, help="processes sending the load")
    group.add_argument(
        "--compare-seconds",
        type=float,
        default=province.DEFAULTS["compare_seconds"],
        help="seconds of arrivals of the baseline comparison, split over 4 rounds (A B B A)",
    )
    group.add_argument(
        "--step-seconds",
        type=float,
        default=province.DEFAULTS["step_seconds"],
        help="seconds per step of the search for the highest rate that meets the goal",
    )
    group.add_argument(
        "--no-search",
        action="store_true",
        help="no step search when the goal is missed",
    )
    args = parser.parse_args(argv)
    if not 0 < args.soak_multiple <= 1:
        parser.error("--soak-multiple must be above 0 and at most 1")
    if args.profile == province.NAME:
        province.check_args(args, parser.error)
        if args.only:
            parser.error("--only selects scenarios; it does not go with --profile province")
        args.output = args.output or province.default_output(args.soak)
        return args
    if args.soak:
        parser.error("--soak goes with --profile province")
    args.output = args.output or OUTPUT
    wanted = {n.strip() for item in args.only for n in item.split(",") if n.strip()}
    unknown = wanted - set(names)
    if unknown:
        parser.error(f"unknown scenario(s) {sorted(unknown)}; known: {', '.join(names)}")
    args.scenarios = [s for s in SCENARIOS if not wanted or s.name in wanted]
    args.queue_latency = not wanted or queue_latency.NAME in wanted
    args.stats_overview = not wanted or stats_overview.NAME in wanted
    args.notify = not wanted or notify.NAME in wanted
    args.queue_seconds = queue_latency.DEFAULT_SECONDS if args.duration is None else args.duration
    args.notify_seconds = notify.DEFAULT_SECONDS if args.duration is None else args.duration
    args.duration = 8.0 if args.duration is None else args.duration
    if args.duration <= 0 or min(args.concurrency, args.workers, args.rounds) < 1:
        parser.error("--duration, --rounds, --concurrency and --workers must be positive")
    if args.queue_rate <= 0 or args.notify_rate <= 0:
        parser.error("--queue-rate and --notify-rate must be positive")
    return args


def _wait_ready(supervisor: Supervisor, proc: Any, name: str, port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        while time.monotonic() < deadline:
            supervisor.check_alive(proc, name)
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise ChildFailed(f"{name} did not answer /readyz within {STARTUP_TIMEOUT_S:.0f} s")


def _queue_latency(
    supervisor: Supervisor,
    cli: list[str],
    env: dict[str, str],
    port: int,
    context: dict[str, Any],
    args: argparse.Namespace,
    database: str,
    pids: dict[str, int],
    settings: Settings,
) -> queue_latency.QueueResult:
    """Start a worker, run ``queue_latency`` against the app, stop the worker."""
    console.print(f"{queue_latency.NAME}: starting an arq worker …")
    worker = supervisor.spawn([*cli, "worker"], env=env, name="worker")

    def alive() -> None:
        supervisor.check_alive(worker, "worker")

    queue_latency.wait_worker_ready(supervisor.log_path("worker"), alive)
    database_url = env["DATABASE_URL"]
    meter = CpuMeter(database_url, database, {**pids, "worker": worker.pid})
    result = queue_latency.run(
        port=port,
        citizens=context["citizens"],
        database_url=database_url,
        seconds=args.queue_seconds,
        rate=args.queue_rate,
        alive=alive,
        cpu=meter,
        worker={"poll_delay_s": settings.worker_poll_delay_s, "max_jobs": settings.worker_max_jobs},
        load_average=machine.load_average,
        progress=console.print,
    )
    alive()
    supervisor.stop(worker)
    asyncio.run(queue_latency.vacuum(database_url))
    return result


def run(args: argparse.Namespace) -> int:
    load_before = machine.load_average()  # before the bench adds its own
    run_id = secrets.token_hex(4)
    database = f"{DB_PREFIX}{run_id}"
    run_dir = DATA_DIR / "runs" / run_id
    supervisor = Supervisor(run_dir)
    services: Services | None = None
    database_url: str | None = None
    fakes: citizens.Fakes | None = None
    keep_logs = True  # unless the run ends well or is interrupted
    try:
        environ = dict(os.environ)
        if environ.get("DATABASE_URL"):  # the server it names, never the database
            environ["DATABASE_URL"] = with_database(environ["DATABASE_URL"], database)
        console.print(f"bench {run_id}: PostgreSQL and Redis, database {database} …")
        services = ensure_services(environ=environ, data_dir=DATA_DIR, database=database)
        database_url = services.database_url
        fakes = citizens.start_fakes()
        env = {
            **environ,
            "JIUJINBAN_DEV": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": services.redis_url,
            "ARQ_QUEUE": f"arq:queue:jjb-bench-{run_id}",
            "REDIS_PREFIX": f"jjb-bench-{run_id}",
            "STORAGE": "local",
            "STORAGE_DIR": str((run_dir / "uploads").resolve()),
            **fakes.environ(),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "HOST": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
        env.setdefault("LOG_LEVEL", "INFO")  # as deployed: one JSON access-log line per request
        env.setdefault("LOG_JSON", "1")
        settings = load_settings(environ=env)
        cli = [sys.executable, "-m", "backend.cli"]
        for step, timeout_s in ((["migrate"], 300), (["demo", "load"], 300)):
            out = supervisor.run([*cli, *step], env=env, name=step[0], timeout_s=timeout_s)
            console.print(out.strip().splitlines()[-1] if out.strip() else " ".join(step))
        if args.profile == province.NAME:
            document, had_errors = province.run(
                supervisor=supervisor, cli=cli, env=env, run_dir=run_dir,
                database_url=database_url, database=database, redis_url=services.redis_url,
                wechat=fakes.wechat, password=settings.demo_password,
                upload_max_per_day=settings.upload_max_per_day, args=args,
                wait_ready=_wait_ready, free_port=free_port, progress=console.print,
            )  # fmt: skip
            write_json(args.output, document)
            province.render(Console() if sys.stdout.isatty() else Console(width=140), document)
            console.print(f"written {args.output}")
            if had_errors:
                console.print("[bold red]bench: errors in the province run; exit status 1[/]")
                return 1
            keep_logs = False
            return 0
        started = time.perf_counter()
        out = supervisor.run(
            [*cli, "coverage"], env={**env, "COLUMNS": "200"}, name="coverage", timeout_s=120
        )
        coverage_wall_s = time.perf_counter() - started
        coverage_line = next((line for line in out.splitlines() if "用时" in line), "").strip()
        console.print(
            f"jiujinban coverage, whole demo district: {coverage_wall_s:.2f} s wall"
            f" (process start included) — {coverage_line}"
        )

        workers = str(args.workers)
        ports = {"app": free_port()}
        app = supervisor.spawn(
            [*cli, "serve", "--workers", workers, "--port", str(ports["app"])], env=env, name="app"
        )
        servers = {"app": app}
        if args.scenarios:
            ports["baseline"] = free_port()
            servers["baseline"] = supervisor.spawn(
                [
                    sys.executable, "-m", "uvicorn", "bench.baseline_app:create_app", "--factory",
                    "--host", "127.0.0.1", "--port", str(ports["baseline"]), "--workers", workers,
                    "--log-level", "warning", "--no-access-log",
                ],
                env=env,
                name="baseline",
            )  # fmt: skip
        for who, proc in servers.items():
            _wait_ready(supervisor, proc, who, ports[who])
        context = build_context(
            ports["app"],
            settings.demo_password,
            database_url,
            with_citizens=args.queue_latency or any(s.build is not None for s in args.scenarios),
            progress=console.print,
        )
        smoke_check(args.scenarios, ports, context)

        meta: dict[str, Any] = {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine.describe(database_url=database_url, redis_url=services.redis_url),
            "load_average_before": load_before,
            "workers": args.workers,
            "seconds": args.duration,
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
            "app_log": {"level": env["LOG_LEVEL"], "json": env["LOG_JSON"]},
            "coverage_cli": {
                "wall_seconds": round(coverage_wall_s, 3),
                "summary": coverage_line.strip(),
            },
        }
        pids = {who: proc.pid for who, proc in servers.items()}
        queued = None
        if args.queue_latency:  # first: the other scenarios' submissions would be its backlog
            queued = _queue_latency(
                supervisor, cli, env, ports["app"], context, args, database, pids, settings
            )
        results = []
        if args.scenarios:
            generator = loadgen.pick(supervisor, run_dir, prefer=args.loadgen)
            meta["loadgen"] = f"{generator.name}, 127.0.0.1, keep-alive"
            meter = CpuMeter(database_url, database, pids)
            results = measure(generator, args.scenarios, ports, context, args, console.print, meter)
        meta["load_average_after"] = machine.load_average()
        if "citizens" in context:
            meta["citizens"] = context["citizens"].describe()
        for who, proc in servers.items():
            supervisor.check_alive(proc, who)
        document = to_json(meta, results)
        if queued is not None:
            document["queue_latency"] = queued.to_json()
            if queued.errors:
                document["failed"][queue_latency.NAME] = [f"{queued.errors} errors"]
        if args.stats_overview:  # its own kept database of 5 million cases
            document[stats_overview.NAME] = stats_overview.run(
                supervisor, cli, env, workers=args.workers, password=settings.demo_password,
                load_average=machine.load_average, progress=console.print,
            )  # fmt: skip
        notified = None
        if args.notify:  # last: its 20,000-message drain would be the others' backlog
            notified = notify.run(
                supervisor=supervisor, cli=cli, env=env, wechat=fakes.wechat,
                database_url=database_url, redis_url=services.redis_url, queue=env["ARQ_QUEUE"],
                n_workers=machine.cores(), seconds=args.notify_seconds, rate=args.notify_rate,
                load_average=machine.load_average, progress=console.print,
            )  # fmt: skip
            document[notify.NAME] = notified.to_json()
            if notified.errors:
                document["failed"][notify.NAME] = notified.problems
        write_json(args.output, document)
        terminal = Console() if sys.stdout.isatty() else Console(width=120)
        if results:
            render(terminal, meta, results)
        if queued is not None:
            render_queue(terminal, queued)
        if notified is not None:
            notify.render(terminal, notified)
        console.print(f"written {args.output}")
        keep_logs = False
        if (
            failed(results)
            or (queued is not None and queued.errors)
            or (notified is not None and notified.errors)
        ):
            console.print("[bold red]bench: errors in write scenarios; exit status 1[/bold red]")
            return 1
        return 0
    except (ChildFailed, ServicesError, httpx.HTTPError) as exc:
        console.print(f"[red]bench failed:[/red] {exc}")
        return 1
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; cleaning up[/yellow]")
        keep_logs = False
        return 130
    finally:
        shielded_cleanup()
        supervisor.stop_all()
        if database_url is not None and database.startswith(DB_PREFIX):
            try:
                drop_database(database_url)
            except Exception as exc:  # report and go on stopping services
                console.print(f"[red]could not drop {database}:[/red] {exc!r}")
        if fakes is not None:
            fakes.stop()
        if services is not None:
            try:
                delete_redis_keys(services.redis_url, f"*jjb-bench-{run_id}*")
            except Exception as exc:  # report and go on stopping services
                console.print(f"[red]could not delete this run's Redis keys:[/red] {exc!r}")
            services.stop()
        if not keep_logs:
            shutil.rmtree(run_dir, ignore_errors=True)
        elif run_dir.exists():
            console.print(f"logs kept in {run_dir}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    configure_logging(level="WARNING")
    with signals_raise():
        sys.exit(run(args))


if __name__ == "__main__":
    main()
