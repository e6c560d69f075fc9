"""``notify``: case events to the (fake) WeChat — latency, backlog drain, SIGKILLed workers.

Real ``jiujinban worker`` processes against the run's PostgreSQL and Redis and the bench's
in-process fake WeChat (``bench.citizens.start_fakes``), which notes the wall-clock time of
every subscribe message it accepts. Rows are written as the domain writes them
(``bench.notify_load``: a submitted case, its ``submit`` event and the ``case.event`` outbox row
in one statement; or planned messages with their ``message.deliver`` rows), and each outbox row
is enqueued to arq after its commit, as the app's doorbell does. ``NOTIFY_SEND_RATE`` is raised
(``SEND_RATE``) so WeChat's shared rate limit is not what is measured.

1. **latency** — one worker per core; a ``case.event`` is written every ``1 / rate`` s for the
   run's seconds (open loop: each write is started on schedule, whether or not the previous one
   has finished). Per event: the fake's receipt time of its message − the event's ``at`` (the
   transaction's time). Both clocks are this host's. Then every message must arrive within
   ``SETTLE_TIMEOUT_S``; one that does not is an error.
2. **drain** — ``DRAIN_MESSAGES`` planned messages (citizens with a credit each) written in one
   statement and enqueued; then one worker per core is started. Reported: from the start of the
   workers to the last message received, and messages/s between the first and the last receipt.
3. **kills** — ``KILL_EVENTS`` case events, one worker at a time, SIGKILLed ``KILLS`` times at a
   random moment (within 0.5 s) after it was seen sending, the next started at once
   (``notify_load.kill_while_sending``). Claimed rows wait for their lease, rows whose arq job
   had started but was not yet claimed are taken off arq's queue by the sweeper once 30 s
   overdue and get a new job id (nothing is deleted by hand: the kills run as in production).
   Every message must reach WeChat;
   the case numbers received more than once are the duplicates, and each must be a message begun
   again (``attempts`` > 1) — anything else is an error.

``bench.run`` runs it after the other scenarios; every worker is stopped at the end of each
part, and by ``Supervisor.stop_all`` on any error or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool
from rich.console import Console
from rich.table import Table

from backend import db
from backend.fakes.wechat_server import FakeWeChat
from backend.outbox.doorbell import ArqDoorbell
from bench import notify_load
from bench.processes import ChildFailed, Supervisor
from bench.queue_latency import percentile, summary_ms, wait_worker_ready

NAME = "notify"
RATE = 100.0
"""Case events per second of the latency part."""
DEFAULT_SECONDS = 30.0
SEND_RATE = 5000
"""``NOTIFY_SEND_RATE`` of the latency and drain parts: far above what the workers reach."""
KILL_SEND_RATE = 50
"""``NOTIFY_SEND_RATE`` of the kill part, so that sending lasts across the 20 kills."""
DRAIN_MESSAGES = 20_000
KILL_EVENTS = 1_000
KILLS = 20
SETTLE_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 900.0
KILL_TIMEOUT_S = 900.0
RING_CONCURRENCY = 200
MAX_IN_FLIGHT = 500


def _received_at(message: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(message["at"]))


def _first_receipts(messages: Sequence[Mapping[str, Any]], tag: str) -> dict[str, datetime]:
    """Case number → when the fake first accepted its message."""
    first: dict[str, datetime] = {}
    for m in messages:
        number = notify_load.case_number_of(m)
        if number.startswith(tag) and number not in first:
            first[number] = _received_at(m)
    return first


@dataclass
class Latency:
    rate: float
    seconds: float
    workers: int
    events: int
    written_seconds: float
    """From the first scheduled write to the last write's commit."""
    write_lag_s: list[float]
    event_to_wechat_s: list[float]
    never_arrived: int
    write_errors: list[str]
    load_before: list[float]
    load_after: list[float]

    @property
    def achieved_rate(self) -> float:
        return self.events / self.written_seconds if self.written_seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "measures": "case.event written → its subscribe message received by the fake WeChat",
            "rate": self.rate,
            "seconds": self.seconds,
            "workers": self.workers,
            "events": self.events,
            "achieved_rate": round(self.achieved_rate, 2),
            "event_to_wechat": summary_ms(self.event_to_wechat_s),
            "write_lag": summary_ms(self.write_lag_s),
            "never_arrived": self.never_arrived,
            "write_errors": self.write_errors[:5],
            "write_error_count": len(self.write_errors),
            "load_average_before": self.load_before,
            "load_average_after": self.load_after,
        }


