"""``kill -9`` of the worker under the ``make run`` stack while citizens are submitting.

usage: python -m bench.worker_kill [--submissions 60] [--concurrency 6] [--embedded]

1. starts the ``jiujinban dev`` supervisor (what ``make run`` runs; only its wait for the API's
   first answer is longer, for loaded machines) on free ports, with its own database and
   Redis queue on the local servers (``--embedded``: its own embedded PostgreSQL and Redis, as a
   newcomer's ``make run`` would);
2. logs in and binds citizens, uploads their materials (the dev stack's fakes answer);
3. sends the submissions, a few at a time, and ``kill -9``'s the worker as soon as the first few
   were acknowledged; the supervisor restarts it;
4. counts what the citizens got (acknowledged 201 / failed), checks the API answered throughout,
   then waits until every acknowledged case has been forwarded to its township's queue
   (``queued``) by the restarted worker, and prints the figures as JSON.

The dev stack runs with ``OUTBOX_LEASE_SECONDS=20`` / ``JOB_TIMEOUT_SECONDS=10`` so a job the
killed worker held is taken up again within a minute (the defaults, 90 s / 60 s, only make the
wait longer); nothing else differs from ``make run``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from backend.devservices import free_port
from bench.citizens import Citizen, _citizen, _pick_item, form_values, upload_material

ROOT = Path(__file__).resolve().parents[1]
MARKER = "Press Ctrl-C to stop everything."
# `jiujinban dev` itself, with a longer wait for the API's first /readyz (a loaded machine).
DEV = """
import os, sys
from pathlib import Path
from backend.devrun import run_dev
from backend.settings import load_settings
settings = load_settings()
sys.exit(run_dev(environ=dict(os.environ), data_dir=Path(settings.data_dir), port=settings.port,
                 fake_wechat_port=settings.fake_wechat_port, ready_timeout=600.0))
