"""CPU seconds the servers and their PostgreSQL backends spent during a load-generator run.

On a shared machine requests per second move with everything else that runs; the CPU time a
request costs moves much less, so the report shows it next to the rates: ``server`` is the
uvicorn process tree of the server measured (master and workers, including their threads),
``postgres`` every backend connected to the bench database (both servers' pools, autovacuum
workers for it), of which only the measured server's are busy during its run.

``wait_idle`` runs after every load-generator run: when wrk stops, the requests still in flight
are abandoned by the client but not by the server, which finishes them (a ``my_cases`` request
takes seconds at 32 connections). Without the wait that work would land in the next run —
often the other server's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import asyncpg
import psutil

Sample = dict[str, dict[int, float]]


def _cpu(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return float(times.user + times.system)


def _tree(pid: int) -> list[int]:
    try:
        root = psutil.Process(pid)
        return [root.pid, *(c.pid for c in root.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


class CpuMeter:
    def __init__(self, database_url: str, database: str, servers: Mapping[str, int]) -> None:
        self.database_url = database_url
        self.database = database
        self.servers = dict(servers)

    async def _backends(self) -> list[int]:
        conn = await asyncpg.connect(self.database_url, timeout=10)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                self.database,
            )
        finally:
            await conn.close()
        return [int(r["pid"]) for r in rows]

    def sample(self, who: str) -> Sample:
        out: Sample = {"server": {}, "postgres": {}}
        for group, pids in (
            ("server", _tree(self.servers[who])),
            ("postgres", asyncio.run(self._backends())),
        ):
            for pid in pids:
                value = _cpu(pid)
                if value is not None:
                    out[group][pid] = value
        return out

    def spent(self, who: str, before: Sample) -> dict[str, float]:
        """CPU seconds per group since ``before``; a process that started since counts whole."""
        after = self.sample(who)
        return {
            group: round(
                sum(max(0.0, now - before[group].get(pid, 0.0)) for pid, now in pids.items()), 3
            )
            for group, pids in after.items()
        }

    def wait_idle(self, who: str, *, busy: float = 0.1, timeout_s: float = 20.0) -> float:
        """Wait until the server's processes use less than ``busy`` of a core; seconds waited."""
        started = time.monotonic()
        pids = _tree(self.servers[who])
        last = sum(v for pid in pids if (v := _cpu(pid)) is not None)
        while time.monotonic() - started < timeout_s:
            time.sleep(0.25)
            now = sum(v for pid in pids if (v := _cpu(pid)) is not None)
            if now - last < busy * 0.25:
                break
            last = now
        return time.monotonic() - started
