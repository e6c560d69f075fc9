"""Walk-ins (前台综合受理): a citizen at the window, with or without WeChat, filed and accepted.

The applicant is found or registered by ``identity.offline.find_or_register``. The case then
goes through the same ``cases.filing.prepare``/``create`` as any submission, and is put in this
township's queue and accepted in the same transaction.
"""

from __future__ import annotations

from typing import Final

from backend.cases import bundles, submission
from backend.cases import filing as cases
from backend.cases.clock import Calendar
from backend.cases.filing import Submitter
from backend.cases.states import Action, Status
from backend.cases.store import queue
from backend.cases.transitions import Actor, Change, apply
from backend.errors import InvalidInput
from backend.geo import points as geo
from backend.identity.offline import Applicant, find_or_register
from backend.window import actions, texts
from backend.window.access import Clerk
from backend.window.steps import IN_PERSON

THROUGH_AGENT: Final = "agent"  # 代办员送达: an agent brings the result

__all__ = ["Applicant", "check_here", "file_and_accept", "find_or_register", "submitter"]


def submitter(*, citizen_id: str, clerk: Clerk) -> Submitter:
    return Submitter(
        applicant_id=citizen_id,
        actor=Actor("staff", clerk.id, clerk.role, on_behalf_of=citizen_id, channel="window"),
        channel="window",
        filed_by_kind="window",
        filed_by_staff=clerk.id,
        upload_owner_kind="staff",
        upload_owner_id=clerk.id,
    )


async def check_here(
    *,
    item_code: str | None,
    bundle_code: str | None,
    service_point_id: str | None,
    township_code: str,
    delivery_method: str,
) -> None:
    """A walk-in is handled in this township: its point (if any) and its items must be here;
    and no agent brings the result (a walk-in has none).

    Checked before the rest of the submission, so the clerk hears this first.
    """
    if delivery_method == THROUGH_AGENT:
        raise InvalidInput(texts.NO_AGENT_DELIVERY, code="delivery_method_invalid")
    items, _, _ = await submission.resolve_items(item_code=item_code, bundle_code=bundle_code)
    snap = await geo.snapshot()
    point = snap.points.get(service_point_id) if service_point_id else None
    if point is not None and point.township_code != township_code:
        raise InvalidInput(texts.POINT_NOT_HERE, code="service_point_not_here")
    for view in items:
        able = geo.points_handling(snap, view.spec.code, district_wide=view.spec.district_wide)
        if not any(p.township_code == township_code for p in able):
            raise InvalidInput(
                texts.ITEM_NOT_HERE.format(name=view.spec.name), code="item_not_handled_here"
            )


async def file_and_accept(
    *, plan: submission.Plan, by: Submitter, clerk: Clerk, calendar: Calendar, lapse_s: int
) -> str:
    """Create the case, put it in this township's queue and accept it; in the caller's
    transaction. The ``case.forward`` job published by ``create`` then finds nothing to do."""
    number = await cases.create(plan=plan, by=by)
    row = await queue.case_row(number=number)
    assert row is not None
    forward = Change(
        Action.FORWARD,
        by.actor,
        texts.WALK_IN_NOTE,
        IN_PERSON,  # the applicant came to the window: one trip (docs/statistics.md)
        township=clerk.area_code,
    )
    await apply(row.id, forward, calendar=calendar)
    if bundles.is_parent(row):
        for child in await bundles.children_of(row.id, lock=True):
            if child.status == Status.SUBMITTED.value:
                await apply(child.id, forward, calendar=calendar)
    await actions.accept(number=number, clerk=clerk, calendar=calendar, lapse_s=lapse_s)
    return number
