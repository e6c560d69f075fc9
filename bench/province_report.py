"""The figures of a ``province`` run, from the load processes' records: pure functions.

Per operation: count, errors (any answer but 2xx, or none), p50/p99/max over the whole run,
and p99 by window (``province_profile.window_of``: ramp, peak, burst, tail). The goal: p99
under ``GOAL_P99_MS`` for every operation at the peak and in the bursts, no error, and CPU per
request within ``GOAL_CPU_RATIO`` of the bare baseline. The soak's series are judged flat or
not by ``flatness``; ``soak_svg`` draws them without any plotting library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.province_profile import (
    GOAL_CPU_RATIO,
    GOAL_P99_MS,
    Segment,
    Window,
    window_of,
)
from bench.queue_latency import percentile

WINDOWS: tuple[Window, ...] = ("ramp", "peak", "burst", "tail")


def merge(outputs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The outputs of several load processes of one phase as one."""
    ops: dict[str, dict[str, list[Any]]] = {}
    errors: dict[str, list[str]] = {}
    skipped: dict[str, int] = {}
    for out in outputs:
        for op, cols in out["ops"].items():
            mine = ops.setdefault(op, {"due": [], "latency_ms": [], "status": []})
            for key in mine:
                mine[key] += cols[key]
        for op, samples in out["errors"].items():
            errors.setdefault(op, []).extend(samples)
        for op, n in out["skipped"].items():
            skipped[op] = skipped.get(op, 0) + n
    return {
        "t0_wall": min((o["t0_wall"] for o in outputs), default=0.0),
        "cases": sum(o["cases"] for o in outputs),
        "submitted": [n for o in outputs for n in o["submitted"]],
        "never_queued": sum(o["never_queued"] for o in outputs),
        "queue_polls": sum(o["queue_polls"] for o in outputs),
        "lag_p99_ms": max((o["lag_p99_ms"] or 0.0 for o in outputs), default=0.0),
        "ops": ops,
        "errors": errors,
        "skipped": skipped,
    }


def _ms(values: Sequence[float], q: float) -> float | None:
    value = percentile(values, q)
    return None if value is None else round(value, 1)


@dataclass
class OpFigures:
    op: str
    count: int
    errors: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    p99_by_window: dict[str, float | None]
    count_by_window: dict[str, int]
    statuses: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "errors": self.errors,
            "statuses": self.statuses,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "p99_ms_by_window": self.p99_by_window,
            "count_by_window": self.count_by_window,
        }


def op_figures(merged: Mapping[str, Any], parts: Sequence[Segment]) -> dict[str, OpFigures]:
    out: dict[str, OpFigures] = {}
    for op, cols in sorted(merged["ops"].items()):
        latencies = cols["latency_ms"]
        statuses = cols["status"]
        by_window: dict[str, list[float]] = {w: [] for w in WINDOWS}
        for due, ms in zip(cols["due"], latencies, strict=True):
            by_window[window_of(due, parts)].append(ms)
        counted: dict[str, int] = {}
        for s in statuses:
            counted[str(s)] = counted.get(str(s), 0) + 1
        out[op] = OpFigures(
            op=op,
            count=len(latencies),
            errors=sum(1 for s in statuses if not 200 <= s < 300),
            p50_ms=_ms(latencies, 50),
            p99_ms=_ms(latencies, 99),
            max_ms=_ms(latencies, 100),
            p99_by_window={w: _ms(v, 99) for w, v in by_window.items()},
            count_by_window={w: len(v) for w, v in by_window.items()},
            statuses=counted,
        )
    return out


def errors_of(figures: Mapping[str, OpFigures], merged: Mapping[str, Any]) -> int:
    """Answers other than 2xx, no answers, and cases never seen in their township's queue
    (each also recorded as a ``queue_read`` with status 0)."""
    return sum(f.errors for f in figures.values())


def goal_misses(
    figures: Mapping[str, OpFigures],
    *,
    errors: int,
    cpu_ratio: float | None,
    windows: Iterable[str] = ("peak", "burst"),
) -> list[str]:
    """What the run misses of the goal (empty: met). ``cpu_ratio`` None: not measured."""
    misses = []
    for f in figures.values():
        for w in windows:
            p99 = f.p99_by_window.get(w)
            if p99 is not None and p99 >= GOAL_P99_MS:
                misses.append(f"{f.op}: p99 {p99:,.0f} ms ≥ {GOAL_P99_MS:.0f} ms ({w})")
    if errors:
        misses.append(f"{errors} errors")
    if cpu_ratio is not None and cpu_ratio > GOAL_CPU_RATIO:
        misses.append(f"CPU per request {cpu_ratio:.2f}× the baseline > {GOAL_CPU_RATIO}×")
    return misses