@dataclass
class Drain:
    messages: int
    workers: int
    seed_seconds: float
    ring_seconds: float
    wall_seconds: float
    """From starting the workers to the last message received."""
    first_to_last_seconds: float
    delivered: int
    load_before: list[float]
    load_after: list[float]

    @property
    def per_second(self) -> float:
        return self.delivered / self.first_to_last_seconds if self.first_to_last_seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "workers": self.workers,
            "seed_seconds": round(self.seed_seconds, 2),
            "enqueue_seconds": round(self.ring_seconds, 2),
            "wall_seconds": round(self.wall_seconds, 2),
            "first_to_last_seconds": round(self.first_to_last_seconds, 2),
            "delivered": self.delivered,
            "messages_per_second": round(self.per_second, 1),
            "messages_per_second_wall": round(self.delivered / self.wall_seconds, 1)
            if self.wall_seconds
            else 0.0,
            "load_average_before": self.load_before,
            "load_average_after": self.load_after,
        }


@dataclass
class Kills:
    events: int
    kills: int
    workers_started: int
    seconds: float
    reached: int
    duplicates: dict[str, int]
    begun_again: int
    """Messages with more than one attempt."""
    unexplained: list[str]
    """Duplicates of a message begun only once (must be none)."""
    send_rate: float
    load_before: list[float]
    load_after: list[float]

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "kills": self.kills,
            "workers_started": self.workers_started,
            "seconds": round(self.seconds, 1),
            "reached_wechat": self.reached,
            "duplicates": len(self.duplicates),
            "duplicate_receipts": sum(c - 1 for c in self.duplicates.values()),
            "duplicate_samples": dict(list(self.duplicates.items())[:10]),
            "messages_begun_again": self.begun_again,
            "unexplained_duplicates": self.unexplained,
            "notify_send_rate": self.send_rate,
            "load_average_before": self.load_before,
            "load_average_after": self.load_after,
        }


@dataclass
class NotifyResult:
    latency: Latency | None = None
    drain: Drain | None = None
    kills: Kills | None = None
    backlog: int = 0
    """Outbox rows left by the scenarios before (their case events), run before the parts."""
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": NAME,
            "earlier_backlog": self.backlog,
            "latency": self.latency.to_json() if self.latency else None,
            "drain": self.drain.to_json() if self.drain else None,
            "kills": self.kills.to_json() if self.kills else None,
            "problems": self.problems,
        }


# --- the parts -----------------------------------------------------------------------------


class _Workers:
    """``jiujinban worker`` processes of one part, started and stopped through the supervisor."""

    def __init__(
        self, supervisor: Supervisor, cli: Sequence[str], env: Mapping[str, str], part: str
    ) -> None:
        self.supervisor = supervisor
        self.argv = [*cli, "worker"]
        self.env = dict(env)
        self.part = part
        self.live: list[tuple[subprocess.Popen[bytes], str]] = []
        self.count = 0

    def spawn(self) -> subprocess.Popen[bytes]:
        for proc, _ in [(p, n) for p, n in self.live if p.poll() is not None]:
            self.supervisor.stop(proc)  # a killed one: reap it and forget it
        self.live = [(p, n) for p, n in self.live if p.poll() is None]
        self.count += 1
        name = f"{NAME}-{self.part}-worker-{self.count}"
        proc = self.supervisor.spawn(self.argv, env=self.env, name=name)
        self.live.append((proc, name))
        return proc

    def check(self) -> None:
        for proc, name in self.live:
            self.supervisor.check_alive(proc, name)

    def wait_ready(self) -> None:
        for _, name in self.live:
            wait_worker_ready(self.supervisor.log_path(name), self.check)

    def stop_all(self) -> None:
        for proc, _ in self.live:
            self.supervisor.stop(proc)
        self.live = []


