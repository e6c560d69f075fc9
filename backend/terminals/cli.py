"""``jiujinban terminals …``: self-service terminals from the command line.

The same use cases as the admin portal's 自助终端 page; issuing, reissuing and disabling are
audited with the actor ``system:cli:<login name>``. The secret is printed once and never again.
"""

from __future__ import annotations

from typing import Any

import click

from backend.cli_support import cli_actor, cli_audit, run_with_database


def _show_credential(credential: Any) -> None:
    view = credential.terminal
    click.echo(f"terminal {view.name} at {view.service_point_id} ({view.township_code})")
    click.echo(f"terminal_id={view.id}")
    click.echo(f"secret={credential.secret}")
    click.echo("The secret is shown only now: enter it on the terminal.", err=True)


@click.group("terminals")
def terminals() -> None:
    """Self-service terminals (自助终端)."""


@terminals.command("issue")
@click.option("--point", "point_code", required=True, help="A self_service_terminal point's id.")
@click.option("--name", required=True, help="The terminal's name, e.g. 1号自助机.")
def terminals_issue(point_code: str, name: str) -> None:
    """Register a terminal at a service point and print its credential once."""
    from backend.terminals import service

    async def work(settings: Any) -> Any:
        return await service.issue(
            audit=cli_audit(settings), actor=cli_actor(), point_code=point_code, name=name
        )

    _show_credential(run_with_database(work))


@terminals.command("reissue")
@click.argument("terminal_id")
def terminals_reissue(terminal_id: str) -> None:
    """A new credential for a terminal (the old one stops working); printed once."""
    from backend.terminals import service

    async def work(settings: Any) -> Any:
        return await service.reissue(
            audit=cli_audit(settings), actor=cli_actor(), terminal_id=terminal_id
        )

    _show_credential(run_with_database(work))


@terminals.command("disable")
@click.argument("terminal_id")
def terminals_disable(terminal_id: str) -> None:
    """Disable a terminal: its tokens and open sessions stop working at once."""
    from backend.terminals import service

    async def work(settings: Any) -> Any:
        return await service.disable(
            audit=cli_audit(settings), actor=cli_actor(), terminal_id=terminal_id
        )

    view = run_with_database(work)
    click.echo(f"disabled {view.name} id={view.id}")


@terminals.command("list")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--page-size", type=click.IntRange(1, 500), default=100, show_default=True)
def terminals_list(page: int, page_size: int) -> None:
    """List terminals: id, name, point, township, state, last seen (tab-separated)."""
    from backend.terminals import service

    async def work(_settings: Any) -> Any:
        return await service.list_terminals(page=page, page_size=page_size)

    listed, total = run_with_database(work)
    for view in listed:
        state = "active" if view.active else "disabled"
        seen = view.last_seen_at.isoformat() if view.last_seen_at else "-"
        click.echo(
            f"{view.id}\t{view.name}\t{view.service_point_id}\t{view.township_code}\t{state}\t{seen}"
        )
    click.echo(f"{len(listed)} of {total}", err=True)
