"""``jiujinban users …``: staff accounts from the command line.

The same use cases as ``/api/v1/admin/users``; changes are audited with the actor
``system:cli:<login name>`` and the ``--reason`` given.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from backend.cli_support import cli_actor, cli_audit, run_with_database
from backend.identity import roles

_REASON = click.option("--reason", required=True, help="Why (written to the audit log).")


def _line(account: Any, *, locked: bool = False) -> str:
    state = "active" if account.active else "disabled"
    extra = (" locked" if locked else "") + (
        " must-change-password" if account.must_change_password else ""
    )
    return f"{account.username}\t{account.role}\t{account.area_code}\t{state}{extra}\t{account.id}"


@click.group("users")
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.option("--role", required=True, type=click.Choice(list(roles.ROLES)))
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
    from backend.identity.password_policy import PasswordRules
    from backend.identity.service import create_staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work(settings: Any) -> Any:
        async with db.engine().transaction():
            return await create_staff(
                username=username,
                password=password,
                role=role,
                area_code=area_code,
                department_code=department_code,
                display_name=display_name,
                rules=PasswordRules(settings.dev_mode, settings.demo_password),
            )

    account = run_with_database(work)
    click.echo(f"created {account.role} {account.username} ({account.area_name}) id={account.id}")


@users.command("list")
@click.option("--role", type=click.Choice(list(roles.ROLES)), default=None)
@click.option("--area", "area_code", default=None, help="Area code (and the areas under it).")
@click.option(
    "--state",
    type=click.Choice(["active", "disabled", "locked", "password_change_required"]),
    default=None,
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--page-size", type=click.IntRange(1, 500), default=100, show_default=True)
def users_list(
    role: str | None, area_code: str | None, state: str | None, page: int, page_size: int
) -> None:
    """List staff accounts: username, role, area, state, id (tab-separated)."""
    from backend.identity import staff_admin

    async def work(_settings: Any) -> Any:
        return await staff_admin.list_staff(
            page=page, page_size=page_size, role=role, area_code=area_code, state=state
        )

    listed, total = run_with_database(work)
    for item in listed:
        click.echo(_line(item.account, locked=item.locked))
    click.echo(f"{len(listed)} of {total}", err=True)


async def _staff_id(username: str) -> str:
    from backend.errors import NotFound
    from backend.identity.store import users

    staff_id = await users.id_of(username=username.strip().lower())
    if staff_id is None:
        raise NotFound(f"没有用户名为 {username} 的账号。", code="staff_not_found")
    return staff_id


def _set_active(username: str, reason: str, *, active: bool) -> None:
    from backend.identity import staff_admin

    async def work(settings: Any) -> Any:
        return await staff_admin.set_active(
            audit=cli_audit(settings),
            actor=cli_actor(),
            staff_id=await _staff_id(username),
            active=active,
            reason=reason,
        )

    click.echo(_line(run_with_database(work)))


@users.command("disable")
@click.argument("username")
@_REASON
def users_disable(username: str, reason: str) -> None:
    """Disable an account; every session and token of it ends at once."""
    _set_active(username, reason, active=False)


@users.command("enable")
@click.argument("username")
@_REASON
def users_enable(username: str, reason: str) -> None:
    """Re-enable a disabled account."""
    _set_active(username, reason, active=True)


@users.command("unlock")
@click.argument("username")
@_REASON
def users_unlock(username: str, reason: str) -> None:
    """Clear the login failures and locks of an account, from every address."""
    from backend.identity import staff_admin

    async def work(settings: Any) -> Any:
        return await staff_admin.unlock(
            audit=cli_audit(settings),
            actor=cli_actor(),
            staff_id=await _staff_id(username),
            reason=reason,
        )

    click.echo(_line(run_with_database(work)))


@users.command("reset-password")
@click.argument("username")
@_REASON
def users_reset_password(username: str, reason: str) -> None:
    """Set a temporary password (printed once) that must be changed at the next login."""
    from backend.identity import staff_admin

    async def work(settings: Any) -> Any:
        return await staff_admin.reset_password(
            audit=cli_audit(settings),
            actor=cli_actor(),
            staff_id=await _staff_id(username),
            reason=reason,
        )

    reset = run_with_database(work)
    click.echo(_line(reset.account))
    click.echo(f"temporary password: {reset.temporary_password}")
