"""Composition root of the ``jiujinban`` command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from backend.audit.cli import audit as audit_commands
from backend.cases import erase as cases_erase
from backend.cases.privacy_cli import encrypt_forms as encrypt_forms_command
from backend.identity import erasure
from backend.identity.deletion_cli import privacy as privacy_commands
from backend.identity.keys_cli import keys as keys_commands
from backend.identity.users_cli import users as users_commands
from backend.settings import Settings, SettingsError, load_settings
from backend.supervision.cli import supervision as supervision_commands
from backend.workdays.cli import calendar as calendar_commands
from notifications.cli import notifications as notification_commands

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from exc


def _run_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with a database pool open."""
    from backend import db

    async def main() -> T:
        async with db.pool(settings.database_url, min_size=1, max_size=4):
            return await work()

    return asyncio.run(main())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """就近办 (jiujinban) — the district's handle-it-nearby backend.

    Configuration comes from environment variables; see docs/configuration.md.
    """


@main.command()
def migrate() -> None:
    """Apply every pending database migration (safe to run again)."""
    from backend import db
    from backend.logging import configure_logging

    settings = _settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    applied = asyncio.run(db.migrate(settings.database_url))
    click.echo(
        f"migrations applied: {len(applied)}" + (f" ({', '.join(applied)})" if applied else "")
    )


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default: HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: PORT or 8000).")
@click.option(
    "--workers", type=int, default=None, help="Processes (default: WEB_WORKERS, else one per core)."
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the API under uvicorn, one worker process per core."""
    import uvicorn

    settings = _settings()
    count = workers or settings.web_workers or os.cpu_count() or 1
    uvicorn.run(
        "backend.app:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=count,
        log_level="warning",
        access_log=False,
        # X-Forwarded-For is read by backend.http.client, only from TRUSTED_PROXIES: uvicorn's
        # own handling trusts 127.0.0.1 by default and would let a local client pick its address.
        proxy_headers=False,
    )


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
def openapi(output: Path | None) -> None:
    """Write the OpenAPI document (as served at /schema/openapi.json) without a server.

    Needs no database, Redis or network: client teams and CI generate their types from it.
    """
    import msgspec

    from backend.app import create_app
    from backend.http.openapi import document

    app = create_app(_settings(), configure_logs=False)
    text = msgspec.json.format(msgspec.json.encode(document(app)), indent=2) + b"\n"
    if output is None:
        click.echo(text.decode(), nl=False)
        return
    output.write_bytes(text)
    click.echo(f"OpenAPI document written to {output}", err=True)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an arq worker: outbox jobs and the sweeper."""
    from backend.worker import run_worker

    run_worker(_settings(), burst=burst)


@main.command("fake-wechat")
@click.option("--port", type=int, default=None, help="Port (default: FAKE_WECHAT_PORT or 8001).")
def fake_wechat(port: int | None) -> None:
    """Run the local fake WeChat server (dev and demo only) with its inbox page."""
    from backend.fakes.wechat_server import main as fake_main

    settings = _settings()
    if not settings.dev_mode:
        raise click.ClickException("the fake WeChat server only runs in dev mode (JIUJINBAN_DEV=1)")
    port = port or settings.fake_wechat_port
    sys.exit(
        fake_main(
            [
                "--port",
                str(port),
                "--appid",
                settings.wechat_appid,
                "--secret",
                settings.wechat_secret,
                "--h5-appid",
                settings.wechat_h5_appid,
                "--h5-secret",
                settings.wechat_h5_secret,
            ]
        )
    )


@main.command("fake-sms")
@click.option("--port", type=int, default=None, help="Port (default: FAKE_WECHAT_PORT + 4).")
def fake_sms(port: int | None) -> None:
    """Run the local fake SMS gateway (dev and demo only); it checks SMS_SECRET's signatures."""
    from backend.fakes.sms_server import DEFAULT_SECRET
    from backend.fakes.sms_server import main as fake_main

    settings = _settings()
    if not settings.dev_mode:
        raise click.ClickException("the fake SMS gateway only runs in dev mode (JIUJINBAN_DEV=1)")
    secret = settings.sms_secret or DEFAULT_SECRET
    port = port or settings.fake_wechat_port + 4
    sys.exit(fake_main(["--port", str(port), "--secret", secret]))


@main.command()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where embedded services keep data.",
)
def dev(data_dir: Path | None) -> None:
    """Bring up everything locally: services, migrations, demo data, API, worker, fake WeChat."""
    from backend.devrun import run_dev

    settings = _settings()
    sys.exit(
        run_dev(
            environ=dict(os.environ),
            data_dir=data_dir or Path(settings.data_dir),
            port=settings.port,
            fake_wechat_port=settings.fake_wechat_port,
        )
    )