async def _doorbell_ring(redis_url: str, queue: str, ids: list[int], concurrency: int) -> None:
    client = ArqRedis(connection_pool=ConnectionPool.from_url(redis_url))
    try:
        await notify_load.ring(ArqDoorbell(client, queue_name=queue), ids, concurrency=concurrency)
    finally:
        await client.aclose()


async def _write_paced(
    database_url: str, redis_url: str, queue: str, tag: str, n: int, rate: float
) -> tuple[list[float], float, list[str]]:
    """``n`` case events, one every ``1 / rate`` s, each enqueued after its commit."""
    client = ArqRedis(connection_pool=ConnectionPool.from_url(redis_url))
    doorbell = ArqDoorbell(client, queue_name=queue)
    lags: list[float] = []
    errors: list[str] = []
    in_flight = 0
    last_done = 0.0

    async def one(k: int, due: float) -> None:
        nonlocal in_flight, last_done
        loop = asyncio.get_running_loop()
        lags.append(loop.time() - due)
        in_flight += 1
        try:
            ids = await notify_load.seed_case_events(1, tag=tag, start=k + 1)
            await notify_load.ring(doorbell, ids)
        except Exception as exc:  # counted and shown, the schedule goes on
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            in_flight -= 1
            last_done = max(last_done, loop.time())

    try:
        async with db.pool(database_url, min_size=4, max_size=16):
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.05
            tasks = []
            for k in range(n):
                due = start + k / rate
                if (wait := due - loop.time()) > 0:
                    await asyncio.sleep(wait)
                if in_flight >= MAX_IN_FLIGHT:
                    errors.append(f"more than {MAX_IN_FLIGHT} writes in flight: skipped")
                    continue
                tasks.append(asyncio.create_task(one(k, due)))
            await asyncio.gather(*tasks)
            return lags, last_done - start, errors
    finally:
        await client.aclose()


async def _submitted_at(database_url: str, tag: str) -> dict[str, datetime]:
    async with db.pool(database_url, max_size=2):
        rows = await db.fetch(
            'SELECT c.number, e.at FROM case_record c JOIN case_event e ON e."case" = c.id'
            " AND e.action = 'submit' WHERE c.number LIKE $1",
            f"{tag}%",
        )
    return {str(r["number"]): r["at"] for r in rows}


def _wait_reached(
    wechat: FakeWeChat, tag: str, n: int, timeout_s: float, alive: Callable[[], None]
) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        if wechat.stats()["messages"] >= n:
            got = len(notify_load.reached(wechat.messages(), tag))
            if got >= n or time.monotonic() > deadline:
                return got
        elif time.monotonic() > deadline:
            return len(notify_load.reached(wechat.messages(), tag))
        alive()
        time.sleep(0.2)


async def _pending(database_url: str) -> int:
    async with db.pool(database_url, max_size=1):
        rows = await db.fetch("SELECT count(*) AS n FROM outbox_event WHERE status = 'pending'")
    return int(rows[0]["n"])


def drain_backlog(
    *, workers: _Workers, n_workers: int, database_url: str, progress: Callable[[str], None]
) -> int:
    """Let workers run what the earlier scenarios left in the outbox (their submissions' case
    events), so that it is not the latency part's backlog; how many rows there were."""
    first = asyncio.run(_pending(database_url))
    if not first:
        return 0
    progress(f"{NAME}: {first} outbox rows left by the earlier scenarios; running them first …")
    for _ in range(n_workers):
        workers.spawn()
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while (left := asyncio.run(_pending(database_url))) and time.monotonic() < deadline:
        workers.check()
        time.sleep(1.0)
    workers.stop_all()
    if left:
        raise ChildFailed(f"{NAME}: {left} earlier outbox rows still pending")
    return first


