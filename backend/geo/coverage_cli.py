"""``jiujinban coverage``: the coverage table in a terminal, with CSV and an SVG map on request."""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from backend.catalogue import service as catalogue
from backend.errors import DomainError
from backend.geo import points, reach
from backend.geo.coverage_svg import render
from backend.geo.travel import TravelTimeProvider

MODE_LABELS = {"walk": "步行", "ebike": "电动车", "car": "汽车"}


async def run_coverage(
    *,
    item: str | None,
    mode: str,
    travel: TravelTimeProvider,
    csv_path: Path | None,
    svg_path: Path | None,
    all_villages: bool,
) -> int:
    console = Console()
    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("计算覆盖"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} 个村社"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("coverage", total=None)
            report = await reach.coverage(
                item_code=item,
                mode=mode,
                travel=travel,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        return 2
    elapsed = time.perf_counter() - started
    names = {code: view.spec.name for code, view in (await catalogue.snapshot()).items.items()}
    shown = report.villages if all_villages else report.villages_with_gaps
    table = Table(
        title=f"30 分钟办事圈覆盖（{MODE_LABELS[mode]}，{len(report.item_codes)} 个事项）"
    )
    for column in ("镇街", "村社", "30 分钟内可办", "缺口", "超出 30 分钟的事项（最远在前）"):
        table.add_column(column, no_wrap=column != "超出 30 分钟的事项（最远在前）")
    for v in sorted(shown, key=lambda v: (v.share_within, v.code)):
        worst = sorted(v.gaps, key=lambda c: -(v.minutes.get(c) or 10_000.0))
        gaps = "、".join(f"{names.get(c, c)} {report_minutes(v.minutes.get(c))}" for c in worst[:3])
        if len(worst) > 3:
            gaps += " 等"
        table.add_row(
            v.township_name, v.name, f"{v.share_within:.0%}", str(len(v.gaps)), gaps or "—"
        )
    console.print(table)
    console.print(
        f"村社 {len(report.villages)} 个，有缺口 {len(report.villages_with_gaps)} 个；"
        f"全区平均 {report.district_share:.1%} 的事项可在 30 分钟内办理。用时 {elapsed:.2f} 秒。"
    )
    if csv_path is not None:
        await asyncio.to_thread(_write_csv, csv_path, report)
        console.print(f"CSV：{csv_path}")
    if svg_path is not None:
        geo = await points.snapshot()
        halls = [p for p in geo.points.values() if p.kind == "township_hall"]
        title = f"萧山区 30 分钟办事圈覆盖（{MODE_LABELS[mode]}）"
        svg = render(report, geo.villages, halls, title)
        await asyncio.to_thread(svg_path.write_text, svg, encoding="utf-8")
        console.print(f"SVG：{svg_path}")
    return 0


def report_minutes(minutes: float | None) -> str:
    return "无" if minutes is None else f"{minutes:.0f} 分钟"


def _write_csv(path: Path, report: reach.CoverageReport) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "township_code",
                "township",
                "village_code",
                "village",
                "share_within_30",
                *report.item_codes,
            ]
        )
        for v in report.villages:
            minutes = ["" if v.minutes[c] is None else v.minutes[c] for c in report.item_codes]
            writer.writerow(
                [
                    v.township_code,
                    v.township_name,
                    v.code,
                    v.name,
                    f"{v.share_within:.4f}",
                    *minutes,
                ]
            )
