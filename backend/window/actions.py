"""Front-desk actions (一窗受理): accept, reject, supplement, transfer, hand off, issue, 即办办结
(delivery: ``backend.window.delivery``).

Each runs inside the caller's ``unit_of_work``, locks the case, answers 409
``transition_not_allowed`` before writing anything when the status does not allow the action,
and changes the status only through ``cases.transitions.apply``. A queued case claimed by
another clerk is theirs (409 ``case_claimed``); the holder's claim is dropped once the case has
left the queue and refreshed otherwise.
"""

from __future__ import annotations

from typing import Any, Final

from backend.cases import actions as case_actions
from backend.cases import bundles
from backend.cases import filing as cases
from backend.cases.clock import Calendar
from backend.cases.schemas import MaterialIn
from backend.cases.states import CLOSED, Action, NotAllowed, Status, on_the_spot_steps
from backend.cases.store import queue
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import Actor, Change, apply
from backend.catalogue import service as catalogue
from backend.catalogue.store import routing as codes
from backend.errors import Conflict, InvalidInput, InvalidTransition
from backend.geo.store.window import area_level
from backend.window import claims, routing, texts
from backend.window.access import Clerk
from backend.window.steps import (
    allowed,
    front_desk,
    lock,
    refresh_parent_deadline,
    required_text,
)


async def begin(number: str, clerk: Clerk, action: Action) -> CaseRecord:
    row = await lock(number)
    if await on_external_platform(row.parent or row.id):
        raise Conflict(texts.ON_EXTERNAL_PLATFORM, code="case_on_external_platform")
    await claims.check_free_for(row.parent or row.id, staff_id=clerk.id)
    allowed(row, action)
    return row


async def on_external_platform(case_id: int) -> bool:
    """The case was pushed to its township's external one-window platform, which works it (and
    moves it through the platform's signed callbacks): the built-in desk does not act on it."""
    return await queue.pushed_to_platform(case_id)


async def _whole_bundle_only(row: CaseRecord) -> None:
    """A child of a bundle not yet accepted is worked through its parent."""
    if row.parent is None:
        return
    parent = await queue.case_by_id(row.parent)
    if parent is not None and bundles.before_acceptance(parent):
        raise InvalidTransition(texts.BUNDLE_WHOLE)


async def done(row: CaseRecord, clerk: Clerk, *, lapse_s: int, left: bool = False) -> None:
    """Keep the claim and the bundle's copies right after an action on ``row``."""
    queue_id = row.parent or row.id
    status = await queue.status_of(queue_id)
    if left or status != Status.QUEUED.value:
        await claims.drop(queue_id)
    else:
        await claims.touch(queue_id, staff_id=clerk.id, lapse_s=lapse_s)
    await refresh_parent_deadline(row)


async def accept(*, number: str, clerk: Clerk, calendar: Calendar, lapse_s: int) -> None:
    """受理: starts the clock; a bundle's parent takes every queued child with it."""
    row = await begin(number, clerk, Action.ACCEPT)
    await _whole_bundle_only(row)
    await apply(row.id, Change(Action.ACCEPT, front_desk(clerk)), calendar=calendar)
    if bundles.is_parent(row):
        for child in await bundles.children_of(row.id, lock=True):
            if child.status == Status.QUEUED.value:
                await apply(child.id, Change(Action.ACCEPT, front_desk(clerk)), calendar=calendar)
    await done(row, clerk, lapse_s=lapse_s)


async def reject(
    *, number: str, clerk: Clerk, calendar: Calendar, lapse_s: int, reason: str
) -> None:
    """不予受理, with the reason; a parent takes its open children with it, a child goes alone."""
    text = required_text(reason, field="reason", label="不予受理的理由")
    row = await begin(number, clerk, Action.REJECT)
    change = Change(Action.REJECT, front_desk(clerk), text, {"reason": text})
    await apply(row.id, change, calendar=calendar)
    if bundles.is_parent(row):
        for child in await bundles.children_of(row.id, lock=True):
            if Status(child.status) not in CLOSED and bundles.before_acceptance(child):
                await apply(child.id, change, calendar=calendar)
    else:
        await bundles.settle_parent(row, calendar=calendar)
    await done(row, clerk, lapse_s=lapse_s)


async def supplement(
    *, number: str, clerk: Clerk, calendar: Calendar, lapse_s: int, missing: list[str], note: str
) -> None:
    """补正 from the front desk: every missing material in one notice (request_supplement)."""
    row = await begin(number, clerk, Action.REQUEST_SUPPLEMENT)
    await _whole_bundle_only(row)
    if bundles.is_parent(row) and not bundles.before_acceptance(row):
        raise InvalidTransition(texts.BUNDLE_CHILD_SUPPLEMENT)
    await case_actions.request_supplement(
        row=row, missing=missing, note=note, actor=front_desk(clerk), calendar=calendar
    )
    await done(row, clerk, lapse_s=lapse_s)


async def _transfer_one(
    row: CaseRecord, clerk: Clerk, *, calendar: Calendar, department_code: str | None
) -> None:
    assert row.item_code is not None  # a bundle's parent is transferred item by item
    route = await routing.department_for(
        township_code=row.township, item_code=row.item_code, fallback=row.department
    )
    department, method = route.department_code, route.send_method
    if department_code is not None and department_code != department:
        department, method = department_code, "builtin"
    data = {"department": department, "send_method": method, "routed_by": route.source}
    change = Change(Action.TRANSFER, front_desk(clerk), "", data, department=department)
    await apply(row.id, change, calendar=calendar)


