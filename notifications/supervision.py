"""Bell notices for supervisors: an overdue case escalated to them, a bad rating to follow up;
and for the holder of a case a supervisor urged (催办).

The supervision package publishes ``supervision.escalated`` and ``supervision.follow_up_opened``
outbox events (backend never writes the portal's notices itself); this handler gives each active
supervisor of the event's area (a township's, or the district's) a notice of their own, keyed by
the event and the supervisor, so running it twice writes each notice once. Per person rather than
per area: notices kept under a township's code are also shown to its window desk.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from backend.supervision.events import ESCALATED_EVENT as ESCALATED
from backend.supervision.events import OPENED_EVENT as FOLLOW_UP_OPENED
from backend.supervision.events import RECTIFICATION_EVENT as RECTIFICATION
from backend.supervision.events import URGED_EVENT as URGED
from backend.supervision.events import (
    read_escalated,
    read_follow_up_opened,
    read_rectification,
    read_urged,
)
from backend.supervision.store import order_step_note, urge_note
from backend.supervision.texts import ORDER_NOTICE_LABELS, ORDER_NOTICE_NOTE, URGE_NOTE
from notifications import store

log = structlog.get_logger(__name__)


async def _notify(*, key: str, kind: str, area: str, case_number: str, text: str) -> None:
    supervisors = await people.active_supervisors(area)
    if not supervisors:
        log.warning("supervision_notice_nobody", area=area, key=key)
    for staff_id in supervisors:
        await store.add_notice(
            key=f"{key}:{staff_id}",
            kind=kind,
            staff=staff_id,
            case_number=case_number,
            text=text,
        )


async def on_escalated(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    event = read_escalated(payload)
    await _notify(
        key=f"escalated:{event.escalation_id}",
        kind="escalated",
        area=event.area,
        case_number=event.case_number,
        text=event.text,
    )


async def on_follow_up_opened(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    event = read_follow_up_opened(payload)
    await _notify(
        key=f"follow-up:{event.follow_up_id}",
        kind="follow_up",
        area=event.area,
        case_number=event.case_number,
        text=event.text,
    )


async def _tell(
    kind: str,
    key: str,
    staff: list[str],
    township: str | None,
    *,
    case_number: str | None,
    text: str,
) -> None:
    """One notice per person in ``staff`` (keyed ``key:person``) and, with ``township``, one for
    that township's desk (keyed ``key``), which its window clerks share."""
    for staff_id in staff:
        await store.add_notice(
            key=f"{key}:{staff_id}", kind=kind, staff=staff_id, case_number=case_number, text=text
        )
    if township:
        await store.add_notice(
            key=key, kind=kind, township=township, case_number=case_number, text=text
        )


async def on_urged(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    """催办: the clerk who holds the case, the department's approvers who see it, or the
    township's desk (a notice under its code, which its window clerks share)."""
    event = read_urged(payload)
    note = await urge_note(event.urge_id)
    text = event.text + (URGE_NOTE.format(note=note) if note else "")
    key = f"urged:{event.urge_id}"
    if event.holder_kind == "window" and event.holder_id:
        staff = [event.holder_id]
    elif event.holder_kind == "department" and event.department:
        staff = await people.active_approvers(event.department, event.township)
    else:
        staff = []
    desk = event.township if not staff else None  # nobody by name: the township's desk
    await _tell("urged", key, staff, desk, case_number=event.case_number, text=text)


async def on_rectification(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    """整改通知: an order issued, returned or closed goes to its addressee — the township's
    desk (a notice under its code, which its window clerks share) or each of the department's
    approvers who see it; a response goes to the supervisor who issued the order."""
    event = read_rectification(payload)
    note = await order_step_note(event.step_id)
    label = ORDER_NOTICE_LABELS.get(event.step, "")
    text = event.text + (ORDER_NOTICE_NOTE.format(label=label, note=note) if note else "")
    key = f"rectification:{event.step_id}"
    if event.step == "respond":
        staff = [event.issued_by]
    elif event.target_kind == "department" and event.department:
        staff = await people.department_approvers(event.department, event.township)
    else:
        staff = []
    to_desk = event.step != "respond" and event.target_kind == "township"
    desk = event.township if to_desk else None
    await _tell("rectification", key, staff, desk, case_number=event.case_number, text=text)


HANDLERS: Final = {
    ESCALATED: on_escalated,
    FOLLOW_UP_OPENED: on_follow_up_opened,
    URGED: on_urged,
    RECTIFICATION: on_rectification,
}