def missed_windows(misses: Iterable[str]) -> set[str]:
    return {w for m in misses for w in WINDOWS if m.endswith(f"({w})")}


# --- flatness -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flatness:
    first_mean: float | None
    last_mean: float | None
    growth: float | None
    """``last_mean / first_mean - 1``."""
    slope_per_hour: float | None
    flat: bool | None
    """None: too few samples to say."""

    def to_json(self) -> dict[str, Any]:
        return {
            "first_half_mean": self.first_mean,
            "last_half_mean": self.last_mean,
            "growth": self.growth,
            "slope_per_hour": self.slope_per_hour,
            "flat": self.flat,
        }


FLAT_GROWTH = 0.10
"""A series is flat when its second half's mean is at most 10 % above its first half's …"""


def flatness(
    values: Sequence[float | None],
    *,
    interval_s: float,
    floor: float = 0.0,
    skip: float = 0.25,
) -> Flatness:
    """Compare the second half of a series with its first half, after the first ``skip`` of it
    (warm-up: caches filling, pools opening). Flat: the second half's mean is at most
    ``FLAT_GROWTH`` above the first's, or above it by no more than ``floor`` (in the series'
    unit: a queue of 0 that becomes 2 is not a leak). Also the least-squares slope per hour
    over the judged part."""
    kept = [(k, v) for k, v in enumerate(values) if v is not None]
    kept = kept[int(len(kept) * skip) :]
    if len(kept) < 4:
        return Flatness(None, None, None, None, None)
    half = len(kept) // 2
    first = sum(v for _, v in kept[:half]) / half
    last = sum(v for _, v in kept[half:]) / (len(kept) - half)
    xs = [k * interval_s / 3600 for k, _ in kept]
    ys = [v for _, v in kept]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    growth = (last / first - 1) if first > 0 else (math.inf if last > 0 else 0.0)
    flat = growth <= FLAT_GROWTH or last - first <= floor
    return Flatness(
        round(first, 3),
        round(last, 3),
        round(growth, 4) if math.isfinite(growth) else None,
        round(slope, 3),
        flat,
    )


def interval_p99(
    merged: Mapping[str, Any], *, interval_s: float, intervals: int
) -> list[float | None]:
    """p99 (ms) of every request due in each interval of the run, all operations together."""
    buckets: list[list[float]] = [[] for _ in range(intervals)]
    for cols in merged["ops"].values():
        for due, ms in zip(cols["due"], cols["latency_ms"], strict=True):
            k = int(due // interval_s)
            if 0 <= k < intervals:
                buckets[k].append(ms)
    return [_ms(b, 99) for b in buckets]


# --- the soak plot --------------------------------------------------------------------------

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def soak_svg(
    panels: Sequence[tuple[str, Mapping[str, Sequence[float | None]]]],
    *,
    minutes: Sequence[float],
    title: str,
) -> str:
    """One panel per (title, series by name), stacked, x in minutes; a small SVG by hand."""
    width, left, right, panel_h, gap, top = 900, 70, 220, 170, 50, 40
    plot_w = width - left - right
    height = top + len(panels) * (panel_h + gap)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14">{_esc(title)}</text>',
    ]
    x_max = max(minutes, default=1.0) or 1.0
    for p, (name, series) in enumerate(panels):
        y0 = top + p * (panel_h + gap) + 10
        values = [v for s in series.values() for v in s if v is not None]
        y_max = max(values, default=1.0) * 1.1 or 1.0
        out.append(f'<text x="{left}" y="{y0 - 4}" font-size="12">{_esc(name)}</text>')
        out.append(
            f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{panel_h}" fill="none" '
            'stroke="#999"/>'
        )
        for frac in (0.0, 0.5, 1.0):
            y = y0 + panel_h - frac * panel_h
            out.append(
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{_num(frac * y_max)}</text>"
            )
        for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
            x = left + frac * plot_w
            out.append(
                f'<text x="{x:.1f}" y="{y0 + panel_h + 14}" text-anchor="middle">'
                f"{frac * x_max:.0f} min</text>"
            )
        for k, (label, ys) in enumerate(series.items()):
            colour = _COLOURS[k % len(_COLOURS)]
            points = " ".join(
                f"{left + m / x_max * plot_w:.1f},{y0 + panel_h - v / y_max * panel_h:.1f}"
                for m, v in zip(minutes, ys, strict=False)
                if v is not None
            )
            if points:
                out.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                    f'points="{points}"/>'
                )
            ly = y0 + 12 + k * 14
            out.append(
                f'<rect x="{left + plot_w + 10}" y="{ly - 8}" width="10" height="3" '
                f'fill="{colour}"/>'
            )
            out.append(f'<text x="{left + plot_w + 25}" y="{ly - 4}">{_esc(label)[:30]}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
