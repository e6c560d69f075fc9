"""The administrator's staff accounts (账号管理): list, create, reassign, disable and enable,
unlock, reset a password, end every session.

Each page calls the same use case as ``/api/v1/admin/users`` (``backend.identity.staff_admin``);
every change is audited there with the administrator's reason and the account before and after.
Other roles get the 403 page; an account that does not exist is the 404 page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_accounts as texts
from agent_portal.admin.accounts_forms import FormCheck, FormRefused, admin_actor, refusal
from agent_portal.common import desk
from agent_portal.common.errors import PageNotFound
from agent_portal.common.lists import Pages
from backend.audit.service import Actor
from backend.clock import local
from backend.deps import Deps
from backend.errors import DomainError
from backend.geo.service import AreaView, list_areas
from backend.identity import roles, staff_admin
from backend.identity.service import USERNAME, StaffAccount
from backend.identity.staff_admin import PasswordReset, StaffListed
from backend.textrules import has_hidden_chars

BASE: Final = "/portal/admin/accounts"
NAME_MAX: Final = 64
REASON_MAX: Final = 500
_ALL_AREAS: Final = 10_000


@dataclass(frozen=True, slots=True)
class Choices:
    """What the forms offer: every area of the district and every department."""

    areas: list[AreaView]
    departments: dict[str, str]

    @property
    def area_codes(self) -> set[str]:
        return {a.code for a in self.areas}

    def level_of(self, code: str) -> str | None:
        return next((a.level for a in self.areas if a.code == code), None)

    @property
    def filter_areas(self) -> list[AreaView]:
        """The district and its townships (a township's filter takes its villages too)."""
        return [a for a in self.areas if a.level in ("district", "township")]

    def groups(self) -> list[tuple[AreaView, list[AreaView]]]:
        """Each district or township with the villages under it."""
        villages: dict[str, list[AreaView]] = defaultdict(list)
        for area in self.areas:
            if area.level == "village" and area.parent_code:
                villages[area.parent_code].append(area)
        return [(a, villages[a.code]) for a in self.filter_areas]


async def _choices() -> Choices:
    found, _ = await list_areas(level=None, parent=None, page=1, page_size=_ALL_AREAS)
    return Choices(found, await staff_admin.department_names())


@dataclass(frozen=True, slots=True)
class Assignment:
    role: str
    area_code: str
    department_code: str | None


def _assignment(check: FormCheck, choices: Choices) -> Assignment:
    """The role, area and department, each wrong one named beside its field (a role set at an
    area level it may not work at is the area's problem)."""
    role = check.choice("role", roles.ROLES, unknown=texts.UNKNOWN_ROLE)
    area = check.choice("area_code", choices.area_codes, unknown=texts.UNKNOWN_AREA)
    level = choices.level_of(area)
    if role and level and level not in roles.AREA_LEVELS[role]:
        check.refuse("area_code", texts.wrong_area_level(role))
    department = ""
    if role == roles.APPROVER:
        department = check.choice(
            "department_code", choices.departments, unknown=texts.UNKNOWN_DEPARTMENT
        )
    return Assignment(role, area, department or None)


def _reason(check: FormCheck) -> str:
    reason = check.text("reason", limit=REASON_MAX, multiline=True)
    if not check.ok:
        raise FormRefused
    return reason


# --- the list -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListFilter:
    role: str | None
    area: str | None
    state: str | None
    error: str | None
    text: str | None = None


def _list_filter(role: str, area: str, state: str, q: str, choices: Choices) -> ListFilter:
    """The filters as given, or none of them and why (an unknown value is a 422)."""
    known_areas = {a.code for a in choices.filter_areas}
    text = q.strip()
    if (
        (role and role not in roles.ROLES)
        or (area and area not in known_areas)
        or (state and state not in staff_admin.STATES)
        or len(text) > NAME_MAX
        or has_hidden_chars(text)
    ):
        return ListFilter(None, None, None, texts.FILTER_INVALID)
    return ListFilter(role or None, area or None, state or None, None, text or None)


def _states_of(row: StaffListed) -> list[str]:
    found = ["active" if row.account.active else "disabled"]
    if row.locked:
        found.append("locked")
    if row.account.must_change_password:
        found.append("password_change_required")
    return found


async def _list_page(where: ListFilter, page: int, choices: Choices, done: str | None) -> Template:
    listed: list[StaffListed] = []
    total = 0
    if where.error is None:
        listed, total = await staff_admin.list_staff(
            page=page,
            page_size=desk.PAGE_SIZE,
            role=where.role,
            area_code=where.area,
            state=where.state,
            text=where.text,
        )
    query = {
        "q": where.text or "",
        "role": where.role or "",
        "area": where.area or "",
        "state": where.state or "",
    }
    return Template(
        "admin/accounts_list.html",
        context={
            "rows": [(row, _states_of(row)) for row in listed],
            "pages": Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total),
            "base": f"{BASE}/?{urlencode(query)}&",
            "filters": query,
            "choices": choices,
            "role_choices": texts.ROLE_CHOICES,
            "state_labels": texts.STATE_LABELS,
            "error": where.error,
            "done": done,
            "when": lambda moment: local(moment).strftime("%Y-%m-%d %H:%M") if moment else "",
        },
        status_code=422 if where.error else 200,
    )