def latency(
    *,
    workers: _Workers,
    n_workers: int,
    wechat: FakeWeChat,
    database_url: str,
    redis_url: str,
    queue: str,
    seconds: float,
    rate: float,
    load_average: Callable[[], list[float]],
    progress: Callable[[str], None],
) -> Latency:
    tag = f"NL{secrets.token_hex(2).upper()}"
    n = math.ceil(seconds * rate)
    wechat.reset()
    for _ in range(n_workers):
        workers.spawn()
    workers.wait_ready()
    progress(f"{NAME}: {n} case events at {rate:g}/s, {n_workers} workers …")
    load_before = load_average()
    lags, written_s, errors = asyncio.run(
        _write_paced(database_url, redis_url, queue, tag, n, rate)
    )
    written = n - len(errors)
    reached = _wait_reached(wechat, tag, written, SETTLE_TIMEOUT_S, workers.check)
    load_after = load_average()
    workers.stop_all()
    received = _first_receipts(wechat.messages(), tag)
    submitted = asyncio.run(_submitted_at(database_url, tag))
    delays = [(received[k] - at).total_seconds() for k, at in submitted.items() if k in received]
    return Latency(
        rate=rate,
        seconds=seconds,
        workers=n_workers,
        events=written,
        written_seconds=written_s,
        write_lag_s=lags,
        event_to_wechat_s=delays,
        never_arrived=len(submitted) - reached,
        write_errors=errors,
        load_before=load_before,
        load_after=load_after,
    )


def drain(
    *,
    workers: _Workers,
    n_workers: int,
    wechat: FakeWeChat,
    database_url: str,
    redis_url: str,
    queue: str,
    messages: int,
    load_average: Callable[[], list[float]],
    progress: Callable[[str], None],
) -> Drain:
    tag = f"ND{secrets.token_hex(2).upper()}"
    wechat.reset()
    progress(f"{NAME}: writing {messages} messages …")
    started = time.monotonic()

    async def seed() -> list[int]:
        async with db.pool(database_url, max_size=2):
            return await notify_load.seed_messages(messages, tag=tag)

    ids = asyncio.run(seed())
    seeded = time.monotonic()
    asyncio.run(_doorbell_ring(redis_url, queue, ids, RING_CONCURRENCY))
    rung = time.monotonic()
    progress(
        f"{NAME}: {messages} messages written in {seeded - started:.1f} s, enqueued in "
        f"{rung - seeded:.1f} s; draining with {n_workers} workers …"
    )
    load_before = load_average()
    begin = time.monotonic()
    for _ in range(n_workers):
        workers.spawn()
    reached = _wait_reached(wechat, tag, messages, DRAIN_TIMEOUT_S, workers.check)
    wall = time.monotonic() - begin
    load_after = load_average()
    workers.stop_all()
    times = sorted(_first_receipts(wechat.messages(), tag).values())
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    return Drain(
        messages=messages,
        workers=n_workers,
        seed_seconds=seeded - started,
        ring_seconds=rung - seeded,
        wall_seconds=wall,
        first_to_last_seconds=span,
        delivered=reached,
        load_before=load_before,
        load_after=load_after,
    )


async def _begun_again(database_url: str, tag: str) -> set[str]:
    async with db.pool(database_url, max_size=2):
        rows = await db.fetch(
            "SELECT case_number FROM message WHERE case_number LIKE $1 AND attempts > 1",
            f"{tag}%",
        )
    return {str(r["case_number"]) for r in rows}


