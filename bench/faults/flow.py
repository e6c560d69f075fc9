"""Work flowing while something breaks: citizens' submissions sent as a client would send them,
and what PostgreSQL says became of them.

Used by the worker and Redis scenarios (``bench.faults.workers``, ``bench.faults.redis_faults``):

- :func:`submit_paced` sends prepared submissions at a steady rate, each retried with its
  ``Idempotency-Key`` after a transport error or a 5xx, as the mini-program does, and notes
  every answer it got (a 500 is a problem even when a retry then succeeded);
- :func:`forwarding` reads, per acknowledged case, its status and how many ``forward`` events it
  has, and the cases per citizen (a second case for one citizen is a duplicate submission);
- :func:`wait_drained` waits until every acknowledged case is ``queued`` and no outbox row is
  pending, and says when that was;
- :class:`SyncDb` answers small queries from a plain thread (the kill loops of
  ``bench.notify_load`` are synchronous).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from rich.console import Console

from bench.faults.common import Submission, case_counts
from bench.processes import ChildFailed

_console = Console(stderr=True, highlight=False)
RETRY_PAUSE_S = 0.5
REQUEST_TIMEOUT_S = 30.0


class Progress:
    """Progress lines of one scenario, each with the seconds since it began."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.begun = time.monotonic()

    def __call__(self, line: str) -> None:
        _console.print(f"  {self.name} +{time.monotonic() - self.begun:5.1f} s: {line}")


@dataclass
class Submitted:
    """What the client saw of its submissions."""

    numbers: dict[str, str] = field(default_factory=dict)
    """Idempotency-Key -> case number, for every submission acknowledged with a 2xx."""
    statuses: Counter[str] = field(default_factory=Counter)
    """Every answer seen, by HTTP status or transport error name (retries included)."""
    given_up: list[str] = field(default_factory=list)
    """Keys of submissions never acknowledged before the deadline."""
    finished_at: float = 0.0

    @property
    def acknowledged(self) -> list[str]:
        return list(self.numbers.values())

    def server_errors(self) -> dict[str, int]:
        """Answers no client should get: 500s (503 with ``Retry-After`` is a fair answer)."""
        return {s: n for s, n in self.statuses.items() if s.isdigit() and s.startswith("5")}


async def submit_one(
    api: httpx.AsyncClient, sub: Submission, seen: Submitted, *, deadline: float
) -> None:
    """POST the submission until a 2xx (or a 4xx, which a retry cannot change), or the deadline."""
    while time.monotonic() < deadline:
        try:
            answer = await api.post("/api/v1/cases", json=sub.body, headers=sub.headers)
        except httpx.TransportError as exc:
            seen.statuses[type(exc).__name__] += 1
            await asyncio.sleep(RETRY_PAUSE_S)
            continue
        seen.statuses[str(answer.status_code)] += 1
        if answer.is_success:
            seen.numbers[sub.key] = str(answer.json()["number"])
            return
        if answer.status_code < 500:
            seen.given_up.append(f"{sub.key}: HTTP {answer.status_code} {answer.text[:200]}")
            return
        wait = answer.headers.get("Retry-After", "")
        await asyncio.sleep(min(float(wait), 5.0) if wait.isdigit() else RETRY_PAUSE_S)
    seen.given_up.append(f"{sub.key}: not acknowledged before the deadline")


async def submit_paced(
    api_url: str,
    subs: Sequence[Submission],
    *,
    rate: float,
    timeout_s: float = 300.0,
    seen: Submitted | None = None,
    gate: Callable[[int], Awaitable[None]] | None = None,
) -> Submitted:
    """Send ``subs`` at ``rate`` per second (open loop: each leaves on schedule, whether or not
    the ones before were answered), each retried until acknowledged. ``gate(k)``, when given,
    is awaited before the ``k``-th leaves (the schedule goes on from when it opened)."""
    seen = seen if seen is not None else Submitted()
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(
        base_url=api_url,
        timeout=REQUEST_TIMEOUT_S,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
    ) as api:
        next_at = time.monotonic()
        tasks = []
        for k, sub in enumerate(subs):
            if gate is not None:
                await gate(k)
            now = time.monotonic()
            next_at = max(next_at, now)
            if next_at > now:
                await asyncio.sleep(next_at - now)
            next_at += 1 / rate
            tasks.append(asyncio.create_task(submit_one(api, sub, seen, deadline=deadline)))
        await asyncio.gather(*tasks)
    seen.finished_at = time.monotonic()
    return seen