@main.group()
def demo() -> None:
    """Demo data (labelled as demo)."""


@demo.command("load")
def demo_load() -> None:
    """Load the Xiaoshan demo data; running it again changes nothing."""
    from backend.demo import load_demo

    settings = _settings()
    summary = _run_db(settings, lambda: load_demo(password=settings.demo_password))
    click.echo("demo data: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


@demo.command("generate")
@click.option("--cases", "count", type=click.IntRange(min=1), required=True, help="How many.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First submission day (default: a year ago).",
)
@click.option(
    "--no-rollups", is_flag=True, help="Leave the roll-ups (for several generators at once)."
)
def demo_generate(count: int, seed: int, since: Any, no_rollups: bool) -> None:
    """Generate a synthetic case history over the demo district (COPY in bulk), check a sample
    against the state machine, then rebuild the statistics roll-ups."""
    import datetime as dt
    import time

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from backend.clock import now_utc, today
    from backend.demo.generate import GenerationError, generate
    from backend.stats.rollup import rebuild
    from backend.workdays.service import load_calendar

    console = Console()
    settings = _settings()
    first = since.date() if since else today() - dt.timedelta(days=365)
    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(),
    )  # fmt: skip

    async def work() -> tuple[Any, Any, float, float]:
        calendar = await load_calendar()
        with Progress(*columns, console=console) as bar:
            tasks: dict[str, Any] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], completed=done, total=total)

            started = time.perf_counter()
            report = await generate(
                cases=count, seed=seed, since=first, calendar=calendar, now=now_utc(),
                progress=progress,
            )  # fmt: skip
            generated = time.perf_counter() - started
            started = time.perf_counter()
            if no_rollups:
                return report, None, generated, 0.0
            rolled = await rebuild(calendar=calendar, today=today(), progress=progress)
            return report, rolled, generated, time.perf_counter() - started

    try:
        report, rolled, generated, rebuilt = _run_db(settings, work)
    except GenerationError as exc:
        raise click.ClickException(f"generation failed: {exc}") from exc
    console.print(
        f"generated {report.cases} cases ({report.events} events, {report.evaluations} ratings,"
        f" {report.citizens} citizens) in {generated:.1f} s; {report.checked} histories replayed"
        " through the state machine, all legal; "
        + (
            "roll-ups left as they were"
            if rolled is None
            else f"roll-ups rebuilt ({rolled.cases} cases, {rolled.months} months)"
            f" in {rebuilt:.1f} s"
        )
    )
    console.print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(report.by_status.items())))


@main.group()
def catalogue() -> None:
    """The catalogue of items, bundles and service points."""


