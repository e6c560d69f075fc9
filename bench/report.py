"""The result of a run: a table on the terminal and the same figures as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from bench.loadgen import Measurement
from bench.queue_latency import GOAL_P99_S, NAME, RATE, QueueResult
from bench.scenarios import Scenario


@dataclass(frozen=True, slots=True)
class Result:
    scenario: Scenario
    concurrency: int
    app_rounds: list[Measurement]
    baseline_rounds: list[Measurement] | None
    warmup: dict[str, Measurement] = field(default_factory=dict)

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

    def problems(self) -> list[str]:
        """What makes this scenario's figures untrustworthy: errors, exhausted pools — in the
        measured rounds or the warm-up."""
        out = []
        for who, m in (("app", self.app), ("baseline", self.baseline)):
            if m is None:
                continue
            if m.errors:
                out.append(f"{who}: {m.errors} errors of {m.requests} ({_statuses(m)})")
            if m.exhausted:
                out.append(
                    f"{who}: {m.exhausted} requests past the end of a once-only pool"
                    " (raise POOL_RPS / POOL_HEADROOM in bench/scenarios.py)"
                )
        for who, m in self.warmup.items():
            if m.errors or m.exhausted:
                out.append(
                    f"{who} warm-up: {m.errors} errors, {m.exhausted} past the pool"
                    f" ({_statuses(m)})"
                )
        return out

    def goal_misses(self) -> list[str] | None:
        """None without a goal; else what the scenario misses of it (empty: met)."""
        goal = self.scenario.goal
        if goal is None:
            return None
        app, misses = self.app, []
        if app.rps < goal.min_rps:
            misses.append(f"{app.rps:,.0f} req/s < {goal.min_rps:,.0f}")
        if goal.max_p99_ms is not None and app.p99_ms >= goal.max_p99_ms:
            misses.append(f"p99 {app.p99_ms:.0f} ms ≥ {goal.max_p99_ms:.0f}")
        if app.errors or app.exhausted:
            misses.append(f"{app.errors} errors")
        fraction = self.fraction
        if goal.min_fraction is not None and fraction is not None and fraction < goal.min_fraction:
            misses.append(f"{fraction:.1%} of baseline < {goal.min_fraction:.0%}")
        return misses


def _statuses(m: Measurement) -> str:
    if not m.statuses:
        return "statuses not counted"
    return ", ".join(f"{code}: {n}" for code, n in m.statuses.items())


def _figures(m: Measurement) -> dict[str, Any]:
    rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(m).items()}
    rounded["statuses"] = {str(k): v for k, v in m.statuses.items()}
    cpu = {g: m.cpu_ms_per_request(g) for g in m.cpu_s}
    return {
        **rounded,
        "rps": round(m.rps, 1),
        "cpu_ms_per_request": {g: round(v, 3) for g, v in cpu.items() if v is not None},
    }


def _measurement(rounds: list[Measurement] | None) -> dict[str, Any] | None:
    if not rounds:
        return None
    return {**_figures(Measurement.combine(rounds)), "rounds": [_figures(m) for m in rounds]}


def failed(results: list[Result]) -> list[tuple[str, list[str]]]:
    """Strict scenarios (writes) that had any error: the run must say so."""
    return [(r.scenario.name, p) for r in results if r.scenario.strict and (p := r.problems())]


def to_json(meta: dict[str, Any], results: list[Result]) -> dict[str, Any]:
    return {
        **meta,
        "failed": {name: problems for name, problems in failed(results)},
        "scenarios": [
            {
                "name": r.scenario.name,
                "method": r.scenario.method,
                "path": r.scenario.path,
                "measures": r.scenario.summary,
                "note": r.scenario.note,
                "concurrency": r.concurrency,
                "strict": r.scenario.strict,
                "app": _measurement(r.app_rounds),
                "baseline": _measurement(r.baseline_rounds),
                "warmup": {who: _figures(m) for who, m in r.warmup.items()},
                "app_fraction_of_baseline": None if r.fraction is None else round(r.fraction, 3),
                "errors": {
                    "app": r.app.errors,
                    "baseline": None if r.baseline is None else r.baseline.errors,
                },
                "problems": r.problems(),
                "goal": None
                if r.scenario.goal is None
                else {**asdict(r.scenario.goal), "misses": r.goal_misses()},
            }
            for r in results
        ],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _cells(m: Measurement | None) -> list[str]:
    if m is None:
        return ["–", "–", "–", "–"]
    errors = f"[bold red]{m.errors}[/bold red]" if m.errors else "0"
    return [f"{m.rps:,.0f}", f"{m.p50_ms:.2f}", f"{m.p99_ms:.2f}", errors]


def _cpu_cell(m: Measurement | None, group: str) -> str:
    value = None if m is None else m.cpu_ms_per_request(group)
    return "–" if value is None else f"{value:.2f}"


def _render_cpu(console: Console, results: list[Result]) -> None:
    if not any(r.app.cpu_s for r in results):
        return
    table = Table(
        title="CPU per request, ms (measured rounds)",
        caption=(
            "server: the uvicorn master and workers measured; postgres: the bench database's "
            "backends. Steadier than req/s on a shared machine."
        ),
    )
    table.add_column("scenario", no_wrap=True)
    for who in ("app", "base"):
        table.add_column(f"{who}\nserver", justify="right")
        table.add_column(f"{who}\npostgres", justify="right")
    table.add_column("app/base\nserver", justify="right")
    for r in results:
        app, base = r.app, r.baseline
        a, b = app.cpu_ms_per_request("server"), base.cpu_ms_per_request("server") if base else None
        ratio = f"{a / b:.1f}×" if a is not None and b else "–"
        table.add_row(
            r.scenario.name,
            _cpu_cell(app, "server"),
            _cpu_cell(app, "postgres"),
            _cpu_cell(base, "server"),
            _cpu_cell(base, "postgres"),
            ratio,
        )
    console.print(table)


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
            f"(mean of the rounds); err = answers other than 2xx + socket errors; "
            f"{machine['cpu']}"
        ),
    )
    table.add_column("scenario", no_wrap=True)
    table.add_column("conns", justify="right")
    for who in ("app", "base"):
        table.add_column(f"{who}\nreq/s", justify="right")
        table.add_column(f"{who}\np50", justify="right")
        table.add_column(f"{who}\np99", justify="right")
        table.add_column(f"{who}\nerr", justify="right")
    table.add_column("app/\nbase", justify="right")
    table.add_column("goal", justify="center")
    for r in results:
        fraction = "–" if r.fraction is None else f"{r.fraction:.0%}"
        name = r.scenario.name + (" *" if r.scenario.note else "")
        misses = r.goal_misses()
        goal = "–" if misses is None else ("[green]met[/green]" if not misses else "[red]no[/red]")
        table.add_row(name, str(r.concurrency), *_cells(r.app), *_cells(r.baseline), fraction, goal)
    console.print(table)
    _render_cpu(console, results)
    for r in results:
        if r.scenario.note:
            console.print(f"* {r.scenario.name}: {r.scenario.note}")
    for r in results:
        misses = r.goal_misses()
        if misses:
            console.print(f"goal missed by {r.scenario.name}: {'; '.join(misses)}")
        problems = r.problems()
        if problems and not r.scenario.strict:
            console.print(f"[yellow]{r.scenario.name}[/yellow]: {'; '.join(problems)}")
    bad = failed(results)
    if bad:
        lines = [f"{name}: {'; '.join(problems)}" for name, problems in bad]
        console.print(
            Panel(
                "\n".join(lines),
                title="[bold]ERRORS IN WRITE SCENARIOS — these figures are not valid[/bold]",
                style="bold red",
            )
        )


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def render_queue(console: Console, result: QueueResult) -> None:
    """The ``queue_latency`` table: submit → queued, and the submissions' own latency."""
    doc = result.to_json()
    misses = result.goal_misses()
    goal = "[green]met[/green]" if not misses else "[red]no[/red]"
    table = Table(
        title=(
            f"{NAME}: submission → township queue, {doc['rate']:g}/s open-loop for "
            f"{doc['seconds']:g} s, app + 1 arq worker (ms)"
        )
    )
    table.add_column("", no_wrap=True)
    for label in ("p50", "p95", "p99", "max"):
        table.add_column(label, justify="right")
    for label, key in (
        ("submit→queued", "submit_to_queued"),
        ("submit→job done", "submit_to_job_done"),
        ("POST", "client_submit_latency"),
    ):
        figures = doc[key]
        table.add_row(label, *(_ms(figures[f"{p}_ms"]) for p in ("p50", "p95", "p99", "max")))
    console.print(table)
    console.print(
        "submit→queued: the case's 'forward' event at − its 'submit' event at; job done: its "
        "outbox row's done_at (the forward committed before); POST: from the moment a "
        "submission was due to its answer. Load average before "
        f"{', '.join(f'{x:g}' for x in result.load_before)}, after "
        f"{', '.join(f'{x:g}' for x in result.load_after)}; worker "
        + ", ".join(f"{k} {v}" for k, v in result.worker.items())
    )
    errors = f"[bold red]{result.errors}[/bold red]" if result.errors else "0"
    console.print(
        f"{result.submissions} sent at {result.achieved_rate:.1f}/s, "
        f"{result.answered_201} created, {len(result.queue_delay_s)} queued, errors {errors} "
        f"({result.submit_error_count} submissions, {result.never_queued} never queued), "
        f"{result.retried} forward jobs retried; "
        f"goal (p99 < {GOAL_P99_S * 1000:,.0f} ms at {RATE:g}/s, no errors) {goal}"
        + (f": {'; '.join(misses)}" if misses else "")
    )
    cpu = ", ".join(f"{g} {v:.2f}" for g, v in result.cpu_ms_per_case().items())
    if cpu:
        console.print(f"CPU ms per case: {cpu}")
    for line in result.submit_errors:
        console.print(f"[red]{NAME} error[/red] {escape(line)}")
