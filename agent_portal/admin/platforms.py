"""The administrator's external platform pages (外部一窗平台): per township, the platform's
address, our account on it and the switch; and the cases whose push failed for good, with retry.

The pages call the same use cases as ``/api/v1/platform`` (``configure_township``,
``list_failures``, ``retry``), which check the address against the outbound policy and write the
audit log. The account's shared secret is deployment configuration (``PLATFORM_SECRETS``), never
stored in the database nor shown: the page says only whether it is set.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from agent_portal.admin import texts_settings as texts
from agent_portal.admin.settings_common import field, pages, require_admin, when
from agent_portal.common import desk
from backend.deps import Deps
from backend.errors import DomainError
from backend.geo import service as geo
from backend.identity.service import StaffAccount
from backend.platform import service
from backend.platform.config import PlatformConfig

BASE: Final = "/portal/admin/platforms"
APP_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_TOWNSHIPS: Final = 200


@dataclass(frozen=True, slots=True)
class PlatformForm:
    township: str = ""
    base_url: str = ""
    app_id: str = ""
    active: bool = True

    @classmethod
    def of(cls, form: FormMultiDict) -> PlatformForm:
        return cls(
            field(form, "township"),
            field(form, "base_url"),
            field(form, "app_id"),
            form.get("active") == "on",
        )


def _problems(form: PlatformForm, townships: dict[str, str]) -> dict[str, str]:
    """What is wrong before the use case is asked, by field."""
    found: dict[str, str] = {}
    if form.township not in townships:
        found["township"] = texts.TOWNSHIP_REQUIRED
    if not form.base_url:
        found["base_url"] = texts.BASE_URL_REQUIRED
    elif len(form.base_url) > 300:
        found["base_url"] = texts.BASE_URL_TOO_LONG
    if not form.app_id:
        found["app_id"] = texts.APP_ID_REQUIRED
    elif not APP_ID.fullmatch(form.app_id):
        found["app_id"] = texts.APP_ID_INVALID
    return found


async def _townships() -> dict[str, str]:
    found, _ = await geo.list_areas(level="township", parent=None, page=1, page_size=MAX_TOWNSHIPS)
    return {a.code: a.name for a in found}


async def _editing(code: str) -> PlatformForm | None:
    if not code:
        return None
    views, _ = await service.list_townships(township=code, page=1, page_size=1)
    if not views:
        return PlatformForm(township=code)
    v = views[0]
    return PlatformForm(v.township_code, v.base_url, v.app_id, v.active)


async def _page(
    config: PlatformConfig,
    page: int,
    *,
    form: PlatformForm | None = None,
    problems: dict[str, str] | None = None,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    views, total = await service.list_townships(township=None, page=page, page_size=desk.PAGE_SIZE)
    rows = [(v, config.secret_for(v.app_id) is not None) for v in views]
    form = form or PlatformForm()
    return Template(
        "admin/platforms_townships.html",
        context={
            "rows": rows,
            "pages": pages(page, total),
            "townships": await _townships(),
            "form": asdict(form),
            "form_secret_set": config.secret_for(form.app_id) is not None,
            "problems": problems or {},
            "done": texts.PLATFORM_DONE.get(done or ""),
            "error": error,
            "dev_mode": config.outbound.dev_mode,
            "when": when,
        },
        status_code=status,
    )


async def _failures_page(
    page: int, *, done: str | None = None, error: str | None = None, status: int = 200
) -> Template:
    rows, total = await service.list_failures(township=None, page=page, page_size=desk.PAGE_SIZE)
    return Template(
        "admin/platforms_failures.html",
        context={
            "rows": rows,
            "pages": pages(page, total),
            "townships": await _townships(),
            "case_status": texts.CASE_STATUS,
            "done": texts.PLATFORM_DONE.get(done or ""),
            "error": error,
            "when": when,
        },
        status_code=status,
    )


async def _configure(form: PlatformForm, staff: StaffAccount, deps: Deps) -> dict[str, str]:
    """The same use case as ``PUT /api/v1/platform/townships/{code}``; the field it refused
    (the address, the account or the township) and why, or nothing."""
    config = deps.platform_config
    try:
        await service.configure_township(
            doorbell=deps.doorbell,
            township_code=form.township,
            base_url=form.base_url,
            app_id=form.app_id,
            active=form.active,
            known_app_ids=config.secrets,
            by=staff.id,
            outbound=config.outbound,
            audit=deps.audit,
        )
    except DomainError as exc:
        return {texts.PLATFORM_FIELDS.get(exc.code, "base_url"): exc.detail}
    return {}


class PlatformPages(Controller):
    path = "/admin/platforms"
    include_in_schema = False

    @get("/", name="portal:admin-platforms")
    async def townships(
        self,
        staff: StaffAccount,
        deps: Deps,
        page: int = 1,
        edit: str = "",
        done: str | None = None,
    ) -> Template:
        require_admin(staff)
        form = await _editing(edit.strip()[:12])
        return await _page(deps.platform_config, desk.page_number(page), form=form, done=done)

    @post("/", name="portal:admin-platforms-save")
    async def save(
        self, request: Request[Any, Any, Any], deps: Deps, staff: StaffAccount
    ) -> Response[Any]:
        require_admin(staff)
        form = PlatformForm.of(await request.form())
        problems = _problems(form, await _townships()) or await _configure(form, staff, deps)
        if problems:
            return await _page(
                deps.platform_config,
                1,
                form=form,
                problems=problems,
                error=texts.FORM_INVALID,
                status=422,
            )
        return Redirect(f"{BASE}?done=saved", status_code=303)

    @get("/failures", name="portal:admin-platform-failures")
    async def failures(
        self, staff: StaffAccount, page: int = 1, done: str | None = None
    ) -> Template:
        require_admin(staff)
        return await _failures_page(desk.page_number(page), done=done)

    @post("/failures/{number:str}/retry", name="portal:admin-platform-retry")
    async def retry(self, deps: Deps, staff: StaffAccount, number: str) -> Response[Any]:
        require_admin(staff)
        try:
            await service.retry(
                doorbell=deps.doorbell, number=number, township=None, audit=deps.audit, by=staff.id
            )
        except DomainError as exc:
            return await _failures_page(1, error=exc.detail, status=exc.status)
        return Redirect(f"{BASE}/failures?done=retried", status_code=303)
