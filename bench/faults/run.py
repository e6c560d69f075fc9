"""``make faults``: every fault scenario against real processes, and one table of what survived.

usage: python -m bench.faults [--short] [--only NAME[,NAME]] [--output PATH] [--list]

1. finds or starts PostgreSQL and Redis (``backend.devservices``), creates a template database
   ``jjb_faults_<run>_tpl``, migrates it and loads the demo data with the ``jiujinban`` CLI;
2. for every scenario: a database copied from the template, its own ``ARQ_QUEUE`` and
   ``REDIS_PREFIX``, its own upload folder, fresh local fakes (WeChat, e-licence, 实名核验, SMS)
   in this process; the scenario starts the processes it needs (``serve``, ``worker``, servers of
   its own that it restarts), breaks something while work flows and counts what was done;
3. prints the table (scenario, work sent, work done, lost, duplicated, time to recover), writes
   ``test-artifacts/faults.json``, stops every process it started, drops the databases and
   deletes the run's Redis keys — also on Ctrl-C. The exit status is 1 when a row misses its goal.

``--short`` is the form ``make test`` runs (``tests/faults``): the same scenarios with less work
(``bench.faults.base.SHORT``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from rich.console import Console
from rich.table import Table

from backend.devservices import Services, drop_database, ensure_services
from backend.fakes.sms_server import FakeSms
from backend.logging import configure_logging
from bench import citizens
from bench.faults.base import FULL, SHORT, FaultEnv, Outcome, Scenario, Size
from bench.processes import (
    HelpFormatter,
    Supervisor,
    delete_redis_keys,
    describe,
    signals_raise,
    with_database,
)

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(".data/faults")
OUTPUT = Path("test-artifacts/faults.json")
DB_PREFIX = "jjb_faults_"

console = Console(stderr=True)


def all_scenarios() -> list[Scenario]:
    """Every scenario, in the order the table lists them."""
    from bench.faults import registry

    return list(registry.SCENARIOS)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults",
        description=describe(__doc__),
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--short", action="store_true", help="less work per scenario (the form make test runs)"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only these scenarios (repeat or comma-separate; --list names them)",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the JSON")
    args = parser.parse_args(argv)
    scenarios = all_scenarios()
    wanted = {n.strip() for item in args.only for n in item.split(",") if n.strip()}
    unknown = wanted - {s.name for s in scenarios}
    if unknown:
        parser.error(
            f"unknown scenario(s) {sorted(unknown)}; known: {', '.join(s.name for s in scenarios)}"
        )
    args.scenarios = [s for s in scenarios if not wanted or s.name in wanted]
    args.size = SHORT if args.short else FULL
    return args


async def _copy_database(template_url: str, name: str) -> str:
    admin = await asyncpg.connect(with_database(template_url, "postgres"), timeout=10)
    try:
        template = urlsplit(template_url).path.lstrip("/")
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return with_database(template_url, name)


class Run:
    """One ``make faults`` run: the services, the template database, a folder for the logs."""

    def __init__(self, size: Size, *, progress: Callable[[str], None] = console.print) -> None:
        self.size = size
        self.id = secrets.token_hex(4)
        self.dir = (DATA_DIR / "runs" / self.id).resolve()
        self.supervisor = Supervisor(self.dir)
        self.progress = progress
        self.services: Services | None = None
        self.template_url = ""
        self.cli = [sys.executable, "-m", "backend.cli"]
        self._databases: list[str] = []

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            JIUJINBAN_DEV="1",
            STORAGE="local",
            HOST="127.0.0.1",
            PYTHONPATH=str(ROOT),
            SECRET_KEY=secrets.token_urlsafe(48),
            LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
            LOG_JSON="1",
            # a killed worker's claimed rows and arq jobs come back within seconds, not minutes
            OUTBOX_LEASE_SECONDS="20",
            JOB_TIMEOUT_SECONDS="10",
            # a scenario binds up to 1,000 citizens' ID numbers, all from 127.0.0.1
            ID_LOOKUP_LIMIT_PER_ADDRESS="1000000",
        )
        return env

    def start(self) -> None:
        template = f"{DB_PREFIX}{self.id}_tpl"
        environ = dict(os.environ)
        if environ.get("DATABASE_URL"):  # the server it names, never the database
            environ["DATABASE_URL"] = with_database(environ["DATABASE_URL"], template)
        self.progress(f"faults {self.id}: PostgreSQL and Redis, template database {template} …")
        self.services = ensure_services(environ=environ, data_dir=DATA_DIR, database=template)
        self.template_url = self.services.database_url
        self._databases.append(self.template_url)
        env = {
            **self.base_env(),
            "DATABASE_URL": self.template_url,
            "REDIS_URL": self.services.redis_url,
        }
        for step in (["migrate"], ["demo", "load"]):
            self.supervisor.run([*self.cli, *step], env=env, name=step[0], timeout_s=600)
        self.progress("template database migrated, demo data loaded")

    @contextmanager
    def scenario_env(self, scenario: Scenario) -> Iterator[FaultEnv]:
        """A copy of the template database, fresh fakes, its own Redis keys; all removed after."""
        assert self.services is not None
        tag = f"{self.id}-{scenario.name}"
        name = f"{DB_PREFIX}{self.id}_{len(self._databases)}"
        database_url = asyncio.run(_copy_database(self.template_url, name))
        self._databases.append(database_url)
        folder = self.dir / scenario.name
        fakes = citizens.start_fakes()
        sms = FakeSms()
        sms.start()
        supervisor = Supervisor(folder)
        env = {
            **self.base_env(),
            "DATABASE_URL": database_url,
            "REDIS_URL": self.services.redis_url,
            "ARQ_QUEUE": f"arq:queue:jjb-faults-{tag}",
            "REDIS_PREFIX": f"jjb-faults-{tag}",
            "STORAGE_DIR": str(folder / "uploads"),
            **fakes.environ(),
            "SMS_URL": sms.url,
        }
        try:
            yield FaultEnv(
                root=ROOT,
                run_dir=folder,
                supervisor=supervisor,
                env=env,
                database_url=database_url,
                redis_url=self.services.redis_url,
                cli=list(self.cli),
                extra={"fakes": fakes, "sms": sms},
            )
        finally:
            supervisor.stop_all()
            sms.stop()
            fakes.stop()
            delete_redis_keys(self.services.redis_url, f"*jjb-faults-{tag}*")
            drop_database(database_url)
            self._databases.remove(database_url)

    def stop(self) -> None:
        self.supervisor.stop_all()
        for url in reversed(self._databases):
            drop_database(url)
        self._databases.clear()
        if self.services is not None:
            self.services.stop()


def render(outcomes: Sequence[Outcome], size: Size) -> Table:
    table = Table(
        title=f"make faults{' --short' if size.short else ''}: what survived",
        caption="lost = acknowledged work never done; dup = done twice (allowed: cut WeChat sends)",
    )
    for column, justify in (
        ("scenario", "left"),
        ("sent", "right"),
        ("done", "right"),
        ("lost", "right"),
        ("dup (allowed)", "right"),
        ("recover s", "right"),
        ("goal", "center"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for o in outcomes:
        table.add_row(
            o.scenario,
            f"{o.sent:,}",
            f"{o.done:,}",
            f"[red]{o.lost}[/]" if o.lost else "0",
            f"{o.duplicated} ({o.allowed_duplicates})",
            "–" if o.recover_s is None else f"{o.recover_s:.1f}",
            "[green]met[/]" if o.ok else "[red]missed[/]",
        )
    return table


def to_json(
    outcomes: Sequence[Outcome],
    size: Size,
    started: datetime,
    names: Sequence[str] = (),
) -> dict[str, object]:
    """The run as JSON; ``names[i]`` is the scenario (its ``--only`` name) of ``outcomes[i]``."""
    return {
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "size": asdict(size),
        "outcomes": [
            {"name": names[i] if i < len(names) else None, **asdict(o), "ok": o.ok}
            for i, o in enumerate(outcomes)
        ],
    }


def run(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    the_run = Run(args.size)
    outcomes: list[Outcome] = []
    names: list[str] = []
    keep_logs = True
    try:
        the_run.start()
        for scenario in args.scenarios:
            console.rule(f"{scenario.name}: {scenario.title}")
            begun = time.monotonic()
            try:
                with the_run.scenario_env(scenario) as env:
                    rows = asyncio.run(scenario.run(env, args.size))
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # one broken scenario is a missed row, not a lost run
                console.print(f"[red]{scenario.name} failed:[/] {exc}")
                console.print(traceback.format_exc(), markup=False, highlight=False)
                rows = [
                    Outcome(
                        scenario=scenario.title,
                        sent=0,
                        done=0,
                        lost=0,
                        duplicated=0,
                        recover_s=None,
                        problems=(f"the scenario failed: {exc}",),
                    )
                ]
            outcomes.extend(rows)
            names.extend(scenario.name for _ in rows)
            console.print(f"{scenario.name}: {time.monotonic() - begun:.0f} s")
            for row in rows:
                for problem in row.problems:
                    console.print(f"[red]{row.scenario}:[/] {problem}")
        console.print(render(outcomes, args.size))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(
            json.dumps(to_json(outcomes, args.size, started, names), ensure_ascii=False, indent=2)
        )
        console.print(f"written {args.output}")
        ok = all(o.ok for o in outcomes)
        keep_logs = not ok
        if not ok:
            console.print(f"[red]a goal was missed[/]; logs kept in {the_run.dir}")
        return 0 if ok else 1
    except KeyboardInterrupt:
        keep_logs = False
        console.print("interrupted: stopping everything …")
        return 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        the_run.stop()
        if not keep_logs:
            shutil.rmtree(the_run.dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for scenario in args.scenarios:
            sys.stdout.write(f"{scenario.name:28} {scenario.title}\n")
        return 0
    configure_logging(level="WARNING")  # the fakes in this process log every request at DEBUG
    with signals_raise():
        return run(args)