@dataclass(frozen=True)
class Forwarding:
    """What PostgreSQL says became of the acknowledged cases."""

    acknowledged: int
    queued_once: int
    """Acknowledged cases past ``submitted`` with exactly one ``forward`` event."""
    missing: list[str]
    """Acknowledged case numbers with no row, or still ``submitted`` (never forwarded)."""
    forwarded_twice: dict[str, int]
    """Case numbers with more than one ``forward`` event, and how many."""
    extra_cases: int
    """Cases beyond one per citizen (a retried submission that created a second case)."""
    outbox: dict[str, int]
    """Outbox rows by status."""

    @property
    def duplicated(self) -> int:
        return sum(n - 1 for n in self.forwarded_twice.values()) + self.extra_cases


async def forwarding(
    database_url: str, numbers: Sequence[str], citizens: Sequence[str]
) -> Forwarding:
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT c.number, c.status, count(e.id) FILTER (WHERE e.action = 'forward') AS fw"
            ' FROM case_record c LEFT JOIN case_event e ON e."case" = c.id'
            " WHERE c.number = ANY($1::text[]) GROUP BY c.number, c.status",
            list(numbers),
        )
        outbox = await conn.fetch("SELECT status, count(*) AS n FROM outbox_event GROUP BY status")
    finally:
        await conn.close()
    found = {str(r["number"]): (str(r["status"]), int(r["fw"])) for r in rows}
    missing = sorted(n for n in numbers if n not in found or found[n][0] == "submitted")
    twice = {n: fw for n, (_, fw) in found.items() if fw > 1}
    once = sum(1 for status, fw in found.values() if fw == 1 and status != "submitted")
    per_citizen = await case_counts(database_url, list(citizens))
    return Forwarding(
        acknowledged=len(numbers),
        queued_once=once,
        missing=missing,
        forwarded_twice=twice,
        extra_cases=sum(n - 1 for n in per_citizen.values() if n > 1),
        outbox={str(r["status"]): int(r["n"]) for r in outbox},
    )


DRAINED_SQL = (
    "SELECT (SELECT count(*) FROM case_record WHERE number = ANY($1::text[])"
    " AND status <> 'submitted') = cardinality($1::text[])"
    " AND NOT EXISTS (SELECT 1 FROM outbox_event WHERE status = 'pending')"
)


async def wait_drained(
    database_url: str,
    numbers: Callable[[], Sequence[str]],
    *,
    timeout_s: float,
    alive: Callable[[], None] = lambda: None,
) -> float | None:
    """Until every case of ``numbers()`` left ``submitted`` and no outbox row is pending; the
    ``time.monotonic()`` when that was first seen, or None at the timeout."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            alive()
            if await conn.fetchval(DRAINED_SQL, list(numbers())):
                return time.monotonic()
            await asyncio.sleep(0.1)
        return None
    finally:
        await conn.close()


START_TIMEOUT_S = 180.0
"""How long a child may take to start on a loaded machine: a deadline for "stuck"."""


async def wait_logged(
    log: Path, marker: str, alive: Callable[[], None], *, timeout_s: float = START_TIMEOUT_S
) -> None:
    """Until ``marker`` is in the child's ``log``; ``alive`` raises if the child died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive()
        if await asyncio.to_thread(_logged, log, marker):
            return
        await asyncio.sleep(0.2)
    raise ChildFailed(f"{log.stem} did not log {marker} within {timeout_s:.0f} s")


def _logged(log: Path, marker: str) -> bool:
    try:
        return marker in log.read_text(errors="replace")
    except OSError:
        return False


class SyncDb:
    """One asyncpg connection with an event loop of its own, for a plain thread."""

    def __init__(self, database_url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._conn: asyncpg.Connection = self._loop.run_until_complete(
            asyncpg.connect(database_url, timeout=10)
        )

    def value(self, sql: str, *args: Any) -> Any:
        return self._loop.run_until_complete(self._conn.fetchval(sql, *args))

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        found = self._loop.run_until_complete(self._conn.fetch(sql, *args))
        return [tuple(r) for r in found]

    def close(self) -> None:
        try:
            self._loop.run_until_complete(self._conn.close())
        finally:
            self._loop.close()
