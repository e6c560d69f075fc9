"""Walk-ins at the window (前台综合受理): the form, the item's fields (HTMX), and filing.

Filing does what ``POST /api/v1/window/cases`` does, in the same order: the item must be handled
here, the applicant is found or registered, the submission is checked (``cases.prepare``), then
filed, queued and accepted in one ``unit_of_work``. The hidden submission key makes a double
click file one case (``backend.idempotency``, as the API's ``Idempotency-Key``).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from agent_portal import desk, item_form, texts, walkin_form
from agent_portal.item_form import ItemForm, Posted
from backend import db
from backend.cases import service as cases
from backend.cases.service import Submitter
from backend.cases.submission import Plan
from backend.errors import DomainError, InvalidInput
from backend.http.throttle import limit_id_lookup
from backend.idempotency import service as idempotency
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.settings import Settings
from backend.window import walkin
from backend.window.access import Clerk
from backend.window.schemas import WalkInSubmission
from backend.workdays.calendar import ChinaCalendar
from backend.workdays.service import load_calendar

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
        self, request: Request[Any, Any, Any], staff: StaffAccount, settings: Settings
    ) -> Response[Any]:
        clerk = desk.clerk_in_role(staff, roles.WINDOW)
        form = await request.form()
        chosen = await walkin_form.item_form(clerk.area_code, str(form.get("item_code") or ""))
        posted = walkin_form.read_walk_in(form, chosen.materials)
        if form.get("_step") == FIELDS_STEP:
            return await _form_page(clerk, posted)
        try:
            number = await _file(request, clerk, posted, chosen, settings)
        except DomainError as exc:
            return await _form_page(
                clerk,
                posted,
                error=exc.detail,
                problems=item_form.problems_of(exc),
                status_code=exc.status,
            )
        return Redirect(f"/portal/window/cases/{number}?done=walk_in", status_code=303)


async def _file(
    request: Request[Any, Any, Any],
    clerk: Clerk,
    posted: Posted,
    chosen: ItemForm,
    settings: Settings,
) -> str:
    """File the walk-in; its case number (the first one's, for a repeated post)."""
    state = request.app.state

    async def prepare() -> tuple[Plan, Submitter, ChinaCalendar]:
        if not posted.item_code:
            raise InvalidInput(texts.ITEM_REQUIRED, code="item_or_bundle_required")
        await item_form.save_files(posted, owner_id=clerk.id, state=state)
        try:
            data = msgspec.convert(
                walkin_form.submission(posted, chosen.fields), WalkInSubmission, strict=True
            )
        except msgspec.ValidationError as exc:
            raise InvalidInput(texts.FORM_INVALID, code="walk_in_invalid") from exc
        await walkin.check_here(
            item_code=data.item_code,
            bundle_code=data.bundle_code,
            service_point_id=data.service_point_id,
            township_code=clerk.area_code,
        )
        a = data.applicant
        await limit_id_lookup(request, route="walk_in", account=f"staff:{clerk.id}", fail_open=True)
        # As at the API: a refused walk-in rolls the applicant's registration back.
        async with db.engine().transaction():
            citizen_id = await walkin.find_or_register(
                applicant=walkin.Applicant(a.name, a.id_number, a.village_code, a.phone),
                cipher=state.cipher,
            )
            by = walkin.submitter(citizen_id=citizen_id, clerk=clerk)
            plan = await cases.prepare(body=data, by=by, shared_data=state.shared_data)
        return plan, by, await load_calendar()

    async def create(ready: tuple[Plan, Submitter, ChinaCalendar]) -> dict[str, str]:
        plan, by, calendar = ready
        number = await walkin.file_and_accept(
            plan=plan, by=by, clerk=clerk, calendar=calendar, lapse_s=settings.window_claim_s
        )
        return {"number": number}

    answer = await idempotency.run_once(
        idempotency.claim(
            scope=f"portal:staff:{clerk.id}",
            key=posted.key,
            method="POST",
            path=PATH,
            body=posted.fingerprint_body(),
            secret=settings.secret_key.encode(),
        ),
        ttl_s=settings.idempotency_ttl_s,
        doorbell=desk.doorbell(state),
        prepare=prepare,
        create=create,
    )
    return str(answer.body["number"])
