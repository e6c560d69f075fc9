"""``postgres-restart``: PostgreSQL stopped and started again under load.

The scenario owns its server (``bench.faults.own_postgres``): migrated and loaded with the demo
data by the ``jiujinban`` CLI, then ``serve`` (two worker processes, as in production) and a
worker against it. Citizens submit cases continuously, retrying as the mini-program does
(``bench.faults.client``). In each pass the server is stopped one way — fast shutdown,
immediate shutdown, SIGKILL of every server process — kept down a few seconds and started
again; neither the API nor the worker is restarted. Each pass is one row:

- sent: submissions answered 2xx; done: those cases present in PostgreSQL and forwarded to
  their township's queue; lost: acknowledged but absent; duplicated: a citizen with more than
  one case (each citizen submits once, with one ``Idempotency-Key`` for every retry);
- problems: an answer other than 503 ``database_unavailable`` with ``Retry-After`` (or a 409
  ``request_in_progress``) to a submission, ``/readyz`` not saying 503 while the server was
  down, a submission never acknowledged, a backlog not drained, a process that died;
- recover_s: from the server accepting connections again until the backlog was drained (every
  acknowledged case forwarded).

The short form (``make test``) runs the fast and the kill -9 passes only.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Final

import asyncpg
import httpx
from rich.console import Console

from bench.faults.base import FaultEnv, Outcome, Scenario, Size
from bench.faults.case_checks import drain, unfinished
from bench.faults.client import ONE_ADDRESS, Filed, Seen, file_paced
from bench.faults.common import (
    Api,
    Submission,
    case_counts,
    prepare_submissions,
    start_api,
    start_worker,
)
from bench.faults.own_postgres import OwnPostgres, StopMode

console = Console(stderr=True)
DATABASE: Final = "jiujinban"
MODES: Final[tuple[StopMode, ...]] = ("fast", "immediate", "kill")
SHORT_MODES: Final[tuple[StopMode, ...]] = ("fast", "kill")
"""The short form leaves out the immediate shutdown: to the app it is the kill's twin (every
session cut without a word, crash recovery at the start)."""
TITLES: Final[dict[StopMode, str]] = {
    "fast": "PostgreSQL restarted (fast shutdown)",
    "immediate": "PostgreSQL restarted (immediate shutdown)",
    "kill": "PostgreSQL restarted (kill -9)",
}
GIVE_UP_S: Final = 120.0
"""A citizen who has not got an answer after this long counts as not served."""


@dataclass(frozen=True)
class Pace:
    """One pass: submissions spread over ``send_s``; the server stops ``before_s`` into it and
    stays down ``down_s``."""

    before_s: float
    down_s: float
    send_s: float


FULL_PACE: Final = Pace(before_s=3.0, down_s=5.0, send_s=15.0)
SHORT_PACE: Final = Pace(before_s=1.0, down_s=2.5, send_s=4.0)


async def _create_database(pg: OwnPostgres) -> str:
    admin = await asyncpg.connect(pg.url(), timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    return pg.url(DATABASE)


async def _watch_readiness(api: Api, until: asyncio.Event, statuses: Counter[str]) -> None:
    """``/readyz`` twice a second while the server is away."""
    async with httpx.AsyncClient(base_url=api.url, timeout=5) as client:
        while not until.is_set():
            try:
                statuses[str((await client.get("/readyz")).status_code)] += 1
            except httpx.TransportError:
                statuses["network"] += 1
            await asyncio.sleep(0.5)


async def _pass(
    fenv: FaultEnv,
    pg: OwnPostgres,
    api: Api,
    database_url: str,
    mode: StopMode,
    chunk: list[Submission],
    pace: Pace,
) -> Outcome:
    seen = Seen()
    sending = asyncio.create_task(
        file_paced(
            api.url,
            chunk,
            seen,
            rate_per_s=len(chunk) / pace.send_s,
            give_up_after_s=GIVE_UP_S,
        )
    )
    await asyncio.sleep(pace.before_s)
    stopped_at = time.monotonic()
    stop_s = await asyncio.to_thread(pg.stop, mode)
    ready: Counter[str] = Counter()
    back = asyncio.Event()
    watching = asyncio.create_task(_watch_readiness(api, back, ready))
    await asyncio.sleep(max(0.0, stopped_at + pace.down_s - time.monotonic()))
    start_s = await asyncio.to_thread(pg.start)
    up_at = time.monotonic()
    back.set()
    await watching
    filed: list[Filed] = await sending
    numbers = [f.number for f in filed if f.number is not None]
    present, forwarded, drained_at = await drain(database_url, numbers)
    counts = await case_counts(database_url, [f.submission.citizen.id for f in filed])
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    lost = len(set(numbers) - present)

    away = seen.count(stopped_at, up_at)
    first_ok = min(
        (at for at, label in seen.answers if at > up_at and label[0] == "2"), default=None
    )
    problems: list[str] = []
    errors = seen.errors()
    if errors:
        problems.append(
            "the API answered "
            + ", ".join(f"{label} ×{n}" for label, n in errors.most_common())
            + " (the issue wants 503 database_unavailable with Retry-After while the"
            " database is away)"
        )
    if not away.get("503 database_unavailable"):
        problems.append("no submission met the outage: nothing proves the 503")
    if not ready.get("503"):
        problems.append(f"/readyz did not answer 503 while PostgreSQL was down ({dict(ready)})")
    problems += unfinished(
        filed,
        numbers,
        forwarded,
        drained_at,
        give_up_s=GIVE_UP_S,
        after="the restart: the worker did not recover by itself",
    )
    for proc, name in ((api.proc, "serve"), (fenv.extra["pg_worker"], "worker")):
        if proc.poll() is not None:
            problems.append(f"{name} exited ({proc.returncode}) during the outage")
    answers = ", ".join(f"{label} ×{n}" for label, n in away.most_common())
    recovered = (
        f"API 2xx again {first_ok - up_at:.1f} s after the start"
        if first_ok is not None
        else "no 2xx after the start"
    )
    detail = (
        f"stop {stop_s:.1f} s, down {up_at - stopped_at:.1f} s, start {start_s:.1f} s; "
        f"answers while down: {answers or 'none'}; /readyz while down: {dict(ready)}; "
        f"{recovered}; "
    )
    detail += (
        f"{sum(f.sends for f in filed)} sends for {len(filed)} submissions, "
        f"{seen.replayed} answered from the stored first answer"
    )
    return Outcome(
        scenario=TITLES[mode],
        sent=len(numbers),
        done=len(forwarded & present),
        lost=lost,
        duplicated=duplicated,
        recover_s=None if drained_at is None else drained_at - up_at,
        detail=detail,
        problems=tuple(problems),
    )


async def run(fenv: FaultEnv, size: Size) -> list[Outcome]:
    pg = OwnPostgres(fenv.run_dir / "pg")
    began = time.monotonic()

    def progress(what: str) -> None:
        console.print(f"  {time.monotonic() - began:5.1f} s  {what}")

    try:
        await asyncio.to_thread(pg.init)
        await asyncio.to_thread(pg.start)
        database_url = await _create_database(pg)
        progress(f"own PostgreSQL on 127.0.0.1:{pg.port}")
        env = {**fenv.env, **ONE_ADDRESS, "DATABASE_URL": database_url}
        for step in (["migrate"], ["demo", "load"]):
            await asyncio.to_thread(
                fenv.supervisor.run, [*fenv.cli, *step], env=env, name=step[0], timeout_s=300
            )
        progress("migrated, demo data loaded")
        api, fenv.extra["pg_worker"] = await asyncio.gather(
            asyncio.to_thread(start_api, fenv, workers=2, env=env),
            asyncio.to_thread(start_worker, fenv, env=env),
        )
        progress("serve (2 processes) and a worker ready")
        submissions = await prepare_submissions(api.url, size.cases)
        progress(f"{len(submissions)} citizens with their materials uploaded")
        pace = SHORT_PACE if size.short else FULL_PACE
        modes = SHORT_MODES if size.short else MODES
        share = -(-len(submissions) // len(modes))
        outcomes = []
        for i, mode in enumerate(modes):
            chunk = submissions[i * share : (i + 1) * share]
            outcomes.append(await _pass(fenv, pg, api, database_url, mode, chunk, pace))
            progress(f"{mode} stop: {outcomes[-1].sent} acknowledged, backlog drained")
        return outcomes
    finally:
        # the app first: stopped after the server, it would only log the server's absence
        await asyncio.to_thread(fenv.supervisor.stop_all)
        await asyncio.to_thread(pg.close)


SCENARIOS = [
    Scenario(
        name="postgres-restart",
        title="PostgreSQL restarted under load (fast, immediate, kill -9)",
        run=run,
    )
]
