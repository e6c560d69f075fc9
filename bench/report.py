"""The result of a run: a table on the terminal and the same figures as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.loadgen import Measurement
from bench.scenarios import Scenario


@dataclass(frozen=True, slots=True)
class Result:
    scenario: Scenario
    concurrency: int
    app_rounds: list[Measurement]
    baseline_rounds: list[Measurement] | None

    @property
    def app(self) -> Measurement:
        return Measurement.combine(self.app_rounds)

    @property
    def baseline(self) -> Measurement | None:
        return Measurement.combine(self.baseline_rounds) if self.baseline_rounds else None

    @property
    def fraction(self) -> float | None:
        """Our throughput as a fraction of the baseline's."""
        if self.baseline is None or not self.baseline.rps:
            return None
        return self.app.rps / self.baseline.rps


def _figures(m: Measurement) -> dict[str, Any]:
    rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(m).items()}
    return {**rounded, "rps": round(m.rps, 1)}


def _measurement(rounds: list[Measurement] | None) -> dict[str, Any] | None:
    if not rounds:
        return None
    return {**_figures(Measurement.combine(rounds)), "rounds": [_figures(m) for m in rounds]}


def to_json(meta: dict[str, Any], results: list[Result]) -> dict[str, Any]:
    return {
        **meta,
        "scenarios": [
            {
                "name": r.scenario.name,
                "method": r.scenario.method,
                "path": r.scenario.path,
                "measures": r.scenario.summary,
                "note": r.scenario.note,
                "concurrency": r.concurrency,
                "app": _measurement(r.app_rounds),
                "baseline": _measurement(r.baseline_rounds),
                "app_fraction_of_baseline": None if r.fraction is None else round(r.fraction, 3),
            }
            for r in results
        ],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _cells(m: Measurement | None) -> list[str]:
    if m is None:
        return ["–", "–", "–"]
    rps = f"{m.rps:,.0f}" + (f" ({m.errors} err)" if m.errors else "")
    return [rps, f"{m.p50_ms:.2f}", f"{m.p99_ms:.2f}"]


def render(console: Console, meta: dict[str, Any], results: list[Result]) -> None:
    machine = meta["machine"]
    table = Table(
        title=(
            f"jiujinban vs bare Litestar+asyncpg — {machine['cores']} cores, "
            f"Python {machine['python']}, {meta['workers']} uvicorn workers each"
        ),
        caption=(
            f"{meta['loadgen']}; per scenario and server {meta['warmup_seconds']:g} s warm-up, "
            f"then {meta['seconds']:g} s in {meta['rounds']} alternating rounds; latencies in ms "
            f"(mean of the rounds); {machine['cpu']}"
        ),
    )
    table.add_column("scenario")
    table.add_column("conns", justify="right")
    for who in ("app", "base"):
        table.add_column(f"{who} req/s", justify="right")
        table.add_column(f"{who} p50", justify="right")
        table.add_column(f"{who} p99", justify="right")
    table.add_column("app/base", justify="right")
    for r in results:
        fraction = "–" if r.fraction is None else f"{r.fraction:.0%}"
        name = r.scenario.name + (" *" if r.scenario.note else "")
        table.add_row(name, str(r.concurrency), *_cells(r.app), *_cells(r.baseline), fraction)
    console.print(table)
    for r in results:
        if r.scenario.note:
            console.print(f"* {r.scenario.name}: {r.scenario.note}")