"""


class Stack:
    """``jiujinban dev`` as a child process, its output collected for markers."""

    def __init__(self, *, embedded: bool, data_dir: Path) -> None:
        self.port, self.fake_port = free_port(), free_port()
        tag = secrets.token_hex(4)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "WECHAT_API_BASE", "VIRTUAL_ENV"}
        }
        env.update(
            JIUJINBAN_DEV="1",
            DATA_DIR=str(data_dir),
            PORT=str(self.port),
            FAKE_WECHAT_PORT=str(self.fake_port),
            LOG_LEVEL="WARNING",
            OUTBOX_LEASE_SECONDS="20",
            JOB_TIMEOUT_SECONDS="10",
            ARQ_QUEUE=f"arq:queue:worker-kill-{tag}",
            REDIS_PREFIX=f"worker-kill-{tag}",
        )
        if embedded:
            env["JIUJINBAN_SERVICES"] = "embedded"
        else:
            env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/jjb_worker_kill_{tag}"
        self.database_url = env.get("DATABASE_URL", "")
        self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", DEV],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{marker!r} not seen; output:\n{self.output[-3000:]}")
            time.sleep(0.2)

    def worker(self) -> psutil.Process | None:
        for kid in psutil.Process(self.popen.pid).children(recursive=True):
            try:
                if kid.cmdline()[-1:] == ["worker"]:
                    return kid
            except psutil.Error:
                continue
        return None

    def database(self) -> str:
        if self.database_url:
            return self.database_url
        worker = self.worker()  # the embedded server's URL is in its children's environment
        assert worker is not None
        return str(worker.environ()["DATABASE_URL"])

    def stop(self) -> int:
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(90)


async def run(submissions: int, concurrency: int, embedded: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jjb-worker-kill-") as tmp:
        stack = Stack(embedded=embedded, data_dir=Path(tmp) / "data")
        try:
            stack.wait_for(MARKER, 900)
            database_url = stack.database()
            base = f"http://127.0.0.1:{stack.port}"
            async with httpx.AsyncClient(base_url=base, timeout=60) as api:
                return await _scenario(api, stack, database_url, submissions, concurrency)
        finally:
            code = stack.stop()
            sys.stderr.write(f"jiujinban dev stopped with exit code {code}\n")
            if not embedded and stack.database_url:
                await _drop(stack.database_url)


async def _drop(url: str) -> None:
    base, _, name = url.rpartition("/")
    conn = await asyncpg.connect(base + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _scenario(
    api: httpx.AsyncClient,
    stack: Stack,
    database_url: str,
    submissions: int,
    concurrency: int,
) -> dict[str, Any]:
    gate = asyncio.Semaphore(8)

    async def citizen(n: int) -> Citizen:
        async with gate:
            return await _citizen(api, 50_000 + n)

    citizens = await asyncio.gather(*(citizen(n) for n in range(submissions)))
    item, _codes = await _pick_item(api)
    materials = [m["type"] for m in item["materials"] if m["required"]]

    uploads = {
        who.n: [await upload_material(api, who, m, gate) for m in materials] for who in citizens
    }  # sequential per citizen, a few citizens at a time is enough here
    form = form_values(item["form"], id_number_value=citizens[0].id_number)

    worker_before = stack.worker()
    assert worker_before is not None, "no worker child found"
    acknowledged: list[str] = []
    failed: list[str] = []
    killed_after: list[int] = []
    submit_gate = asyncio.Semaphore(concurrency)
    kill_at = max(1, min(5, submissions // 10))

    async def submit(who: Citizen) -> None:
        body = {
            "item_code": item["code"],
            "form": form,
            "materials": [
                {"type": t, "upload_id": u} for t, u in zip(materials, uploads[who.n], strict=True)
            ],
            "delivery": {"method": "window"},
        }
        async with submit_gate:
            try:
                answer = await api.post(
                    "/api/v1/cases",
                    json=body,
                    headers={**who.headers, "Idempotency-Key": f"kill-{who.n}"},
                )
            except httpx.HTTPError as exc:
                failed.append(f"{type(exc).__name__}")
                return
        if answer.status_code == 201:
            acknowledged.append(str(answer.json()["number"]))
            if len(acknowledged) == kill_at and not killed_after:
                killed_after.append(len(acknowledged))
                os.kill(worker_before.pid, signal.SIGKILL)
        else:
            failed.append(f"HTTP {answer.status_code} {answer.text[:120]}")

    t0 = time.monotonic()
    await asyncio.gather(*(submit(w) for w in citizens))
    submit_s = time.monotonic() - t0

    stack.wait_for("worker restarted", 120)
    worker_after = stack.worker()
    ready = (await api.get("/readyz")).status_code

    conn = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + 240
        while True:
            rows = await conn.fetch(
                "SELECT status, count(*) AS n FROM case_record WHERE number = ANY($1::text[])"
                " GROUP BY status",
                acknowledged,
            )
            by_status = {r["status"]: r["n"] for r in rows}
            if by_status.get("queued", 0) == len(acknowledged) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        queued_s = time.monotonic() - t0
        outbox = await conn.fetch("SELECT status, count(*) AS n FROM outbox_event GROUP BY status")
    finally:
        await conn.close()
    return {
        "submissions": submissions,
        "concurrency": concurrency,
        "item": item["code"],
        "worker_killed_after_acknowledged": killed_after[0] if killed_after else None,
        "acknowledged_201": len(acknowledged),
        "failed": len(failed),
        "failures": sorted(set(failed)),
        "submitting_took_s": round(submit_s, 1),
        "worker_pid_before": worker_before.pid,
        "worker_pid_after": worker_after.pid if worker_after else None,
        "readyz_after_restart": ready,
        "acknowledged_by_status": by_status,
        "all_acknowledged_queued": by_status.get("queued", 0) == len(acknowledged),
        "seconds_until_all_queued": round(queued_s, 1),
        "outbox_by_status": {r["status"]: r["n"] for r in outbox},
        "supervisor_said": [
            line.strip()
            for line in stack.output.splitlines()
            if "worker exited" in line or "worker restarted" in line
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--embedded", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.submissions, args.concurrency, args.embedded))
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
