"""``queue_latency``: how long a citizen's submission takes to show up in its township's queue.

Unlike the other scenarios this one needs the arq worker (``jiujinban worker``) beside the app,
and its load is open-loop: submissions are sent on a fixed schedule (``RATE`` per second for the
run's seconds), whether or not earlier ones have been answered, as citizens would send them.

Per submission the figure is the time from the case's ``submit`` event to its ``forward`` event
(``case_event.at``: both are the wall clock of the process writing the event, app and worker,
on the same host, taken inside the transaction just before it commits). After the last
submission the bench waits until every created case is queued, at most ``SETTLE_TIMEOUT_S``; a
case that never got there counts as an error. The client-observed latency of the POST (from the
moment it was due to be sent, so a late send counts against it) is reported too.

``bench.run`` starts the worker just before this scenario and stops it right after (so the
other scenarios measure the app as before), and runs it before them: their thousands of
submissions would otherwise be the worker's backlog. The backlog of the citizen setup (its
320 cases) is drained before the paced load starts.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.citizens import CitizenData
from bench.cpu import CpuMeter
from bench.processes import ChildFailed

NAME = "queue_latency"
RATE = 50.0
"""Submissions per second, the issue's load."""
GOAL_P99_S = 1.0
DEFAULT_SECONDS = 60.0
RATE_TOLERANCE = 0.98
"""The achieved rate must be at least this fraction of ``RATE`` for the goal to count as met."""
SETTLE_TIMEOUT_S = 30.0
"""After the last submission: how long to wait for the last cases to be queued."""
DRAIN_TIMEOUT_S = 60.0
WORKER_READY_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 30.0
MAX_IN_FLIGHT = 1000
POOL_MARGIN = 20


