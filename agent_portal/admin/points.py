"""The administrator's service points (办事点): the list, the form that creates or edits one
(its place picked on a map of the district), the 政银通 outlets of every township and the
coverage by kind.

Each page calls one use case of ``backend.geo.service``; an administrator sees the whole district
(their area), any other role gets the 403 page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_points as texts
from agent_portal.common import desk
from agent_portal.common.errors import PageNotFound, WrongRole
from agent_portal.common.lists import Pages
from backend.audit.service import Actor
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput, NotFound
from backend.geo import service
from backend.geo.hours import format_holiday, format_weekly
from backend.geo.service import PointChoices, PointDraft
from backend.geo.store.admin_points import PointRecord
from backend.identity import roles
from backend.identity.service import StaffAccount

FIELDS = ("kind", "name", "area_code", "address", "phone", "lat", "lng", "hours", "holiday_hours")


def _district(staff: StaffAccount) -> str:
    """The administrator's district; any other role gets the 403 page."""
    if staff.role != roles.ADMIN:
        raise WrongRole(roles.ADMIN)
    return staff.area_code or ""


def _draft(form: FormMultiDict) -> PointDraft:
    values = {f: v if isinstance(v := form.get(f), str) else "" for f in FIELDS}
    return PointDraft(
        **values,
        items=tuple(desk.choices(form, "items", limit=500)),
        active=form.get("active") == "on",
    )


def _values(record: PointRecord | None) -> dict[str, Any]:
    """The form's values for a point (empty for a new one)."""
    if record is None:
        return {f: "" for f in FIELDS} | {"items": (), "active": True, "kind": ""}
    return {
        "kind": record.kind,
        "name": record.name,
        "area_code": record.area_code,
        "address": record.address,
        "phone": record.phone,
        "lat": f"{record.lat:.6f}",
        "lng": f"{record.lng:.6f}",
        "hours": format_weekly(record.hours),
        "holiday_hours": format_holiday(record.hours),
        "items": record.item_codes,
        "active": record.active,
    }


def _draft_values(draft: PointDraft) -> dict[str, Any]:
    return {f: getattr(draft, f) for f in FIELDS} | {"items": draft.items, "active": draft.active}


def _map_data(choices: PointChoices) -> dict[str, Any]:
    """What the map picker draws: the district's townships and villages and its bounds."""
    b, m = choices.bounds, service.BOUNDS_MARGIN
    return {
        "labels": texts.MAP_LABELS,
        "bounds": None
        if b is None
        else [b.min_lng - m, b.min_lat - m, b.max_lng + m, b.max_lat + m],
        "townships": [
            [p.lng, p.lat, p.name]
            for p in choices.places
            if p.level == "township" and p.lat is not None
        ],
        "villages": [
            [p.lng, p.lat, p.name] for p in choices.places if p.level == "village" and p.lat
        ],
    }


async def _form_page(
    staff: StaffAccount,
    *,
    code: str | None,
    values: dict[str, Any],
    error: DomainError | None = None,
    done: str | None = None,
) -> Template:
    choices = await service.point_choices(district=_district(staff))
    departments: dict[str, list[Any]] = {}
    for item in choices.items:
        departments.setdefault(item.department, []).append(item)
    return Template(
        "admin/points_form.html",
        context={
            "code": code,
            "v": values,
            "kinds": texts.KINDS,
            "places": choices.places,
            "departments": departments,
            "map_data": _map_data(choices),
            "error": error.detail if error else None,
            "problems": error.extra.get("fields", {}) if error else {},
            "tabs": texts.TABS,
            "done": done,
        },
        status_code=error.status if error else 200,
    )


async def _record(staff: StaffAccount, code: str) -> PointRecord:
    try:
        return await service.admin_point(district=_district(staff), code=code)
    except NotFound as exc:
        raise PageNotFound from exc


