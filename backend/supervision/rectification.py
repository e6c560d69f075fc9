"""整改通知 — rectification orders (督查考核: 提出整改要求，限期整改).

A supervisor orders a township (its window desk) or a back-office department to put something
right by a working day, optionally about one case. The addressee responds (again after a
return); the supervisor closes it (整改完成) or sends it back (退回重改) with a note — only once
a response is in. An order past its deadline and not closed is overdue; a closed one was closed
on time or late. Every step is a row (``rectification_step``), an audit entry and an outbox
event that becomes a bell notice (``notifications.supervision.on_rectification``).

Scope: a township supervisor orders their own township, or a department about their township;
a district supervisor any township or department. An addressee sees only their own orders: a
window clerk their township's, an approver their department's (of their township, or all when
district-level). Anything else is 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Protocol

from backend.audit.service import Actor as AuditActor
from backend.audit.service import AuditLog
from backend.cases.numbers import looks_like_number
from backend.cases.store import cases as case_store
from backend.clock import today
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.geo.store import areas
from backend.identity import roles
from backend.outbox.service import publish
from backend.supervision import store, texts
from backend.supervision.events import (
    RECTIFICATION_EVENT,
    RectificationStepV1,
    rectification_payload,
)
from backend.supervision.scope import Scope
from backend.supervision.store import NewOrder, OrderRow, OrderScope
from backend.textrules import has_hidden_chars

TEXT_LIMIT: Final = texts.ORDER_TEXT_LIMIT
MAX_AHEAD: Final = timedelta(days=366)
DECISIONS: Final = ("close", "return")
AUDIT_ACTIONS: Final = {
    "issue": "rectification_issue",
    "respond": "rectification_respond",
    "close": "rectification_close",
    "return": "rectification_return",
}


@dataclass(frozen=True, slots=True)
class Desk:
    """An addressee: a window clerk of a township or an approver of a department."""

    staff_id: str
    scope: OrderScope


async def desk_of(*, staff_id: str, role: str, area_code: str, department: str | None) -> Desk:
    """The orders' addressee a window clerk or approver is; anyone else is refused (403)."""
    if role == roles.WINDOW:
        return Desk(staff_id, OrderScope(desk_township=area_code, addressee=True))
    if role == roles.APPROVER and department:
        area = await areas.area(area_code)
        township = area_code if area is not None and area.level == "township" else None
        return Desk(
            staff_id, OrderScope(department=department, approver_area=township, addressee=True)
        )
    raise NotAllowed(texts.NOT_SUPERVISOR)


def issuer_scope(scope: Scope) -> OrderScope:
    return OrderScope(township=scope.township)


def checked_text(raw: str, *, label: str, required: bool = True) -> str:
    text = raw.strip()
    if required and not text:
        raise InvalidInput(texts.NOTE_REQUIRED.format(label=label), code="validation_failed")
    if len(text) > TEXT_LIMIT:
        raise InvalidInput(
            texts.NOTE_TOO_LONG.format(label=label, limit=TEXT_LIMIT), code="validation_failed"
        )
    if has_hidden_chars(text, multiline=True):
        raise InvalidInput(texts.HIDDEN_IN_TEXT.format(label=label), code="validation_failed")
    return text


class WorkingDays(Protocol):
    """What the deadline check needs of the working-day calendar."""

    def is_working_day(self, day: date) -> bool: ...


def checked_deadline(raw: str, *, calendar: WorkingDays, day: date) -> date:
    """A working day after ``day`` and within a year of it."""
    raw = raw.strip()
    if not raw:
        raise InvalidInput(texts.ORDER_DEADLINE_REQUIRED, code="validation_failed")
    try:
        deadline = date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(texts.ORDER_DEADLINE_INVALID, code="validation_failed") from exc
    if deadline <= day:
        raise InvalidInput(texts.ORDER_DEADLINE_PAST, code="validation_failed")
    if deadline > day + MAX_AHEAD:
        raise InvalidInput(texts.ORDER_DEADLINE_FAR, code="validation_failed")
    if not calendar.is_working_day(deadline):
        following = deadline + timedelta(days=1)
        while not calendar.is_working_day(following):
            following += timedelta(days=1)
        raise InvalidInput(
            texts.ORDER_DEADLINE_HOLIDAY.format(day=deadline, next=following),
            code="validation_failed",
        )
    return deadline


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """What the supervisor typed: ``target`` is ``township:<code>`` or ``department:<code>``."""

    target: str
    requirement: str
    deadline: str
    case_number: str = ""


