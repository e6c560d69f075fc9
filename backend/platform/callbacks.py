"""Status callbacks from an external platform, applied through the one state machine.

Each callback is kept (``platform_callback``) in the same transaction as the change it makes:

- a replayed ``event_id`` changes nothing and answers what the first delivery answered;
- an event older than the last one applied to the case, or one the state machine refuses,
  is recorded with ``applied = false`` and a reason, and changes nothing else;
- a case whose push is not recorded yet (the platform answered before our commit) is a 409,
  recorded nowhere, so the platform's retry is not mistaken for a replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from backend.cases import actions as cases
from backend.cases import clock
from backend.cases import views as case_views
from backend.cases.states import Action, Status
from backend.cases.store import oversight
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import Actor, Change, apply
from backend.clock import now_utc
from backend.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from backend.platform import store, texts

PLATFORM_ACTOR: Final = Actor("system", None, "platform", channel="platform")

STATUS_ACTIONS: Final[dict[str, Action]] = {
    "accepted": Action.ACCEPT,
    "rejected": Action.REJECT,
    "supplement": Action.REQUEST_SUPPLEMENT,
    "in_review": Action.TRANSFER,
    "approved": Action.APPROVE,
    "denied": Action.DENY,
    "result_ready": Action.ISSUE_RESULT,
    "delivered": Action.DELIVER,
}

OUT_OF_ORDER: Final = "out_of_order"
NOT_ALLOWED: Final = "transition_not_allowed"


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    event_id: str
    case_number: str
    status: str
    occurred_at: datetime
    note: str = ""
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    event_id: str
    case_number: str
    applied: bool
    replayed: bool
    case_status: str
    reason: str | None = None
    detail: str | None = None


def _not_found() -> NotFound:
    return NotFound(texts.CASE_NOT_FOUND, code="case_not_found")


async def receive(*, app_id: str, event: CallbackEvent, calendar: clock.Calendar) -> Outcome:
    """Apply one verified callback from ``app_id``, in the caller's transaction."""
    missing = list(dict.fromkeys(m.strip() for m in event.missing if m.strip()))
    if event.status == "supplement" and not missing:
        raise InvalidInput(texts.SUPPLEMENT_EMPTY, code="supplement_empty")
    row = await case_views.case_row(number=event.case_number)
    if row is None:
        raise _not_found()
    # Lock the case first: the forward job records the push and queues the case in one
    # transaction holding this lock, so what we read next is settled.
    locked = await oversight.case_status(row.id, lock=True)
    push = await store.push_target(row.parent or row.id)
    if push is None or push[0] != app_id:
        raise _not_found()  # not a case this platform was given: it learns nothing more
    status = str(locked)
    if push[1] is None or status == Status.SUBMITTED.value:
        raise Conflict(texts.CASE_NOT_READY, code="platform_case_not_ready")
    callback_id = await store.insert_callback(
        event_id=event.event_id,
        case_id=row.id,
        app_id=app_id,
        status=event.status,
        occurred_at=event.occurred_at,
        received_at=now_utc(),
        note=event.note,
    )
    if callback_id is None:
        return await _replay(event, status)
    reason, detail = await _apply(row, event, missing, calendar, callback_id)
    await store.settle_callback(callback_id=callback_id, reason=reason, detail=detail)
    after = await oversight.case_status(row.id)
    return Outcome(
        event_id=event.event_id,
        case_number=event.case_number,
        applied=reason is None,
        replayed=False,
        case_status=after or status,
        reason=reason,
        detail=detail,
    )


async def _apply(
    row: CaseRecord,
    event: CallbackEvent,
    missing: list[str],
    calendar: clock.Calendar,
    callback_id: int,
) -> tuple[str | None, str | None]:
    """Make the change; ``(reason, detail)`` when it was not made, ``(None, None)`` when it was."""
    case_id = int(row.id)
    latest = await store.latest_applied_callback(case_id=case_id, other_than=callback_id)
    if latest is not None and event.occurred_at < latest:
        return OUT_OF_ORDER, texts.OUT_OF_ORDER
    action = STATUS_ACTIONS[event.status]
    data = {"platform_event_id": event.event_id, "platform_status": event.status}
    try:
        if action == Action.REQUEST_SUPPLEMENT:
            await cases.request_supplement(
                row=row,
                missing=missing,
                note=event.note,
                actor=PLATFORM_ACTOR,
                calendar=calendar,
            )
        else:
            change = Change(action, PLATFORM_ACTOR, note=event.note, data=data)
            await apply(case_id, change, calendar=calendar)
    except InvalidTransition as exc:
        # Refused before anything was written: the transaction is still clean.
        return NOT_ALLOWED, exc.detail
    return None, None


async def _replay(event: CallbackEvent, status: str) -> Outcome:
    first = await store.first_callback(event.event_id)
    return Outcome(
        event_id=event.event_id,
        case_number=event.case_number,
        applied=bool(first and first[0]),
        replayed=True,
        case_status=status,
        reason=(first[1] or None) if first else None,
        detail=(first[2] or None) if first else None,
    )
