"""The administrator's catalogue pages (事项目录): items and bundles, listed, shown and changed.

Changing an item records a new version from a day (today or later); the versions already
written, and the cases filed under them, stay as they were. Every change is audited with the
before and after (``backend.catalogue.service.edit_item`` / ``edit_bundle``). Other roles get the
403 page on every address here.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from agent_portal.admin import catalogue_forms as forms
from agent_portal.admin import texts_catalogue as texts
from agent_portal.admin.catalogue_forms import ItemDraft
from agent_portal.common import desk
from agent_portal.common.errors import WrongRole
from agent_portal.common.lists import Pages
from backend.audit.service import Actor
from backend.catalogue import service as catalogue
from backend.catalogue import texts as catalogue_texts
from backend.catalogue.model import KINDS, BundleSpec
from backend.catalogue.service import ListedItem
from backend.clock import today
from backend.deps import Deps
from backend.errors import InvalidInput
from backend.identity import roles
from backend.identity.service import StaffAccount

BASE = "/portal/admin/catalogue"


def _admin(staff: StaffAccount) -> Actor:
    """The administrator as the audit names them; any other role gets the 403 page."""
    if staff.role != roles.ADMIN:
        raise WrongRole(roles.ADMIN)
    return Actor("staff", staff.id)


def _pages(page: int, total: int) -> Pages:
    return Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total)


def _problems(exc: InvalidInput) -> list[str]:
    found = exc.extra.get("problems")
    return [str(p) for p in found] if isinstance(found, list) else [exc.detail]


def _labels() -> dict[str, Any]:
    return {
        "kinds": catalogue_texts.KIND_LABELS,
        "channels": catalogue_texts.CHANNEL_LABELS,
        "delivery": catalogue_texts.DELIVERY_LABELS,
        "datatypes": texts.DATATYPES,
        "sensitivities": texts.SENSITIVITIES,
        "levels": catalogue_texts.LEVEL_LABELS,
    }


async def _item_page(
    code: str,
    *,
    draft: ItemDraft | None = None,
    problems: list[str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Template:
    history = await catalogue.item_history(code=code)
    shown = draft or forms.draft_of(history.latest, effective_from=today())
    return Template(
        "admin/catalogue_item.html",
        context={
            "new": False,
            "history": history,
            "draft": shown.with_blank_rows(),
            "departments": await catalogue.departments(),
            "problems": problems or [],
            "refused": texts.REFUSED,
            "done": texts.DONE.get(done or ""),
            "today": today(),
            "state": texts,
            **_labels(),
        },
        status_code=status_code,
    )


async def _bundle_page(
    spec: BundleSpec,
    *,
    problems: list[str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        "admin/catalogue_bundle.html",
        context={
            "bundle": spec,
            "items": await catalogue.item_names(),
            "problems": problems or [],
            "refused": texts.REFUSED,
            "done": texts.DONE.get(done or ""),
        },
        status_code=status_code,
    )


async def _items_page(listed: list[ListedItem], pages: Pages, filters: dict[str, str]) -> Template:
    return Template(
        "admin/catalogue_items.html",
        context={
            "listed": listed,
            "pages": pages,
            "filters": filters,
            "departments": await catalogue.departments(),
            "today": today(),
            **_labels(),
        },
    )


async def _save_bundle(deps: Deps, actor: Actor, spec: BundleSpec, note: str) -> str:
    """The bundle changed; which notice the bundle's page then shows."""
    changed = await catalogue.edit_bundle(
        audit=deps.audit,
        doorbell=deps.doorbell,
        actor=actor,
        code=spec.code,
        name=spec.name,
        item_codes=spec.item_codes,
        note=note,
    )
    return "bundle" if changed else "bundle-unchanged"


async def _new_item_page(
    draft: ItemDraft, *, problems: list[str] | None = None, status_code: int = 200
) -> Template:
    return Template(
        "admin/catalogue_new_item.html",
        context={
            "new": True,
            "draft": draft.with_blank_rows(),
            "departments": await catalogue.departments(),
            "problems": problems or [],
            "refused": texts.REFUSED,
            "today": today(),
            **_labels(),
        },
        status_code=status_code,
    )


async def _new_bundle_page(
    spec: BundleSpec, note: str = "", *, problems: list[str] | None = None, status_code: int = 200
) -> Template:
    return Template(
        "admin/catalogue_new_bundle.html",
        context={
            "bundle": spec,
            "note": note,
            "items": await catalogue.item_names(),
            "problems": problems or [],
            "refused": texts.REFUSED,
        },
        status_code=status_code,
    )


