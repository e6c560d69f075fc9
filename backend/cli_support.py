"""What the operators' command groups share: run a use case with a database pool open, and act
as the person at the terminal in the audit log."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

T = TypeVar("T")


def run_with_database(work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(settings)`` with a database pool open; domain errors end the command."""
    from backend import db
    from backend.errors import DomainError
    from backend.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from exc

    async def main() -> T:
        async with db.pool(settings.database_url, min_size=1, max_size=4):
            return await work(settings)

    try:
        return asyncio.run(main())
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc


def cli_actor() -> Any:
    """The operator at this terminal, as the audit log names them."""
    from backend.audit.service import Actor

    return Actor("system", f"cli:{getpass.getuser()}"[:64])


def cli_audit(settings: Any) -> Any:
    """The audit log, keyed as the settings say."""
    from backend.audit.service import AuditLog

    return AuditLog(settings.audit_key)