async def transfer(
    *,
    number: str,
    clerk: Clerk,
    calendar: Calendar,
    lapse_s: int,
    department_code: str | None,
) -> None:
    """后台分类审批: to ``department_code`` or, by default, where the routing table says.

    A bundle's parent sends each accepted child to its own department (routing table).
    """
    if department_code is not None and not await codes.department_exists(department_code):
        raise InvalidInput(
            texts.DEPARTMENT_UNKNOWN.format(code=department_code), code="department_unknown"
        )
    row = await lock(number)
    await claims.check_free_for(row.parent or row.id, staff_id=clerk.id)
    if bundles.is_parent(row):
        allowed(row, Action.TRANSFER)
        if department_code is not None:
            raise InvalidInput(texts.BUNDLE_DEPARTMENT, code="department_for_bundle")
        children = [
            c
            for c in await bundles.children_of(row.id, lock=True)
            if c.status == Status.ACCEPTED.value
        ]
        if not children:
            raise InvalidTransition(texts.BUNDLE_NOTHING_TO_TRANSFER)
        for child in children:
            await _transfer_one(child, clerk, calendar=calendar, department_code=None)
    else:
        allowed(row, Action.TRANSFER)
        await _transfer_one(row, clerk, calendar=calendar, department_code=department_code)
    await done(row, clerk, lapse_s=lapse_s)


async def handoff(
    *, number: str, clerk: Clerk, calendar: Calendar, lapse_s: int, township_code: str
) -> None:
    """全区通办: a queued case of district-wide items moves to another township's queue."""
    if await area_level(township_code) != "township":
        raise InvalidInput(
            texts.TOWNSHIP_UNKNOWN.format(code=township_code), code="township_unknown"
        )
    row = await begin(number, clerk, Action.HANDOFF)
    if row.parent is not None:
        raise InvalidTransition(texts.BUNDLE_WHOLE)
    if row.township == township_code:
        raise InvalidInput(texts.TOWNSHIP_SAME, code="township_same")
    movers = [row]
    if bundles.is_parent(row):
        movers += [
            c
            for c in await bundles.children_of(row.id, lock=True)
            if c.status == Status.QUEUED.value
        ]
    for case in movers:
        if case.item_version is None:
            continue
        spec = (await catalogue.get_item_version(version_id=case.item_version)).spec
        if not spec.district_wide:
            raise Conflict(texts.NOT_DISTRICT_WIDE.format(name=spec.name), code="not_district_wide")
    data = {"from": row.township, "to": township_code}
    for case in movers:
        change = Change(Action.HANDOFF, front_desk(clerk), "", data, township=township_code)
        await apply(case.id, change, calendar=calendar)
    await done(row, clerk, lapse_s=lapse_s, left=True)


async def issue_result(
    *, number: str, clerk: Clerk, calendar: Calendar, lapse_s: int, note: str
) -> None:
    """出件: the approved result is ready at the window."""
    row = await begin(number, clerk, Action.ISSUE_RESULT)
    change = Change(Action.ISSUE_RESULT, front_desk(clerk), note.strip(), {"note": note.strip()})
    await apply(row.id, change, calendar=calendar)
    await done(row, clerk, lapse_s=lapse_s)


async def supply_at_window(
    *,
    number: str,
    clerk: Clerk,
    calendar: Calendar,
    lapse_s: int,
    materials: list[MaterialIn],
    note: str,
) -> None:
    """补正材料窗口递交: the applicant hands the missing materials in at the window; the clerk
    uploads the scans. The step is marked in person (a trip, for the statistics)."""
    row = await begin(number, clerk, Action.SUPPLY)
    applicant = str(row.applicant)
    by = cases.Submitter(
        applicant_id=applicant,
        actor=Actor("staff", clerk.id, clerk.role, on_behalf_of=applicant, channel="window"),
        channel="window",
        filed_by_kind="window",
        filed_by_staff=clerk.id,
        upload_owner_kind="staff",
        upload_owner_id=clerk.id,
    )
    await case_actions.supply(
        row=row, materials=materials, note=note, by=by, calendar=calendar, in_person=True
    )
    await done(row, clerk, lapse_s=lapse_s)


ON_THE_SPOT: Final[dict[str, Any]] = {"on_the_spot": True}
"""Event data of each step of 即办办结 (the timeline says the window finished it there)."""


async def finish_on_the_spot(
    *, number: str, clerk: Clerk, calendar: Calendar, lapse_s: int, note: str
) -> None:
    """即办办结: an item with no committed days (即办件) accepted, approved and its result
    issued at the window in one step — no back office. A bundle's parent is not finished
    whole: each 即办 child is, once the bundle has been accepted."""
    row = await lock(number)
    if await on_external_platform(row.parent or row.id):
        raise Conflict(texts.ON_EXTERNAL_PLATFORM, code="case_on_external_platform")
    await claims.check_free_for(row.parent or row.id, staff_id=clerk.id)
    if bundles.is_parent(row):
        raise InvalidTransition(texts.ON_THE_SPOT_BUNDLE)
    await _whole_bundle_only(row)
    try:
        steps = on_the_spot_steps(Status(row.status))
    except NotAllowed as exc:
        raise InvalidTransition(exc.reason) from exc
    assert row.item_version is not None  # only a bundle's parent has none, refused above
    spec = (await catalogue.get_item_version(version_id=row.item_version)).spec
    if spec.committed_days != 0:
        raise Conflict(
            texts.NOT_ON_THE_SPOT.format(name=spec.name, days=spec.committed_days),
            code="not_on_the_spot",
        )
    text = note.strip()
    for action in steps:
        data = {**ON_THE_SPOT, "note": text} if action == Action.ISSUE_RESULT else ON_THE_SPOT
        await apply(row.id, Change(action, front_desk(clerk), text, dict(data)), calendar=calendar)
    await done(row, clerk, lapse_s=lapse_s)