class CataloguePages(Controller):
    path = "/admin/catalogue"
    include_in_schema = False

    @get("/", name="portal:admin-catalogue")
    async def items(
        self,
        staff: StaffAccount,
        q: str = "",
        department: str = "",
        kind: str = "",
        page: int = 1,
    ) -> Template:
        _admin(staff)
        filters = {"q": q.strip(), "department": department, "kind": kind if kind in KINDS else ""}
        page = desk.page_number(page)
        listed, total = await catalogue.admin_items(
            q=q,
            department=department,
            kind=filters["kind"] or None,
            page=page,
            page_size=desk.PAGE_SIZE,
        )
        return await _items_page(listed, _pages(page, total), filters)

    @get("/items/{code:str}", name="portal:admin-catalogue-item")
    async def item(self, staff: StaffAccount, code: str, done: str | None = None) -> Template:
        _admin(staff)
        return await _item_page(code, done=done)

    @post("/items/{code:str}", name="portal:admin-catalogue-item-edit")
    async def edit_item(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount, code: str
    ) -> Response[Any]:
        actor = _admin(staff)
        draft = forms.draft_from_form(await request.form())
        latest = (await catalogue.item_history(code=code)).latest
        try:
            edit = await catalogue.edit_item(
                audit=deps.audit,
                doorbell=deps.doorbell,
                actor=actor,
                spec=forms.spec_of(draft, base=latest.spec),
                effective_from=forms.effective_day(draft),
                note=draft.note,
            )
        except InvalidInput as exc:
            return await _item_page(code, draft=draft, problems=_problems(exc), status_code=422)
        return Redirect(f"{BASE}/items/{code}?done={edit.status}", status_code=303)

    @get("/bundles", name="portal:admin-catalogue-bundles")
    async def bundles(self, staff: StaffAccount, q: str = "", page: int = 1) -> Template:
        _admin(staff)
        page = desk.page_number(page)
        found, total = await catalogue.admin_bundles(q=q, page=page, page_size=desk.PAGE_SIZE)
        return Template(
            "admin/catalogue_bundles.html",
            context={
                "bundles": found,
                "pages": _pages(page, total),
                "q": q.strip(),
                "items": await catalogue.item_names(),
            },
        )

    @get("/bundles/{code:str}", name="portal:admin-catalogue-bundle")
    async def bundle(self, staff: StaffAccount, code: str, done: str | None = None) -> Template:
        _admin(staff)
        return await _bundle_page(await catalogue.admin_bundle(code=code), done=done)

    @post("/bundles/{code:str}", name="portal:admin-catalogue-bundle-edit")
    async def edit_bundle(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount, code: str
    ) -> Response[Any]:
        actor = _admin(staff)
        form = await request.form()
        spec = BundleSpec(code, forms.text(form, "name", 120), tuple(forms.bundle_items(form)))
        try:
            done = await _save_bundle(deps, actor, spec, forms.text(form, "note", 200))
        except InvalidInput as exc:
            return await _bundle_page(spec, problems=_problems(exc), status_code=422)
        return Redirect(f"{BASE}/bundles/{code}?done={done}", status_code=303)

    @get("/new-item", name="portal:admin-catalogue-new-item")
    async def new_item(self, staff: StaffAccount) -> Template:
        _admin(staff)
        return await _new_item_page(forms.blank_draft(effective_from=today()))

    @post("/new-item", name="portal:admin-catalogue-create-item")
    async def create_item(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        actor = _admin(staff)
        draft = forms.draft_from_form(await request.form())
        try:
            await catalogue.create_item(
                audit=deps.audit,
                doorbell=deps.doorbell,
                actor=actor,
                spec=forms.new_spec(draft),
                effective_from=forms.effective_day(draft),
                note=draft.note,
            )
        except InvalidInput as exc:
            return await _new_item_page(draft, problems=_problems(exc), status_code=422)
        return Redirect(f"{BASE}/items/{draft.code}?done=created", status_code=303)

    @get("/new-bundle", name="portal:admin-catalogue-new-bundle")
    async def new_bundle(self, staff: StaffAccount) -> Template:
        _admin(staff)
        return await _new_bundle_page(BundleSpec("", "", ()))

    @post("/new-bundle", name="portal:admin-catalogue-create-bundle")
    async def create_bundle(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        actor = _admin(staff)
        form = await request.form()
        spec, note = forms.new_bundle(form), forms.text(form, "note", 200)
        try:
            await catalogue.create_bundle(
                audit=deps.audit, doorbell=deps.doorbell, actor=actor, spec=spec, note=note
            )
        except InvalidInput as exc:
            return await _new_bundle_page(spec, note, problems=_problems(exc), status_code=422)
        return Redirect(f"{BASE}/bundles/{spec.code}?done=bundle-created", status_code=303)
