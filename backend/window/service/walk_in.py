"""Walk-ins (前台综合受理): a citizen at the window, filed, queued and accepted — once per key.

The one use case behind ``POST /api/v1/window/cases`` and the portal's walk-in form. In order:
the item (and point) must be handled in the clerk's township, the ID-number lookup is
rate-limited, the applicant is found or registered, the submission is checked
(``cases.prepare``); then, in one unit of work, the case is filed, queued here and accepted.
A key already answered is replayed before any of it (``backend.idempotency.service.run_once``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from backend.cases import filing as cases
from backend.cases.filing import Submitter
from backend.cases.ports import SharedData
from backend.cases.submission import Plan
from backend.idempotency.service import Answer, Claim, run_once
from backend.outbox.service import Doorbell, unit_of_work
from backend.security.fieldcrypt import FieldCipher
from backend.window import walkin
from backend.window.access import Clerk
from backend.window.schemas import CaseForStaff, WalkInSubmission
from backend.window.service.views import staff_view
from backend.workdays.calendar import ChinaCalendar
from backend.workdays.service import load_calendar

Read = Callable[[], Awaitable[WalkInSubmission]]
"""The submission, read once the request is known to be new (a form's files saved then)."""


async def walk_in(
    *,
    submission: WalkInSubmission | Read,
    clerk: Clerk,
    claimed: Claim | None,
    throttle: Callable[[], Awaitable[None]],
    doorbell: Doorbell | None,
    cipher: FieldCipher,
    shared_data: SharedData,
    lapse_s: int,
    ttl_s: int,
) -> Answer:
    """File a walk-in; the answer's body is the staff view of the new case (``CaseForStaff``).

    ``throttle`` applies the ID-number lookup limits (raises 429) before the applicant is
    looked up.
    """

    async def prepare() -> tuple[Plan, Submitter, ChinaCalendar]:
        data = submission if isinstance(submission, WalkInSubmission) else await submission()
        await walkin.check_here(
            item_code=data.item_code,
            bundle_code=data.bundle_code,
            service_point_id=data.service_point_id,
            township_code=clerk.area_code,
            delivery_method=data.delivery.method,
        )
        await throttle()
        a = data.applicant
        # A new applicant is registered only with a submission that holds: a refused
        # walk-in (a bad form, a missing material) rolls the registration back.
        async with unit_of_work(doorbell):
            citizen_id = await walkin.find_or_register(
                applicant=walkin.Applicant(a.name, a.id_number, a.village_code, a.phone),
                cipher=cipher,
            )
            by = walkin.submitter(citizen_id=citizen_id, clerk=clerk)
            plan = await cases.prepare(body=data, by=by, shared_data=shared_data)
        return plan, by, await load_calendar()

    async def create(ready: tuple[Plan, Submitter, ChinaCalendar]) -> CaseForStaff:
        plan, by, calendar = ready
        number = await walkin.file_and_accept(
            plan=plan, by=by, clerk=clerk, calendar=calendar, lapse_s=lapse_s
        )
        return await staff_view(number=number, clerk=clerk)

    return await run_once(claimed, ttl_s=ttl_s, doorbell=doorbell, prepare=prepare, create=create)
