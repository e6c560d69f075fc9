"""One run's work against the two live servers: the context, a smoke check, the measurements."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import httpx

from bench import citizens, loadgen
from bench.cpu import CpuMeter
from bench.processes import ChildFailed
from bench.report import Result
from bench.scenarios import Context, Run, Scenario


def build_context(
    app_port: int,
    demo_password: str,
    database_url: str,
    *,
    with_citizens: bool = True,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Values scenarios refer to (``$name`` in paths and headers): a staff token from one real
    login, the demo accounts' usernames and, for the citizen scenarios, ``citizens``
    (``bench.citizens.CitizenData``: logged-in citizens with bound identities, their cases and
    the pool of uploads for submissions)."""
    with httpx.Client(base_url=f"http://127.0.0.1:{app_port}", timeout=30) as client:
        response = client.post(
            "/api/v1/auth/staff/login", json={"username": "admin", "password": demo_password}
        )
        response.raise_for_status()
        token = response.json()["access_token"]

    async def usernames() -> list[str]:
        conn = await asyncpg.connect(database_url, timeout=10)
        try:
            rows = await conn.fetch(
                "SELECT username FROM staff_user WHERE active ORDER BY username LIMIT 32"
            )
        finally:
            await conn.close()
        return [r["username"] for r in rows]

    context: dict[str, Any] = {
        "staff_token": token,
        "demo_password": demo_password,
        "staff_usernames": asyncio.run(usernames()),
    }
    if with_citizens:
        started = time.perf_counter()
        try:
            data = citizens.build(app_port, database_url)
        except RuntimeError as exc:
            raise ChildFailed(f"citizen setup failed: {exc}") from exc
        progress(
            f"citizens: {len(data.readers) + len(data.submitters)} logged in and bound, "
            f"{len(data.cases)} cases of {data.item_code} "
            f"({len(data.materials)} uploads each: {'、'.join(data.materials)}), "
            f"{len(data.photos)} photos of {len(data.photos[0]) // 1024} KB, "
            f"in {time.perf_counter() - started:.1f} s"
        )
        context["citizens"] = data
    return context


def smoke_check(scenarios: list[Scenario], ports: Mapping[str, int], context: Context) -> None:
    """One request per scenario, stream and server: a scenario answering 4xx/5xx would measure
    errors."""
    for scenario in scenarios:
        for who, port in ports.items():
            if who == "baseline" and not scenario.baseline:
                continue
            for stream, call in scenario.render(context, Run(who, 0.0)).first_calls:
                response = httpx.request(
                    call.method,
                    f"http://127.0.0.1:{port}{call.path}",
                    headers=dict(call.headers),
                    content=call.body,
                    timeout=30,
                )
                if not response.is_success:
                    raise ChildFailed(
                        f"{scenario.name} ({stream}) on {who} answered {response.status_code}: "
                        f"{response.text[:500]}"
                    )


def measure(
    generator: loadgen.LoadGenerator,
    scenarios: list[Scenario],
    ports: Mapping[str, int],
    context: Context,
    args: argparse.Namespace,
    progress: Callable[[str], None],
    cpu: CpuMeter | None = None,
) -> list[Result]:
    results = []
    for n, scenario in enumerate(scenarios, 1):
        concurrency = scenario.concurrency or args.concurrency
        progress(f"[{n}/{len(scenarios)}] {scenario.name}, {concurrency} conns …")
        targets = [(who, port) for who, port in ports.items() if who == "app" or scenario.baseline]
        results.append(measure_one(generator, scenario, concurrency, targets, context, args, cpu))
    return results


def measure_one(
    generator: loadgen.LoadGenerator,
    scenario: Scenario,
    concurrency: int,
    targets: list[tuple[str, int]],
    context: Context,
    args: argparse.Namespace,
    cpu: CpuMeter | None = None,
) -> Result:
    """Warm every server up, then measure them in rounds, in A B B A … order.

    Alternating cancels most of the drift a shared machine adds (other processes waking up):
    each server is measured as often early as late. The request is built afresh for every run
    (a scenario that creates things gets new uploads each time), before the run starts.
    """

    warmup: dict[str, loadgen.Measurement] = {}

    def drive(who: str, port: int, seconds: float, label: str) -> loadgen.Measurement:
        seen = warmup.get(who)
        request = scenario.render(context, Run(who, seconds, seen.rps if seen else None))
        before = cpu.sample(who) if cpu is not None else None
        measured = generator.run(
            port=port,
            request=request,
            concurrency=concurrency,
            seconds=seconds,
            label=f"{scenario.name}-{who}-{label}",
        )
        if cpu is None or before is None:
            return measured
        spent = cpu.spent(who, before)
        cpu.wait_idle(who)  # let it finish what the load generator left in flight
        return dataclasses.replace(measured, cpu_s=spent)

    if args.warmup > 0:
        for who, port in targets:
            warmup[who] = drive(who, port, args.warmup, "warmup")
    rounds: dict[str, list[loadgen.Measurement]] = {who: [] for who, _ in targets}
    for r in range(args.rounds):
        for who, port in targets if r % 2 == 0 else targets[::-1]:
            rounds[who].append(drive(who, port, args.duration / args.rounds, f"round{r + 1}"))
    return Result(scenario, concurrency, rounds["app"], rounds.get("baseline"), warmup)