async def _save(
    request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps, code: str | None
) -> Response[Any]:
    draft = _draft(await request.form())
    try:
        saved = await service.save_point(
            audit=deps.audit,
            actor=Actor("staff", staff.id),
            doorbell=deps.doorbell,
            district=_district(staff),
            code=code,
            draft=draft,
        )
    except InvalidInput as exc:
        return await _form_page(staff, code=code, values=_draft_values(draft), error=exc)
    except NotFound as exc:
        raise PageNotFound from exc
    done = "created" if code is None else "updated"
    return Redirect(f"/portal/admin/points/{saved.code}/edit?done={done}", status_code=303)


@dataclass(frozen=True, slots=True)
class ListFilter:
    township: str
    kind: str
    q: str

    def query(self) -> str:
        return urlencode({"township": self.township, "kind": self.kind, "q": self.q})


async def _list_context(staff: StaffAccount, where: ListFilter, page: int) -> dict[str, Any]:
    district = _district(staff)
    error = None
    try:
        rows, total = await service.admin_points_page(
            district=district,
            township=where.township,
            kind=where.kind,
            search=where.q,
            page=page,
            page_size=desk.PAGE_SIZE,
        )
    except InvalidInput as exc:
        rows, total, error = [], 0, exc.detail
    choices = await service.point_choices(district=district)
    return {
        "rows": rows,
        "pages": Pages(page, max(1, -(-total // desk.PAGE_SIZE)), total),
        "f": where,
        "error": error,
        "kinds": texts.KINDS,
        "kind_labels": dict(texts.KINDS),
        "townships": [p for p in choices.places if p.level == "township"],
        "tabs": texts.TABS,
    }


class PointPages(Controller):
    path = "/admin/points"
    include_in_schema = False

    @get("/", name="portal:admin-points")
    async def listing(
        self, staff: StaffAccount, township: str = "", kind: str = "", q: str = "", page: int = 1
    ) -> Template:
        where = ListFilter(township.strip()[:12], kind.strip()[:32], q.strip()[:100])
        context = await _list_context(staff, where, desk.page_number(page))
        return Template(
            "admin/points_list.html", context=context, status_code=422 if context["error"] else 200
        )

    @get("/new", name="portal:admin-point-new")
    async def new(self, staff: StaffAccount, kind: str = "", area_code: str = "") -> Template:
        values = _values(None) | {"kind": kind[:32], "area_code": area_code[:12]}
        return await _form_page(staff, code=None, values=values)

    @post("/new", name="portal:admin-point-create", status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps
    ) -> Response[Any]:
        return await _save(request, staff, deps, None)

    @get("/{code:str}/edit", name="portal:admin-point-edit")
    async def edit(self, staff: StaffAccount, code: str, done: str = "") -> Template:
        record = await _record(staff, code)
        return await _form_page(staff, code=code, values=_values(record), done=texts.DONE.get(done))

    @post("/{code:str}/edit", name="portal:admin-point-save", status_code=200)
    async def save(
        self, request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps, code: str
    ) -> Response[Any]:
        await _record(staff, code)
        return await _save(request, staff, deps, code)

    @get("/outlets", name="portal:admin-point-outlets")
    async def outlets(self, staff: StaffAccount) -> Template:
        rows = await service.bank_outlets(district=_district(staff))
        return Template(
            "admin/points_outlets.html",
            context={
                "rows": rows,
                "missing": sum(1 for r in rows if not any(o.active for o in r.outlets)),
                "tabs": texts.TABS,
                "target": texts.TARGET_LABEL,
            },
        )

    @get("/coverage", name="portal:admin-point-coverage")
    async def coverage(self, staff: StaffAccount) -> Template:
        report = await service.coverage_by_kind(district=_district(staff))
        return Template(
            "admin/points_coverage.html",
            context={
                "report": report,
                "kinds": texts.KINDS,
                "tabs": texts.TABS,
                "target": texts.TARGET_LABEL,
            },
        )