def kills(
    *,
    workers: _Workers,
    wechat: FakeWeChat,
    database_url: str,
    redis_url: str,
    queue: str,
    events: int,
    kills: int,
    send_rate: float,
    load_average: Callable[[], list[float]],
    progress: Callable[[str], None],
    after_kill: Callable[[], object] | None = None,
) -> Kills:
    """``events`` case events sent through ``kills`` SIGKILLed workers; ``after_kill`` runs
    between a kill and the next start (``bench.faults.workers`` counts the messages then in
    flight)."""
    tag = f"NK{secrets.token_hex(2).upper()}"
    wechat.reset()

    async def seed() -> list[int]:
        async with db.pool(database_url, max_size=2):
            return await notify_load.seed_case_events(events, tag=tag)

    ids = asyncio.run(seed())
    asyncio.run(_doorbell_ring(redis_url, queue, ids, RING_CONCURRENCY))
    progress(f"{NAME}: {events} case events, a worker SIGKILLed {kills} times while sending …")
    load_before = load_average()

    def finished() -> bool:
        return (
            wechat.stats()["messages"] >= events
            and len(notify_load.reached(wechat.messages(), tag)) >= events
        )

    try:
        run = notify_load.kill_while_sending(
            spawn=workers.spawn,
            stop=lambda proc: workers.stop_all(),
            sent=lambda: int(wechat.stats()["messages"]),
            finished=finished,
            kills=kills,
            seed=secrets.randbelow(1 << 30),
            timeout_s=KILL_TIMEOUT_S,
            after_kill=after_kill,
        )
    except (TimeoutError, RuntimeError) as exc:
        raise ChildFailed(f"{NAME} kills: {exc}") from exc
    load_after = load_average()
    received = wechat.messages()
    twice = notify_load.duplicates(received, tag)
    again = asyncio.run(_begun_again(database_url, tag))
    return Kills(
        events=events,
        kills=run.kills,
        workers_started=run.workers_started,
        seconds=run.seconds,
        reached=len(notify_load.reached(received, tag)),
        duplicates=twice,
        begun_again=len(again),
        unexplained=sorted(set(twice) - again),
        send_rate=send_rate,
        load_before=load_before,
        load_after=load_after,
    )


def run(
    *,
    supervisor: Supervisor,
    cli: Sequence[str],
    env: Mapping[str, str],
    wechat: FakeWeChat,
    database_url: str,
    redis_url: str,
    queue: str,
    n_workers: int,
    seconds: float,
    rate: float,
    load_average: Callable[[], list[float]],
    progress: Callable[[str], None],
) -> NotifyResult:
    """The three parts in turn; each starts its workers and stops them before the next."""
    result = NotifyResult()
    # INFO: the workers' readiness is read from their log (``worker_started``).
    fast = {**env, "LOG_LEVEL": "INFO", "NOTIFY_SEND_RATE": str(SEND_RATE)}
    result.backlog = drain_backlog(
        workers=_Workers(supervisor, cli, fast, "backlog"),
        n_workers=n_workers,
        database_url=database_url,
        progress=progress,
    )
    result.latency = latency(
        workers=_Workers(supervisor, cli, fast, "latency"),
        n_workers=n_workers,
        wechat=wechat,
        database_url=database_url,
        redis_url=redis_url,
        queue=queue,
        seconds=seconds,
        rate=rate,
        load_average=load_average,
        progress=progress,
    )
    figures = summary_ms(result.latency.event_to_wechat_s)
    progress(
        f"{NAME} latency: p50 {_ms(figures['p50_ms'])} ms, p95 {_ms(figures['p95_ms'])} ms, "
        f"p99 {_ms(figures['p99_ms'])} ms, {result.latency.achieved_rate:.1f} events/s"
    )
    if result.latency.never_arrived or result.latency.write_errors:
        result.problems.append(
            f"latency: {result.latency.never_arrived} messages never arrived, "
            f"{len(result.latency.write_errors)} writes failed"
        )
    result.drain = drain(
        workers=_Workers(supervisor, cli, fast, "drain"),
        n_workers=n_workers,
        wechat=wechat,
        database_url=database_url,
        redis_url=redis_url,
        queue=queue,
        messages=DRAIN_MESSAGES,
        load_average=load_average,
        progress=progress,
    )
    progress(
        f"{NAME} drain: {result.drain.per_second:,.0f} messages/s, "
        f"{result.drain.wall_seconds:.1f} s from starting the workers"
    )
    if result.drain.delivered < result.drain.messages:
        result.problems.append(
            f"drain: {result.drain.messages - result.drain.delivered} messages not delivered"
        )
    # Handler timeout and lease as in the tests: a killed worker's claimed rows come back after
    # 15 s rather than 90 s; a send (5 s timeout at most) still ends well within the handler's.
    killed = {
        **fast,
        "NOTIFY_SEND_RATE": str(KILL_SEND_RATE),
        "JOB_TIMEOUT_SECONDS": "10",
        "OUTBOX_LEASE_SECONDS": "15",
    }
    result.kills = kills(
        workers=_Workers(supervisor, cli, killed, "kills"),
        wechat=wechat,
        database_url=database_url,
        redis_url=redis_url,
        queue=queue,
        events=KILL_EVENTS,
        kills=KILLS,
        send_rate=KILL_SEND_RATE,
        load_average=load_average,
        progress=progress,
    )
    if result.kills.reached < result.kills.events:
        result.problems.append(f"kills: {result.kills.events - result.kills.reached} never sent")
    if result.kills.unexplained:
        result.problems.append(f"kills: duplicates never begun again {result.kills.unexplained}")
    return result


