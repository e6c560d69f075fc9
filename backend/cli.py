"""Composition root of the ``jiujinban`` command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from backend.settings import Settings, SettingsError, load_settings

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
        proxy_headers=True,
    )


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
            ]
        )
    )


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


@main.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["agent", "window", "approver", "supervisor", "admin"]),
)
@click.option("--area", "area_code", required=True, help="Area code the account is scoped to.")
@click.option(
    "--department", "department_code", default=None, help="Department code (approvers only)."
)
@click.option("--username", required=True)
@click.option(
    "--display-name", default=None, help="Name shown in the portal (default: the username)."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    role: str,
    area_code: str,
    department_code: str | None,
    username: str,
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create a staff account (the password is prompted for, or read with --password-stdin)."""
    from backend import db
    from backend.errors import DomainError
    from backend.identity.service import create_staff

    settings = _settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work() -> Any:
        async with db.engine().transaction():
            return await create_staff(
                username=username,
                password=password,
                role=role,
                area_code=area_code,
                department_code=department_code,
                display_name=display_name,
            )

    try:
        account = _run_db(settings, work)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created {account.role} {account.username} ({account.area_name}) id={account.id}")


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


if __name__ == "__main__":
    main()
