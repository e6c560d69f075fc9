"""What several fault scenarios do: start the API and workers, prepare citizens' submissions,
count cases in PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from backend.devservices import free_port
from bench.citizens import Citizen, _citizen, _pick_item, form_values, upload_material
from bench.faults.base import FaultEnv
from bench.processes import ChildFailed
from bench.queue_latency import wait_worker_ready

READY_TIMEOUT_S = 90.0
SETUP_CONCURRENCY = 8


@dataclass
class Api:
    proc: subprocess.Popen[bytes]
    port: int
    name: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_api(
    fenv: FaultEnv,
    *,
    name: str = "api",
    workers: int = 1,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Api:
    """``jiujinban serve`` on a free loopback port, once it answers ``/readyz``."""
    port = port or free_port()
    proc = fenv.supervisor.spawn(
        [*fenv.cli, "serve", "--workers", str(workers), "--port", str(port)],
        env=env or fenv.env,
        name=name,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        while time.monotonic() < deadline:
            fenv.supervisor.check_alive(proc, name)
            try:
                if client.get("/readyz").status_code == 200:
                    return Api(proc, port, name)
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise ChildFailed(f"{name} did not answer /readyz within {READY_TIMEOUT_S:.0f} s")


def start_worker(
    fenv: FaultEnv, *, name: str = "worker", env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``jiujinban worker``, once it logged ``worker_started``."""
    proc = fenv.supervisor.spawn([*fenv.cli, "worker"], env=env or fenv.env, name=name)

    def alive() -> None:
        fenv.supervisor.check_alive(proc, name)

    wait_worker_ready(fenv.supervisor.log_path(name), alive)
    return proc


@dataclass
class Submission:
    """One citizen's ready submission: the body of ``POST /api/v1/cases`` and its headers."""

    citizen: Citizen
    body: dict[str, Any]
    key: str
    """The ``Idempotency-Key`` the client sends, and sends again when it retries."""

    @property
    def headers(self) -> dict[str, str]:
        return {**self.citizen.headers, "Idempotency-Key": self.key}


async def prepare_submissions(api_url: str, count: int, *, first: int = 60_000) -> list[Submission]:
    """``count`` citizens logged in, identity bound and materials uploaded, through the API;
    each gets one submission of the demo's online item (its own uploads: an upload belongs to
    one case only)."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as api:

        async def citizen(n: int) -> Citizen:
            async with gate:
                return await _citizen(api, first + n)

        people = await asyncio.gather(*(citizen(n) for n in range(count)))
        item, _codes = await _pick_item(api)
        materials = [m["type"] for m in item["materials"] if m["required"]]

        async def one(who: Citizen) -> Submission:
            uploads = [await upload_material(api, who, m, gate) for m in materials]
            body = {
                "item_code": item["code"],
                "form": form_values(item["form"], id_number_value=who.id_number),
                "materials": [
                    {"type": m, "upload_id": u} for m, u in zip(materials, uploads, strict=True)
                ],
                "delivery": {"method": "window"},
            }
            return Submission(who, body, secrets.token_hex(16))

        return list(await asyncio.gather(*(one(who) for who in people)))


async def case_counts(database_url: str, citizen_ids: list[str]) -> dict[str, int]:
    """Cases per citizen, for the citizens given (a citizen with none is absent)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT applicant, count(*) AS n FROM case_record WHERE applicant = ANY($1::uuid[])"
            " GROUP BY applicant",
            citizen_ids,
        )
    finally:
        await conn.close()
    return {str(r["applicant"]): int(r["n"]) for r in rows}
