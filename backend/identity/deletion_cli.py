"""``jiujinban privacy deletions list|approve|refuse``: deletion requests from the command line
(the same use cases as ``/api/v1/admin/deletion-requests``; the decision is recorded as made by
the administrator named with ``--by``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

T = TypeVar("T")


def _run(work: Callable[[], Awaitable[T]]) -> T:
    from backend import db
    from backend.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from exc

    async def main() -> T:
        async with db.pool(settings.database_url, min_size=1, max_size=2):
            return await work()

    return asyncio.run(main())


@click.group("privacy")
def privacy() -> None:
    """Personal information: deletion requests (PIPL art. 47) and sealing case forms."""


@privacy.group("deletions")
def deletions_group() -> None:
    """Deletion requests: list, approve or refuse (with a reason the citizen is told)."""


@deletions_group.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "refused", "completed"]),
    default="pending",
    show_default=True,
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
def list_command(status: str, page: int) -> None:
    """Requests of one status, oldest first (names as held; ID numbers masked)."""
    from backend.identity.service import deletions

    rows, total = _run(lambda: deletions.list_requests(status=status, page=page, page_size=50))
    click.echo(f"{total} {status} request(s)")
    for r in rows:
        click.echo(
            f"{r.id}  {r.requested_at:%Y-%m-%d %H:%M}  {r.name or '-'}  {r.id_number_masked or '-'}"
            f"  cases={r.cases}  {r.decision_reason}"
        )


def _decide(request_id: str, by: str, reason: str, *, approve: bool) -> None:
    from backend.audit.service import AuditLog
    from backend.errors import DomainError
    from backend.identity.roles import ADMIN
    from backend.identity.service import deletions
    from backend.identity.store import users
    from backend.settings import load_settings

    settings = load_settings()

    async def work() -> deletions.Decision:
        admin = await users.id_of(username=by, role=ADMIN, active_only=True)
        if admin is None:
            raise click.ClickException(f"{by!r} is not an active administrator")
        return await deletions.decide(
            request_id=request_id,
            approve=approve,
            reason=reason,
            staff_id=admin,
            audit=AuditLog(settings.audit_key),
            doorbell=None,  # the worker's sweeper rings for it
            notice_s=settings.deletion_notice_s,
        )

    try:
        done = _run(work)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"{done.id} {done.status}")


@deletions_group.command("approve")
@click.argument("request_id")
@click.option("--by", required=True, help="Username of the administrator deciding.")
@click.option("--reason", required=True, help="Why (the citizen is told).")
def approve_command(request_id: str, by: str, reason: str) -> None:
    """Approve: the citizen is told, then everything no law keeps is erased."""
    _decide(request_id, by, reason, approve=True)


@deletions_group.command("refuse")
@click.argument("request_id")
@click.option("--by", required=True, help="Username of the administrator deciding.")
@click.option("--reason", required=True, help="Why (the citizen is told).")
def refuse_command(request_id: str, by: str, reason: str) -> None:
    """Refuse, with the reason the citizen is told."""
    _decide(request_id, by, reason, approve=False)
