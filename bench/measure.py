"""One run's work against the two live servers: the context, a smoke check, the measurements."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import httpx

from bench import loadgen
from bench.processes import ChildFailed
from bench.report import Result
from bench.scenarios import Context, Scenario


def build_context(app_port: int, demo_password: str, database_url: str) -> dict[str, Any]:
    """Values scenarios refer to (``$name`` in paths and headers): a staff token from one real
    login, and the demo accounts' usernames."""
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

    return {
        "staff_token": token,
        "demo_password": demo_password,
        "staff_usernames": asyncio.run(usernames()),
    }


def smoke_check(scenarios: list[Scenario], ports: Mapping[str, int], context: Context) -> None:
    """One request per scenario and server: a scenario answering 4xx/5xx would measure errors."""
    for scenario in scenarios:
        request = scenario.render(context)
        for who, port in ports.items():
            if who == "baseline" and not scenario.baseline:
                continue
            response = httpx.request(
                request.method,
                f"http://127.0.0.1:{port}{request.path}",
                headers=dict(request.headers),
                content=request.bodies[0] if request.bodies else None,
                timeout=30,
            )
            if not response.is_success:
                raise ChildFailed(
                    f"{scenario.name} on {who} answered {response.status_code}: "
                    f"{response.text[:500]}"
                )


def measure(
    generator: loadgen.LoadGenerator,
    scenarios: list[Scenario],
    ports: Mapping[str, int],
    context: Context,
    args: argparse.Namespace,
    progress: Callable[[str], None],
) -> list[Result]:
    results = []
    for n, scenario in enumerate(scenarios, 1):
        concurrency = scenario.concurrency or args.concurrency
        progress(f"[{n}/{len(scenarios)}] {scenario.name}, {concurrency} conns …")
        targets = [(who, port) for who, port in ports.items() if who == "app" or scenario.baseline]
        results.append(measure_one(generator, scenario, concurrency, targets, context, args))
    return results


def measure_one(
    generator: loadgen.LoadGenerator,
    scenario: Scenario,
    concurrency: int,
    targets: list[tuple[str, int]],
    context: Context,
    args: argparse.Namespace,
) -> Result:
    """Warm every server up, then measure them in rounds, in A B B A … order.

    Alternating cancels most of the drift a shared machine adds (other processes waking up):
    each server is measured as often early as late.
    """
    request = scenario.render(context)

    def drive(who: str, port: int, seconds: float, label: str) -> loadgen.Measurement:
        return generator.run(
            port=port,
            request=request,
            concurrency=concurrency,
            seconds=seconds,
            label=f"{scenario.name}-{who}-{label}",
        )

    if args.warmup > 0:
        for who, port in targets:
            drive(who, port, args.warmup, "warmup")
    rounds: dict[str, list[loadgen.Measurement]] = {who: [] for who, _ in targets}
    for r in range(args.rounds):
        for who, port in targets if r % 2 == 0 else targets[::-1]:
            rounds[who].append(drive(who, port, args.duration / args.rounds, f"round{r + 1}"))
    return Result(scenario, concurrency, rounds["app"], rounds.get("baseline"))
