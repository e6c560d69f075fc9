"""The administrator's self-service terminals (自助终端): list, register, reissue, disable.

The pages call the same use cases as ``jiujinban terminals …`` (``backend.terminals.service``).
A credential (terminal id and secret) is shown once, on the page answering the registration or
the reissue, and never again.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_terminals as texts
from agent_portal.admin.accounts_forms import admin_actor
from agent_portal.common import desk
from agent_portal.common.lists import Pages
from backend.clock import local
from backend.deps import Deps
from backend.errors import DomainError
from backend.identity.service import StaffAccount
from backend.terminals import service

BASE: Final = "/portal/admin/terminals"


def _when(moment: Any) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


async def _list_page(
    page: int,
    *,
    done: str | None = None,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    rows, total = await service.list_terminals(page=page, page_size=desk.PAGE_SIZE)
    return Template(
        "admin/terminals_list.html",
        context={
            "rows": rows,
            "points": await service.terminal_points(),
            "pages": Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total),
            "done": done,
            "error": error,
            "kept": kept or {},
            "no_points": texts.NO_POINTS,
            "when": _when,
        },
        status_code=status,
    )


def _credential_page(credential: service.Credential, *, reissued: bool) -> Template:
    return Template(
        "admin/terminals_credential.html",
        context={
            "t": credential.terminal,
            "secret": credential.secret,
            "reissued": reissued,
            "once": texts.CREDENTIAL_ONCE,
            "reissued_note": texts.REISSUED_NOTE,
        },
    )


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


class TerminalPages(Controller):
    path = "/admin/terminals"
    include_in_schema = False

    @get("/", name="portal:admin-terminals")
    async def terminals(self, staff: StaffAccount, page: int = 1, done: str = "") -> Template:
        admin_actor(staff)
        return await _list_page(desk.page_number(page), done=texts.DONE.get(done))

    @post("/", name="portal:admin-terminal-issue", status_code=200)
    async def issue(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        actor = admin_actor(staff)
        form = await request.form()
        kept = {"point": _field(form, "point"), "name": _field(form, "name")}
        if not kept["point"] or not kept["name"]:
            error = texts.POINT_REQUIRED if not kept["point"] else texts.NAME_REQUIRED
            return await _list_page(1, error=error, kept=kept, status=422)
        try:
            credential = await service.issue(
                audit=deps.audit, actor=actor, point_code=kept["point"], name=kept["name"]
            )
        except DomainError as exc:
            return await _list_page(1, error=exc.detail, kept=kept, status=exc.status)
        return _credential_page(credential, reissued=False)

    @post("/{terminal_id:str}/reissue", name="portal:admin-terminal-reissue", status_code=200)
    async def reissue(self, deps: Deps, staff: StaffAccount, terminal_id: str) -> Response[Any]:
        actor = admin_actor(staff)
        try:
            credential = await service.reissue(
                audit=deps.audit, actor=actor, terminal_id=terminal_id
            )
        except DomainError as exc:
            return await _list_page(1, error=exc.detail, status=exc.status)
        return _credential_page(credential, reissued=True)

    @post("/{terminal_id:str}/disable", name="portal:admin-terminal-disable", status_code=200)
    async def disable(self, deps: Deps, staff: StaffAccount, terminal_id: str) -> Response[Any]:
        actor = admin_actor(staff)
        try:
            await service.disable(audit=deps.audit, actor=actor, terminal_id=terminal_id)
        except DomainError as exc:
            return await _list_page(1, error=exc.detail, status=exc.status)
        return Redirect(f"{BASE}/?done=disabled", status_code=303)
