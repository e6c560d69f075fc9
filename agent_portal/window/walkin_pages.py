"""Walk-ins at the window (前台综合受理): the form, the item's fields (HTMX), and filing.

Filing is the use case behind ``POST /api/v1/window/cases``
(``backend.window.service.walk_in``); the page only reads the form in and shows the answer.
The hidden submission key makes a double click file one case, as the API's
``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from agent_portal.common import desk, item_form, texts
from agent_portal.common.item_form import ItemForm, Posted
from agent_portal.window import walkin_form
from backend.deps import Deps
from backend.errors import DomainError, InvalidInput
from backend.http.throttle import limit_id_lookup
from backend.idempotency import service as idempotency
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.window.access import Clerk
from backend.window.schemas import WalkInSubmission
from backend.window.service.walk_in import walk_in

PATH: Final = "/portal/window/walk-in"
FIELDS_STEP: Final = "fields"


async def _form_page(
    clerk: Clerk,
    posted: Posted,
    *,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return Template(
        "window/walkin.html",
        context={
            "posted": posted,
            "items": await walkin_form.items_here(clerk.area_code),
            "villages": await walkin_form.villages_of(clerk.area_code),
            "chosen": await walkin_form.item_form(clerk.area_code, posted.item_code),
            "error": error,
            "problems": problems or {},
        },
        status_code=status_code,
    )


async def _refused(clerk: Clerk, posted: Posted, exc: DomainError) -> Template:
    """The form again, as typed, the refusal beside its fields."""
    return await _form_page(
        clerk, posted, error=exc.detail, problems=item_form.problems_of(exc), status_code=exc.status
    )


class WalkInPages(Controller):
    path = "/window/walk-in"
    include_in_schema = False

    @get("/", name="portal:walk-in")
    async def form(self, staff: StaffAccount, item_code: str = "") -> Template:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        return await _form_page(
            clerk, Posted(key=item_form.new_key(walkin_form.KEY_PREFIX), item_code=item_code)
        )

    @get("/fields", name="portal:walk-in-fields")
    async def fields(self, staff: StaffAccount, item_code: str = "") -> Template:
        """The item's part of the form, swapped in by HTMX when the item is chosen."""
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        return Template(
            "window/walkin_item.html",
            context={
                "chosen": await walkin_form.item_form(clerk.area_code, item_code),
                "posted": Posted(key="", item_code=item_code),
                "problems": {},
            },
        )

    @post("/", name="portal:walk-in-submit")
    async def submit(
        self, request: Request[Any, Any, Any], staff: StaffAccount, deps: Deps
    ) -> Response[Any]:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        form = await request.form()
        chosen = await walkin_form.item_form(clerk.area_code, str(form.get("item_code") or ""))
        posted = walkin_form.read_walk_in(form, chosen.materials)
        if form.get("_step") == FIELDS_STEP:
            return await _form_page(clerk, posted)
        try:
            number = await _file(request, deps, clerk, posted, chosen)
        except DomainError as exc:
            return await _refused(clerk, posted, exc)
        return Redirect(f"/portal/window/cases/{number}?done=walk_in", status_code=303)


async def _file(
    request: Request[Any, Any, Any],
    deps: Deps,
    clerk: Clerk,
    posted: Posted,
    chosen: ItemForm,
) -> str:
    """File the walk-in; its case number (the first one's, for a repeated post)."""

    async def read() -> WalkInSubmission:
        if not posted.item_code:
            raise InvalidInput(texts.ITEM_REQUIRED, code="item_or_bundle_required")
        await item_form.save_files(posted, owner_id=clerk.id, state=deps)
        try:
            return msgspec.convert(
                walkin_form.submission(posted, chosen.fields), WalkInSubmission, strict=True
            )
        except msgspec.ValidationError as exc:
            raise InvalidInput(texts.FORM_INVALID, code="walk_in_invalid") from exc

    answer = await walk_in(
        submission=read,
        clerk=clerk,
        claimed=idempotency.claim(
            scope=f"portal:staff:{clerk.id}",
            key=posted.key,
            method="POST",
            path=PATH,
            body=posted.fingerprint_body(),
            secret=deps.settings.secret_key.encode(),
        ),
        throttle=lambda: limit_id_lookup(
            request, route="walk_in", account=f"staff:{clerk.id}", fail_open=True
        ),
        doorbell=deps.doorbell,
        cipher=deps.cipher,
        shared_data=deps.shared_data,
        lapse_s=deps.settings.window_claim_s,
        ttl_s=deps.settings.idempotency_ttl_s,
    )
    return str(answer.body["number"])