async def _target(scope: Scope, target: str) -> tuple[str, str | None, str | None]:
    """``(kind, township, department)`` of the order, in the supervisor's reach."""
    kind, _, code = target.strip().partition(":")
    towns, depts = await store.order_addressees()
    if kind not in ("township", "department") or not code:
        raise InvalidInput(texts.ORDER_TARGET_REQUIRED, code="validation_failed")
    known = {c for c, _ in (towns if kind == "township" else depts)}
    if code not in known:
        raise InvalidInput(texts.ORDER_TARGET_UNKNOWN, code="validation_failed")
    if kind == "township":
        if not scope.sees(code):
            raise InvalidInput(texts.ORDER_TARGET_OUTSIDE, code="validation_failed")
        return kind, code, None
    return kind, scope.township, code


async def _case(scope: Scope, number: str, township: str | None) -> str | None:
    number = number.strip().upper()
    if not number:
        return None
    case = await case_store.by_number(number) if looks_like_number(number) else None
    case_township = case.township if case is not None else None
    if case is None or not scope.sees(case_township):
        raise InvalidInput(texts.ORDER_CASE_UNKNOWN.format(number=number), code="validation_failed")
    if township is not None and case_township != township:
        raise InvalidInput(
            texts.ORDER_CASE_OTHER_TOWNSHIP.format(number=number), code="validation_failed"
        )
    return number


async def new_order(*, scope: Scope, draft: OrderDraft, calendar: WorkingDays) -> NewOrder:
    """The order as it will be stored, every field checked (``InvalidInput`` otherwise)."""
    requirement = checked_text(draft.requirement, label=texts.ORDER_REQUIREMENT)
    deadline = checked_deadline(draft.deadline, calendar=calendar, day=today())
    kind, township, department = await _target(scope, draft.target)
    case_number = await _case(scope, draft.case_number, township)
    return NewOrder(kind, township, department, case_number, requirement, deadline, scope.staff_id)


async def _step(
    order: OrderRow, *, by: str, action: str, note: str, audit: AuditLog | None
) -> None:
    """The step's row, its audit entry and its notice (through the outbox)."""
    step_id = await store.add_order_step(order.id, by=by, action=action, note=note)
    if audit is not None:
        await audit.record(
            actor=AuditActor("staff", by),
            action=AUDIT_ACTIONS[action],
            subject_kind="rectification_order",
            subject_id=str(order.id),
            reason=texts.ORDER_AUDIT_REASON,
        )
    who = order.township_name if order.target_kind == "township" else order.department_name
    case = texts.ORDER_NOTICE_CASE.format(number=order.case_number) if order.case_number else ""
    await publish(
        kind=RECTIFICATION_EVENT,
        payload=rectification_payload(
            RectificationStepV1(
                order_id=order.id,
                step_id=step_id,
                step=action,
                target_kind=order.target_kind,
                township=order.township,
                department=order.department,
                issued_by=order.issued_by,
                case_number=order.case_number,
                text=texts.ORDER_NOTICES[action].format(
                    who=who, deadline=order.deadline, case=case
                ),
            )
        ),
        dedup_key=f"rectification:{step_id}",
    )


async def issue(*, scope: Scope, order: NewOrder, audit: AuditLog | None) -> int:
    """Record a checked order and tell its addressee (inside the caller's transaction)."""
    order_id = await store.insert_order(order)
    row = await store.order(order_id, scope=issuer_scope(scope), today=today())
    assert row is not None  # just inserted, in the issuer's own scope
    await _step(row, by=scope.staff_id, action="issue", note="", audit=audit)
    return order_id


async def locked(order_id: int, scope: OrderScope) -> OrderRow:
    row = await store.order(order_id, scope=scope, today=today(), lock=True)
    if row is None:
        raise NotFound(texts.ORDER_NOT_FOUND, code="rectification_not_found")
    return row


async def respond(*, desk: Desk, order_id: int, text: str, audit: AuditLog | None) -> None:
    """The addressee's response (again after a return, or to replace one not yet decided)."""
    row = await locked(order_id, desk.scope)
    note = checked_text(text, label=texts.ORDER_RESPONSE)
    if row.state == "closed":
        raise Conflict(texts.ORDER_CLOSED, code="rectification_closed")
    await store.set_order_state(row.id, state="responded")
    await _step(row, by=desk.staff_id, action="respond", note=note, audit=audit)


async def decide(
    *, scope: Scope, order_id: int, action: str, note: str, audit: AuditLog | None
) -> None:
    """整改完成 (``close``) or 退回重改 (``return``, a reason required), once responded."""
    row = await locked(order_id, issuer_scope(scope))
    if action == "return":
        note = checked_text(note, label=texts.ORDER_RETURN_NOTE)
    else:
        note = checked_text(note, label=texts.ORDER_CLOSE_NOTE, required=False)
    if row.state == "closed":
        raise Conflict(texts.ORDER_CLOSED, code="rectification_closed")
    if row.state != "responded":
        raise Conflict(texts.ORDER_NOT_RESPONDED, code="rectification_not_responded")
    if action == "close":
        await store.set_order_state(row.id, state="closed", closed_on=today())
    else:
        await store.set_order_state(row.id, state="returned")
    await _step(row, by=scope.staff_id, action=action, note=note, audit=audit)