@dataclass(frozen=True, slots=True)
class Sent:
    """One submission as the client saw it."""

    due: float
    lag_s: float
    """How late the request left, against its schedule (the bench's own delay)."""
    latency_s: float
    """From ``due`` to the complete answer."""
    status: int | None
    number: str | None
    error: str = ""


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of ``values`` (``q`` in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(values: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/max of seconds, in ms."""
    out: dict[str, float | None] = {}
    for label, q in (("p50", 50.0), ("p95", 95.0), ("p99", 99.0), ("max", 100.0)):
        value = percentile(values, q)
        out[f"{label}_ms"] = None if value is None else round(value * 1000, 1)
    return out


@dataclass
class QueueResult:
    rate: float
    seconds: float
    submissions: int
    sent_seconds: float
    """From the first scheduled send to the last actual send."""
    answered_201: int
    submit_errors: list[str]
    """Answers other than 201 and transport errors, one line each (first few kept)."""
    submit_error_count: int
    client_latency_s: list[float]
    lag_s: list[float]
    queue_delay_s: list[float]
    """Per queued case: forward event ``at`` − submit event ``at``."""
    job_done_s: list[float]
    """Per queued case: its outbox row ``done_at`` − submit event ``at``."""
    retried: int
    never_queued: int
    settle_wait_s: float
    backlog_drained: int
    load_before: list[float]
    load_after: list[float]
    cpu_s: dict[str, float] = field(default_factory=dict)
    worker: dict[str, Any] = field(default_factory=dict)
    """The worker's settings that bear on the delay (poll delay, concurrent jobs)."""

    @property
    def achieved_rate(self) -> float:
        return self.submissions / self.sent_seconds if self.sent_seconds > 0 else 0.0

    @property
    def errors(self) -> int:
        return self.submit_error_count + self.never_queued

    def cpu_ms_per_case(self) -> dict[str, float]:
        n = max(1, self.answered_201)
        return {group: round(s / n * 1000, 2) for group, s in self.cpu_s.items()}

    def goal_misses(self) -> list[str]:
        """What the run misses of "p99 under 1 s at 50 submissions/s" (empty: met)."""
        misses = []
        if self.achieved_rate < RATE * RATE_TOLERANCE:
            misses.append(f"{self.achieved_rate:.1f} submissions/s < {RATE:g}")
        p99 = percentile(self.queue_delay_s, 99)
        if p99 is None or p99 >= GOAL_P99_S:
            shown = "none queued" if p99 is None else f"{p99 * 1000:.0f} ms"
            misses.append(f"p99 submit→queued {shown} ≥ {GOAL_P99_S * 1000:.0f} ms")
        if self.errors:
            misses.append(f"{self.errors} errors")
        return misses

    def to_json(self) -> dict[str, Any]:
        return {
            "name": NAME,
            "measures": "POST /api/v1/cases → the case queued in its township (worker's forward)",
            "rate": self.rate,
            "seconds": self.seconds,
            "submissions": self.submissions,
            "achieved_rate": round(self.achieved_rate, 2),
            "answered_201": self.answered_201,
            "queued": len(self.queue_delay_s),
            "never_queued": self.never_queued,
            "submit_errors": self.submit_error_count,
            "submit_error_samples": self.submit_errors,
            "errors": self.errors,
            "submit_to_queued": summary_ms(self.queue_delay_s),
            "submit_to_job_done": summary_ms(self.job_done_s),
            "forward_jobs_retried": self.retried,
            "client_submit_latency": summary_ms(self.client_latency_s),
            "send_lag": summary_ms(self.lag_s),
            "worker": self.worker,
            "settle_wait_seconds": round(self.settle_wait_s, 2),
            "setup_backlog_drained": self.backlog_drained,
            "cpu_seconds": self.cpu_s,
            "cpu_ms_per_case": self.cpu_ms_per_case(),
            "load_average_before": self.load_before,
            "load_average_after": self.load_after,
            "goal": {
                "rate": RATE,
                "max_p99_ms": GOAL_P99_S * 1000,
                "misses": self.goal_misses(),
            },
        }


# --- the worker -----------------------------------------------------------------------------


def wait_worker_ready(log: Path, alive: Callable[[], None]) -> None:
    """Until the worker logged ``worker_started`` (its outbox runner is wired); ``alive``
    raises if the process died."""
    deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        alive()
        try:
            if "worker_started" in log.read_text(errors="replace"):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ChildFailed(f"the worker did not start within {WORKER_READY_TIMEOUT_S:.0f} s")


async def _pending(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval("SELECT count(*) FROM outbox_event WHERE status = 'pending'") or 0
    )


async def drain_backlog(database_url: str, alive: Callable[[], None]) -> int:
    """Wait until the worker has run every pending outbox row; how many there were."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        first = await _pending(conn)
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while (left := await _pending(conn)) and time.monotonic() < deadline:
            alive()
            await asyncio.sleep(0.25)
        if left:
            raise ChildFailed(f"the worker left {left} outbox rows pending after the setup")
        return first
    finally:
        await conn.close()


# --- the paced load -----------------------------------------------------------------------


class Overloaded(Exception):
    """More submissions in flight than ``MAX_IN_FLIGHT``: the app fell too far behind."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if "content-length" in fields:
        return status, await reader.readexactly(int(fields["content-length"]))
    chunks = []
    if fields.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append((await reader.readexactly(size + 2))[:-2])
        await reader.readuntil(b"\r\n")
    return status, b"".join(chunks)


class Connections:
    """Keep-alive HTTP/1.1 connections to the app, one request at a time on each.

    An open-loop client must not queue its requests behind a connection pool (httpx's pool
    costs O(waiting) per request and, once the app falls behind, the bench process itself
    becomes the bottleneck): a request takes the most recently used idle connection, else
    opens one. Connections idle for more than ``IDLE_S`` are closed rather than reused, so a
    request never meets one the server has just timed out.
    """

    IDLE_S = 2.0

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.in_flight = 0
        self.opened = 0

    async def _take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        loop = asyncio.get_running_loop()
        if self.idle:
            reader, writer, since = self.idle.pop()
            if loop.time() - since < self.IDLE_S:
                return reader, writer
            for _, old, _ in [*self.idle, (reader, writer, since)]:
                old.close()
            self.idle.clear()
        self.opened += 1
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self.in_flight >= MAX_IN_FLIGHT:
            raise Overloaded(f"{MAX_IN_FLIGHT} submissions in flight")
        self.in_flight += 1
        try:
            reader, writer = await self._take()
            try:
                writer.write(raw)
                answer = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT_S)
            except BaseException:
                writer.close()
                raise
            self.idle.append((reader, writer, asyncio.get_running_loop().time()))
            return answer
        finally:
            self.in_flight -= 1

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


def raw_post(port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _one(connections: Connections, due: float, raw: bytes) -> Sent:
    loop = asyncio.get_running_loop()
    lag = loop.time() - due
    try:
        status, body = await connections.send(raw)
    except (OSError, TimeoutError, asyncio.IncompleteReadError, Overloaded) as exc:
        return Sent(due, lag, loop.time() - due, None, None, f"{type(exc).__name__}: {exc}")
    latency = loop.time() - due
    if status != 201:
        return Sent(due, lag, latency, status, None, body[:200].decode(errors="replace"))
    return Sent(due, lag, latency, 201, str(json.loads(body)["number"]))


async def send_paced(port: int, calls: Sequence[bytes], rate: float) -> tuple[list[Sent], float]:
    """Send ``calls`` (raw HTTP requests) at ``rate`` per second on a fixed schedule (open
    loop); the answers and the seconds from the first due time to the last send."""
    connections = Connections(port)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    tasks = []
    try:
        for k, raw in enumerate(calls):
            due = start + k / rate
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(_one(connections, due, raw)))
        # the schedule spans (n - 1) intervals; one more makes n sends per n / rate seconds
        sent_seconds = loop.time() - start + 1 / rate
        return list(await asyncio.gather(*tasks)), sent_seconds
    finally:
        for task in tasks:
            task.cancel()
        connections.close()


# --- reading the events -----------------------------------------------------------------------

QUEUED = """
SELECT c.number, s.at AS submitted_at, f.at AS forwarded_at, o.done_at, o.attempts
FROM case_record c
JOIN case_event s ON s."case" = c.id AND s.action = 'submit'
LEFT JOIN case_event f ON f."case" = c.id AND f.action = 'forward'
LEFT JOIN outbox_event o ON o.dedup_key = 'forward:' || c.number
WHERE c.number = ANY($1::text[])
"""


@dataclass(frozen=True, slots=True)
class Settled:
    queue_delay_s: list[float]
    """Per forwarded case: forward event ``at`` − submit event ``at``."""
    job_done_s: list[float]
    """Per forwarded case: its outbox row's ``done_at`` − submit event ``at`` (the job has
    committed the forward by then: the case is visible no later than this)."""
    retried: int
    """Forwarded cases whose outbox row took more than one attempt."""
    never_queued: int
    waited_s: float


async def settle(database_url: str, numbers: list[str]) -> Settled:
    """Wait until every case of ``numbers`` is forwarded (or ``SETTLE_TIMEOUT_S``), then read
    the delays."""
    conn = await asyncpg.connect(database_url, timeout=10)
    started = time.monotonic()
    try:
        while True:
            rows = await conn.fetch(QUEUED, numbers)
            missing = len(numbers) - sum(1 for r in rows if r["forwarded_at"] is not None)
            if not missing or time.monotonic() - started > SETTLE_TIMEOUT_S:
                break
            await asyncio.sleep(0.25)
    finally:
        await conn.close()
    forwarded = [r for r in rows if r["forwarded_at"] is not None]
    return Settled(
        queue_delay_s=[(r["forwarded_at"] - r["submitted_at"]).total_seconds() for r in forwarded],
        job_done_s=[
            (r["done_at"] - r["submitted_at"]).total_seconds()
            for r in forwarded
            if r["done_at"] is not None
        ],
        retried=sum(1 for r in forwarded if (r["attempts"] or 0) > 1),
        never_queued=missing,
        waited_s=time.monotonic() - started,
    )


async def vacuum(database_url: str) -> None:
    """Tidy the tables this scenario wrote, now rather than by autovacuum in the next one."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        await conn.execute(
            "VACUUM ANALYZE case_record, case_event, case_material, outbox_event, upload"
        )
    finally:
        await conn.close()


# --- the scenario ---------------------------------------------------------------------------


def run(
    *,
    port: int,
    citizens: CitizenData,
    database_url: str,
    seconds: float,
    rate: float,
    alive: Callable[[], None],
    cpu: CpuMeter | None,
    worker: dict[str, Any],
    load_average: Callable[[], list[float]],
    progress: Callable[[str], None],
) -> QueueResult:
    """The worker is running; drain the setup's backlog, send, wait for the queue, read."""
    drained = asyncio.run(drain_backlog(database_url, alive))
    wanted = math.ceil(seconds * rate)
    plan = citizens.pool.take(citizens.submitters, wanted + POOL_MARGIN)[:wanted]
    calls = [
        raw_post(
            port,
            "/api/v1/cases",
            {**who.headers, "Content-Type": "application/json"},
            citizens.submission(ids),
        )
        for who, ids in plan
    ]
    progress(
        f"{NAME}: {drained} setup cases forwarded; {wanted} submissions at {rate:g}/s "
        f"for {seconds:g} s …"
    )
    load_before = load_average()
    before = {who: cpu.sample(who) for who in ("app", "worker")} if cpu else {}
    sent, sent_seconds = asyncio.run(send_paced(port, calls, rate))
    numbers = [s.number for s in sent if s.number is not None]
    settled = asyncio.run(settle(database_url, numbers))
    cpu_s: dict[str, float] = {}
    if cpu is not None:
        spent = {who: cpu.spent(who, sample) for who, sample in before.items()}
        cpu_s = {
            "app": spent["app"]["server"],
            "worker": spent["worker"]["server"],
            "postgres": spent["app"]["postgres"],
        }
    load_after = load_average()
    failures = [s for s in sent if s.status != 201]
    return QueueResult(
        rate=rate,
        seconds=seconds,
        submissions=len(sent),
        sent_seconds=sent_seconds,
        answered_201=len(numbers),
        submit_errors=[f"{s.status or 'no answer'}: {s.error}" for s in failures[:5]],
        submit_error_count=len(failures),
        client_latency_s=[s.latency_s for s in sent if s.status == 201],
        lag_s=[s.lag_s for s in sent],
        queue_delay_s=settled.queue_delay_s,
        job_done_s=settled.job_done_s,
        retried=settled.retried,
        never_queued=settled.never_queued,
        settle_wait_s=settled.waited_s,
        backlog_drained=drained,
        load_before=load_before,
        load_after=load_after,
        cpu_s=cpu_s,
        worker=worker,
    )