# --- the report --------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _load(values: Sequence[float]) -> str:
    return ", ".join(f"{x:g}" for x in values)


def render(console: Console, result: NotifyResult) -> None:
    """The three parts' figures, one table and a line each."""
    if (lat := result.latency) is not None:
        figures = summary_ms(lat.event_to_wechat_s)
        table = Table(
            title=(
                f"{NAME}: case event → fake WeChat, {lat.rate:g} events/s open-loop for "
                f"{lat.seconds:g} s, {lat.workers} workers (ms)"
            )
        )
        table.add_column("", no_wrap=True)
        for label in ("p50", "p95", "p99", "max"):
            table.add_column(label, justify="right")
        table.add_row(
            "event→WeChat", *(_ms(figures[f"{p}_ms"]) for p in ("p50", "p95", "p99", "max"))
        )
        console.print(table)
        lag = percentile(lat.write_lag_s, 99)
        console.print(
            f"{lat.events} events written at {lat.achieved_rate:.1f}/s (p99 write lag "
            f"{_ms(None if lag is None else lag * 1000)} ms), {lat.never_arrived} never arrived; "
            f"load average before {_load(lat.load_before)}, after {_load(lat.load_after)}"
        )
    if (d := result.drain) is not None:
        console.print(
            f"{NAME} drain: {d.delivered:,} of {d.messages:,} messages, {d.workers} workers: "
            f"{d.per_second:,.0f} messages/s first to last receipt ({d.first_to_last_seconds:.1f}"
            f" s), {d.wall_seconds:.1f} s from starting the workers; load average before "
            f"{_load(d.load_before)}, after {_load(d.load_after)}"
        )
    if (k := result.kills) is not None:
        console.print(
            f"{NAME} kills: {k.reached:,} of {k.events:,} reached WeChat through {k.kills} "
            f"SIGKILLs ({k.workers_started} workers, {k.seconds:.0f} s, NOTIFY_SEND_RATE "
            f"{k.send_rate:g}); {len(k.duplicates)} received twice or more "
            f"({sum(c - 1 for c in k.duplicates.values())} extra receipts), every one begun "
            f"again: {'yes' if not k.unexplained else 'NO'}; load average before "
            f"{_load(k.load_before)}, after {_load(k.load_after)}"
        )
    for problem in result.problems:
        console.print(f"[bold red]{NAME}: {problem}[/bold red]")