# --- one account ----------------------------------------------------------------------------


def _current(account: StaffAccount) -> dict[str, str]:
    return {
        "role": account.role,
        "area_code": account.area_code,
        "department_code": account.department_code or "",
    }


async def _account_page(
    staff_id: str,
    *,
    check: FormCheck | None = None,
    failed: str | None = None,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Template:
    found, _ = await staff_admin.list_staff(page=1, page_size=1, staff_id=staff_id)
    row = found[0]
    kept = check.values if check is not None else {}
    return Template(
        "admin/accounts_detail.html",
        context={
            "row": row,
            "account": row.account,
            "states": _states_of(row),
            "state_labels": texts.STATE_LABELS,
            "choices": await _choices(),
            "role_choices": texts.ROLE_CHOICES,
            "kept": {**_current(row.account), **kept} if failed == "assignment" else kept,
            "current": _current(row.account),
            "problems": check.problems if check is not None else {},
            "failed": failed,
            "error": error,
            "done": done,
        },
        status_code=status,
    )


def _password_page(made: PasswordReset, *, created: bool) -> Template:
    """The temporary password, shown this once (the portal's answers are never cached)."""
    return Template(
        "admin/accounts_password.html",
        context={"account": made.account, "password": made.temporary_password, "created": created},
    )


Action = Callable[[Deps, Actor, str, FormCheck], Awaitable[PasswordReset | None]]


def _activity(active: bool) -> Action:
    async def act(deps: Deps, actor: Actor, staff_id: str, check: FormCheck) -> None:
        await staff_admin.set_active(
            audit=deps.audit, actor=actor, staff_id=staff_id, active=active, reason=_reason(check)
        )

    return act


async def _unlock(deps: Deps, actor: Actor, staff_id: str, check: FormCheck) -> None:
    reason = _reason(check)
    await staff_admin.unlock(audit=deps.audit, actor=actor, staff_id=staff_id, reason=reason)


async def _reset(deps: Deps, actor: Actor, staff_id: str, check: FormCheck) -> PasswordReset:
    reason = _reason(check)
    return await staff_admin.reset_password(
        audit=deps.audit, actor=actor, staff_id=staff_id, reason=reason
    )


async def _end_sessions(deps: Deps, actor: Actor, staff_id: str, check: FormCheck) -> None:
    reason = _reason(check)
    await staff_admin.end_sessions(audit=deps.audit, actor=actor, staff_id=staff_id, reason=reason)


async def _reassign(deps: Deps, actor: Actor, staff_id: str, check: FormCheck) -> None:
    assignment = _assignment(check, await _choices())
    reason = _reason(check)
    await staff_admin.reassign(
        audit=deps.audit,
        actor=actor,
        staff_id=staff_id,
        role=assignment.role,
        area_code=assignment.area_code,
        department_code=assignment.department_code,
        reason=reason,
    )


ACTIONS: Final[dict[str, Action]] = {
    "assignment": _reassign,
    "disable": _activity(False),
    "enable": _activity(True),
    "unlock": _unlock,
    "reset-password": _reset,
    "end-sessions": _end_sessions,
}


# --- a new account --------------------------------------------------------------------------


def _new_page(
    choices: Choices, check: FormCheck | None = None, error: str | None = None, status: int = 200
) -> Template:
    return Template(
        "admin/accounts_new.html",
        context={
            "choices": choices,
            "role_choices": texts.ROLE_CHOICES,
            "kept": check.values if check is not None else {},
            "problems": check.problems if check is not None else {},
            "error": error,
        },
        status_code=status,
    )


async def _create(deps: Deps, actor: Actor, check: FormCheck, choices: Choices) -> PasswordReset:
    username = check.text("username", limit=NAME_MAX)
    if username and not USERNAME.match(username.lower()):
        check.refuse("username", texts.USERNAME_FORMAT)
    name = check.text("display_name", limit=NAME_MAX)
    assignment = _assignment(check, choices)
    if not check.ok:
        raise FormRefused
    try:
        return await staff_admin.create_account(
            audit=deps.audit,
            actor=actor,
            username=username,
            display_name=name,
            role=assignment.role,
            area_code=assignment.area_code,
            department_code=assignment.department_code,
        )
    except DomainError as exc:
        if exc.code != "username_taken":
            raise
        check.refuse("username", exc.detail)  # beside the field too; the answer stays a 409
        raise


class AccountsPages(Controller):
    path = "/admin/accounts"
    include_in_schema = False

    @get("/", name="portal:admin-accounts")
    async def accounts(
        self,
        staff: StaffAccount,
        role: str = "",
        area: str = "",
        account_state: Annotated[str, Parameter(query="state")] = "",
        q: str = "",
        page: int = 1,
        done: str = "",
    ) -> Template:
        admin_actor(staff)
        choices = await _choices()
        where = _list_filter(role, area, account_state, q, choices)
        return await _list_page(
            where, desk.page_number(page), choices, texts.ACCOUNT_DONE.get(done)
        )

    @get("/new", name="portal:admin-account-new")
    async def new_account(self, staff: StaffAccount) -> Template:
        admin_actor(staff)
        return _new_page(await _choices())

    @post("/new", name="portal:admin-account-create", status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Template:
        actor = admin_actor(staff)
        choices = await _choices()
        check = FormCheck(await request.form())
        try:
            made = await _create(deps, actor, check, choices)
        except (FormRefused, DomainError) as exc:
            return _new_page(choices, check, *refusal(exc))
        return _password_page(made, created=True)

    @get("/{staff_id:str}", name="portal:admin-account")
    async def account(self, staff: StaffAccount, staff_id: str, done: str = "") -> Template:
        admin_actor(staff)
        return await _account_page(staff_id, done=texts.ACCOUNT_DONE.get(done))

    @post("/{staff_id:str}/{action:str}", name="portal:admin-account-act", status_code=200)
    async def act(
        self,
        request: Request[Any, Any, Any],
        deps: Deps,
        staff: StaffAccount,
        staff_id: str,
        action: str,
    ) -> Response[Any]:
        actor, run = admin_actor(staff), ACTIONS.get(action)
        if run is None:
            raise PageNotFound
        await staff_admin.list_staff(page=1, page_size=1, staff_id=staff_id)  # 404 first
        check = FormCheck(await request.form())
        try:
            reset = await run(deps, actor, staff_id, check)
        except (FormRefused, DomainError) as exc:
            error, status = refusal(exc)
            return await _account_page(
                staff_id, check=check, failed=action, error=error, status=status
            )
        if reset is not None:
            return _password_page(reset, created=False)
        return Redirect(f"{BASE}/{staff_id}?done={action}", status_code=303)
