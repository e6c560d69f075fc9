"""The administrator's routing rules page (转办规则): which department approves an item, for one
township or the whole district; listing (by township and item, paged in SQL), setting, changing
and deleting a rule.

The page calls the same use cases as ``/api/v1/admin/routing-rules``
(``backend.window.service.rules``), which write the audit log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_settings as texts
from agent_portal.admin.settings_common import field, pages, require_admin, when
from agent_portal.common import desk
from agent_portal.common.errors import PageNotFound
from backend.catalogue import service as catalogue
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput, NotFound
from backend.geo import service as geo
from backend.identity.service import StaffAccount
from backend.window.service import rules
from backend.window.store import Rule

BASE: Final = "/portal/admin/routing"
DISTRICT: Final = "district"  # the township filter's value for the district-wide rules
MAX_TOWNSHIPS: Final = 200


@dataclass(frozen=True, slots=True)
class RuleForm:
    township: str = ""  # empty: district-wide
    item: str = ""
    department: str = ""
    send_method: str = "builtin"
    editing: int | None = None  # the rule being changed (its township and item stay)

    @classmethod
    def of(cls, form: FormMultiDict) -> RuleForm:
        return cls(
            township=field(form, "township"),
            item=field(form, "item"),
            department=field(form, "department"),
            send_method=field(form, "send_method"),
        )

    @classmethod
    def of_rule(cls, rule: Rule) -> RuleForm:
        return cls(
            rule.township_code or "",
            rule.item_code,
            rule.department_code,
            rule.send_method,
            rule.id,
        )


@dataclass(frozen=True, slots=True)
class Choices:
    """The names the page shows and the values the form may take."""

    townships: dict[str, str]
    items: dict[str, str]
    departments: dict[str, str]


async def _choices() -> Choices:
    found, _ = await geo.list_areas(level="township", parent=None, page=1, page_size=MAX_TOWNSHIPS)
    snap = await catalogue.snapshot()
    return Choices(
        townships={a.code: a.name for a in found},
        items={code: v.spec.name for code, v in sorted(snap.items.items())},
        departments=dict(sorted(snap.departments.items())),
    )


def _problems(form: RuleForm, choices: Choices) -> dict[str, str]:
    """Every wrong field of the form, by name."""
    found: dict[str, str] = {}
    if form.township and form.township not in choices.townships:
        found["township"] = texts.TOWNSHIP_UNKNOWN
    if form.item not in choices.items:
        found["item"] = texts.ITEM_REQUIRED
    if form.department not in choices.departments:
        found["department"] = texts.DEPARTMENT_REQUIRED
    if form.send_method not in texts.SEND_METHODS:
        found["send_method"] = texts.SEND_METHOD_REQUIRED
    return found


@dataclass(frozen=True, slots=True)
class Filters:
    township: str = ""
    item: str = ""

    def query(self) -> str:
        return f"township={self.township}&item={self.item}"


async def _page(
    filters: Filters,
    page: int,
    *,
    form: RuleForm | None = None,
    problems: dict[str, str] | None = None,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    found, total = await rules.list_rules(
        township_code=filters.township if filters.township not in ("", DISTRICT) else None,
        item_code=filters.item or None,
        page=page,
        page_size=desk.PAGE_SIZE,
        district_only=filters.township == DISTRICT,
    )
    return Template(
        "admin/routing_rules.html",
        context={
            "rules": found,
            "pages": pages(page, total),
            "filters": filters,
            "choices": await _choices(),
            "form": asdict(form or RuleForm()),
            "problems": problems or {},
            "done": texts.ROUTING_DONE.get(done or ""),
            "error": error,
            "send_methods": texts.SEND_METHODS,
            "district_wide": texts.DISTRICT_WIDE,
            "district": DISTRICT,
            "when": when,
        },
        status_code=status,
    )


async def _editing(edit: int | None) -> RuleForm | None:
    if edit is None:
        return None
    try:
        return RuleForm.of_rule(await rules.get_rule(rule_id=edit))
    except NotFound as exc:
        raise PageNotFound from exc


async def _save(form: RuleForm, staff: StaffAccount, deps: Deps) -> None:
    """The same use case as ``PUT /api/v1/admin/routing-rules``."""
    await rules.set_rule(
        township_code=form.township or None,
        item_code=form.item,
        department_code=form.department,
        send_method=form.send_method,
        staff_id=staff.id,
        audit=deps.audit,
    )


class RoutingPages(Controller):
    path = "/admin/routing"
    include_in_schema = False

    @get("/", name="portal:admin-routing")
    async def list_page(
        self,
        staff: StaffAccount,
        township: str = "",
        item: str = "",
        page: int = 1,
        edit: int | None = None,
        done: str | None = None,
    ) -> Template:
        require_admin(staff)
        filters = Filters(township.strip()[:12], item.strip()[:40])
        form = await _editing(edit)
        return await _page(filters, desk.page_number(page), form=form, done=done)

    @post("/", name="portal:admin-routing-save")
    async def save(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        require_admin(staff)
        form = RuleForm.of(await request.form())
        problems = _problems(form, await _choices())
        if problems:
            return await _page(
                Filters(), 1, form=form, problems=problems, error=texts.FORM_INVALID, status=422
            )
        try:
            await _save(form, staff, deps)
        except InvalidInput as exc:
            return await _page(Filters(), 1, form=form, error=exc.detail, status=422)
        return Redirect(f"{BASE}?item={form.item}&done=saved", status_code=303)

    @post("/{rule_id:int}/delete", name="portal:admin-routing-delete")
    async def delete(self, deps: Deps, staff: StaffAccount, rule_id: int) -> Response[Any]:
        require_admin(staff)
        try:
            await rules.delete_rule(rule_id=rule_id, audit=deps.audit, staff_id=staff.id)
        except DomainError as exc:
            return await _page(Filters(), 1, error=exc.detail, status=exc.status)
        return Redirect(f"{BASE}?done=removed", status_code=303)