@catalogue.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check everything and show what would change; write nothing."
)
@click.option(
    "--effective-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day new item versions take effect (default: today; a file's 生效日期 column wins).",
)
def catalogue_import(path: Path, dry_run: bool, effective_from: Any) -> None:
    """Import a CSV, an XLSX workbook or a folder of them (items, materials, forms, bundles,
    service points, who-handles-what, areas, departments). A file with any bad row is
    rejected whole, each bad row named with its number and reason."""
    from rich.console import Console
    from rich.table import Table

    from backend.clock import today
    from backend.imports.apply import ImportRejected
    from backend.imports.service import import_batch, read_file

    console = Console()
    settings = _settings()
    day = effective_from.date() if effective_from else today()
    try:
        batch = read_file(path)
        report = _run_db(settings, lambda: import_batch(batch, effective_from=day, dry_run=dry_run))
    except ImportRejected as rejected:
        console.print(f"[red]导入被拒绝，未写入任何数据：{len(rejected.errors)} 处错误[/red]")
        for error in rejected.errors[:200]:
            console.print(f"  {error}", markup=False, highlight=False)
        if len(rejected.errors) > 200:
            console.print(f"  …… 另有 {len(rejected.errors) - 200} 处错误")
        sys.exit(1)
    table = Table(title="试导入（未写入）" if report.dry_run else "导入完成")
    for column in ("表", "新增", "更新", "未变", "移除"):
        table.add_column(column, justify="right" if column != "表" else "left")
    for sheet, tally in sorted(report.tallies.items()):
        table.add_row(
            sheet, str(tally.created), str(tally.updated), str(tally.unchanged), str(tally.removed)
        )
    console.print(table)


@main.command()
@click.option("--item", default=None, help="One item code (default: every personal item).")
@click.option(
    "--mode", type=click.Choice(["walk", "ebike", "car"]), default="ebike", show_default=True
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write every village to CSV.",
)
@click.option(
    "--svg",
    "svg_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Draw a map of villages.",
)
@click.option("--all-villages", is_flag=True, help="List every village, not only those with gaps.")
def coverage(
    item: str | None, mode: str, csv_path: Path | None, svg_path: Path | None, all_villages: bool
) -> None:
    """30-minute coverage: per village, the share of items reachable within 30 minutes."""
    from backend.geo.coverage_cli import run_coverage
    from backend.geo.travel import StraightLineEstimator

    settings = _settings()
    sys.exit(
        _run_db(
            settings,
            lambda: run_coverage(
                item=item,
                mode=mode,
                travel=StraightLineEstimator.from_settings(settings),
                csv_path=csv_path,
                svg_path=svg_path,
                all_villages=all_villages,
            ),
        )
    )


@main.group()
def boundaries() -> None:
    """Township boundaries for the dashboard's map (without any: the schematic shapes, 示意)."""


@boundaries.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def boundaries_import(path: Path) -> None:
    """Import a district's GeoJSON FeatureCollection, one feature per township with its code in
    properties.code. A file with any problem is refused whole, each problem named."""
    from backend.geo.boundaries import BoundaryFileRejected, import_file

    settings = _settings()
    try:
        count = _run_db(settings, lambda: import_file(path))
    except BoundaryFileRejected as rejected:
        click.echo(f"边界文件被拒绝，未写入任何数据：{len(rejected.errors)} 处错误", err=True)
        for error in rejected.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    click.echo(f"已导入 {count} 个镇街的边界；数据看板的地图改用这些边界。")


@boundaries.command("reset")
def boundaries_reset() -> None:
    """Forget the imported boundaries: the map draws the schematic shapes (示意) again."""
    from backend.geo.boundaries import reset

    count = _run_db(_settings(), reset)
    click.echo(f"已删除 {count} 个镇街的边界；地图改回示意图。")


@main.group()
def outbox() -> None:
    """The outbox of pending background work."""


@outbox.command("status")
def outbox_status() -> None:
    """Count outbox rows by status (pending, done, dead)."""
    from backend.outbox.runner import stats

    counts = _run_db(_settings(), stats)
    for status in ("pending", "done", "dead"):
        click.echo(f"{status:8} {counts.get(status, 0)}")


privacy_commands.add_command(encrypt_forms_command)

main.add_command(calendar_commands)
main.add_command(audit_commands)
main.add_command(keys_commands)
main.add_command(users_commands)
main.add_command(notification_commands)
main.add_command(supervision_commands)
main.add_command(privacy_commands)
erasure.register_case_keeper(cases_erase.cases_of)  # approving checks for open cases

if __name__ == "__main__":
    main()
