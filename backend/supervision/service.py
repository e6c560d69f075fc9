"""Supervision's use cases (督办), called by the API handlers and the portal's pages alike.

Each is a keyword-only function: reads take the supervisor's :class:`Scope` and a page; the two
follow-up steps and the call-back record open their own unit of work (with the doorbell they are
given) and answer what was recorded, read again after the commit. Anything outside the scope is
404 (``NotFound``), the audit log outside the district 403 (``NotAllowed``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from backend.audit.service import AuditLog
from backend.audit.store import AuditEntry
from backend.cases.store.cases import CaseRecord
from backend.cases.store.overdue_list import OverdueFilter
from backend.cases.store.oversight import CallRow, EscalationRow, FollowUpRow, RatingRow
from backend.cases.store.workload_list import WorkloadFilter
from backend.clock import today
from backend.errors import NotFound
from backend.outbox.service import Doorbell, unit_of_work
from backend.supervision import (
    audit_view,
    callbacks,
    casework,
    escalation,
    followups,
    overdue,
    ratings,
    rectification,
    store,
    texts,
)
from backend.supervision.followups import FollowUpView
from backend.supervision.overdue import ListedCase, OverdueCase
from backend.supervision.rectification import Desk, OrderDraft
from backend.supervision.scope import Scope, load_scope, require_district
from backend.supervision.store import OrderCounts, OrderRow, OrderStep, UrgeCount
from backend.supervision.workload import Workload, workloads
from backend.window.present import for_staff
from backend.window.schemas import CaseForStaff
from backend.workdays.service import load_calendar

__all__ = [
    "Scope",
    "agent_workloads",
    "audit_entries",
    "call",
    "calls",
    "case",
    "check_in_scope",
    "contact_follow_up",
    "decide_order",
    "desk_of",
    "desk_order",
    "desk_orders",
    "escalations",
    "evaluations",
    "follow_up",
    "follow_ups",
    "issue_order",
    "order",
    "order_addressees",
    "orders",
    "overdue_cases",
    "overdue_list",
    "record_call",
    "rectification_counts",
    "resolve_follow_up",
    "respond_order",
    "scope_of",
    "urge",
    "urge_counts",
    "week_of",
]


async def scope_of(*, staff_id: str, role: str | None, area_code: str | None) -> Scope:
    """What a supervisor or administrator sees; anyone else is refused (``NotAllowed``)."""
    return await load_scope(staff_id=staff_id, role=role, area_code=area_code)


async def overdue_cases(
    *,
    scope: Scope,
    soon_days: int,
    township: str | None = None,
    overdue_only: bool = False,
    page: int,
    page_size: int,
) -> tuple[list[OverdueCase], int]:
    """Overdue and nearly-due open cases in the scope (and ``township``), by deadline.

    Each case's deadline is its own clock's (working-day calendar, pauses for supplements), so
    the stored deadline only narrows the search in SQL and the page is cut from the exact list.
    A township supervisor asking for another township gets an empty page.
    """
    if scope.township is not None and township not in (None, scope.township):
        return [], 0
    found = await overdue.find(
        today=today(),
        calendar=await load_calendar(),
        soon_days=soon_days,
        township=scope.township or township,
        overdue_only=overdue_only,
    )
    start = (page - 1) * page_size
    return found[start : start + page_size], len(found)


async def escalations(
    *, scope: Scope, page: int, page_size: int
) -> tuple[list[EscalationRow], int]:
    """Escalations of overdue cases in the scope, newest first."""
    return await escalation.listed(township=scope.township, page=page, page_size=page_size)


async def evaluations(
    *, scope: Scope, bad_only: bool, page: int, page_size: int
) -> tuple[list[tuple[RatingRow, FollowUpView[RatingRow] | None]], int]:
    """Ratings in the scope, newest first, each with the state of its follow-up."""
    return await ratings.listed(
        scope=scope, bad_only=bad_only, today=today(), page=page, page_size=page_size
    )


async def follow_ups(
    *, scope: Scope, state: str, page: int, page_size: int
) -> tuple[list[FollowUpView[FollowUpRow]], int]:
    """Follow-ups of bad ratings in the scope: ``open``, ``overdue``, ``resolved`` or ``all``."""
    return await followups.listed(
        scope=scope, state=state, today=today(), page=page, page_size=page_size
    )


async def follow_up(*, scope: Scope, follow_up_id: int) -> FollowUpView[FollowUpRow]:
    """One follow-up in the scope (``NotFound`` otherwise)."""
    row = await followups.get(follow_up_id=follow_up_id, scope=scope)
    return followups.view_of(row, today())


async def contact_follow_up(
    *, doorbell: Doorbell | None, scope: Scope, follow_up_id: int, note: str
) -> FollowUpView[FollowUpRow]:
    """Record the call-back to the citizen (回访); the follow-up as it is now."""
    async with unit_of_work(doorbell):
        await followups.contact(follow_up_id=follow_up_id, scope=scope, note=note)
    return await follow_up(scope=scope, follow_up_id=follow_up_id)


async def resolve_follow_up(
    *, doorbell: Doorbell | None, scope: Scope, follow_up_id: int, note: str
) -> FollowUpView[FollowUpRow]:
    """Close the follow-up with what was put right; the follow-up as it is now."""
    async with unit_of_work(doorbell):
        await followups.resolve(follow_up_id=follow_up_id, scope=scope, note=note)
    return await follow_up(scope=scope, follow_up_id=follow_up_id)


def week_of(week: str | None) -> date:
    """The Monday of ``week`` (ISO week or a date in it), by default of last week."""
    return callbacks.parse_week(week) if week else callbacks.last_week(today())


async def calls(
    *, scope: Scope, week: date, page: int, page_size: int
) -> tuple[list[CallRow], int]:
    """The week's call-back sample in the scope: calls still to make first."""
    return await callbacks.listed(scope=scope, week=week, page=page, page_size=page_size)


async def call(*, scope: Scope, call_id: int) -> CallRow:
    """One call of the sample in the scope (``NotFound`` otherwise)."""
    return await callbacks.get(call_id=call_id, scope=scope)


async def record_call(
    *,
    doorbell: Doorbell | None,
    scope: Scope,
    call_id: int,
    reached: bool,
    satisfied: int | None,
    trips: int | None,
    note: str,
) -> CallRow:
    """Record what the call-back found (again: replaces it); the call as it is now."""
    async with unit_of_work(doorbell):
        await callbacks.record(
            call_id=call_id,
            scope=scope,
            reached=reached,
            satisfied=satisfied,
            trips=trips,
            note=note,
        )
    return await call(scope=scope, call_id=call_id)


async def agent_workloads(
    *, scope: Scope, page: int, page_size: int, where: WorkloadFilter | None = None
) -> tuple[list[Workload], int]:
    """The agents in the scope with what they have in hand: filtered (township, a part of the
    name), sorted (``township`` by default, ``name``, ``open``, ``overdue``) and paged in SQL."""
    return await workloads(
        scope=scope,
        today=today(),
        calendar=await load_calendar(),
        where=where or WorkloadFilter(),
        page=page,
        page_size=page_size,
    )


async def audit_entries(
    *, scope: Scope, where: audit_view.AuditFilter, page: int, page_size: int
) -> tuple[list[AuditEntry], int]:
    """The audit log for the district's supervisors and administrators, newest first."""
    require_district(scope)
    return await audit_view.entries(where=where, page=page, page_size=page_size)


async def case(
    *, scope: Scope, number: str, doorbell: Doorbell | None, audit: AuditLog | None
) -> tuple[CaseForStaff, CaseRecord]:
    """One case in the scope as staff see it, read-only; the open is audited (its applicant's
    name and masked ID number are on it). ``NotFound`` outside the scope."""
    async with unit_of_work(doorbell):
        row = await casework.case_in_scope(scope=scope, number=number)
        await casework.audit_open(scope=scope, row=row, audit=audit)
    view = await for_staff(row=row, calendar=await load_calendar(), viewer_id=scope.staff_id)
    return view, row


async def check_in_scope(*, scope: Scope, number: str) -> None:
    """``NotFound`` unless the case is in the scope; nothing is shown, so nothing is audited."""
    await casework.case_in_scope(scope=scope, number=number)


async def urge(*, scope: Scope, number: str, note: str, doorbell: Doorbell | None) -> int:
    """催办: urge whoever holds the case now (a notice, a timeline step, counted); the urge's
    id. ``NotFound`` outside the scope, ``Conflict`` for a closed case, one waiting for the
    applicant, or one urged moments ago; ``InvalidInput`` for a note too long."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        row = await casework.case_in_scope(scope=scope, number=number)
        view = await for_staff(row=row, calendar=calendar, viewer_id=scope.staff_id)
        return await casework.urge(scope=scope, row=row, view=view, note=note)


async def urge_counts(*, scope: Scope, by: str) -> list[UrgeCount]:
    """Urges per township or per department (``by``) in the scope, most first."""
    return await store.urge_counts(by=by, township=scope.township)


async def overdue_list(
    *, scope: Scope, where: OverdueFilter, sort: str, page: int | None, page_size: int
) -> tuple[list[ListedCase], int]:
    """The portal's overdue list in the scope: filtered, sorted (``late``, ``deadline``,
    ``township``) and paged in SQL; ``page`` None: every line (the export). A township
    supervisor asking for another township gets an empty list."""
    if scope.township is not None and where.township not in (None, scope.township):
        return [], 0
    if scope.township is not None:
        where = replace(where, township=scope.township)
    return await overdue.listed(
        today=today(),
        calendar=await load_calendar(),
        where=where,
        sort=sort,
        limit=None if page is None else page_size,
        offset=0 if page is None else (page - 1) * page_size,
    )


# --- 整改通知 (rectification orders) ----------------------------------------------------------


async def order_addressees(*, scope: Scope) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The townships (only their own for a township supervisor) and departments an order of
    this supervisor can go to, ``(code, name)``."""
    towns, depts = await store.order_addressees()
    return [t for t in towns if scope.sees(t[0])], depts


async def issue_order(
    *, scope: Scope, draft: OrderDraft, doorbell: Doorbell | None, audit: AuditLog | None
) -> int:
    """下发整改通知: checked (``InvalidInput``, nothing stored), recorded, audited, announced
    to the addressee; the order's id."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        order_ = await rectification.new_order(scope=scope, draft=draft, calendar=calendar)
        return await rectification.issue(scope=scope, order=order_, audit=audit)


async def orders(
    *, scope: Scope, state: str, page: int, page_size: int
) -> tuple[list[OrderRow], int]:
    """The orders this supervisor sees (their township's, or the district's), open first."""
    return await store.orders_page(
        scope=rectification.issuer_scope(scope),
        state=state,
        today=today(),
        limit=page_size,
        offset=(page - 1) * page_size,
    )


async def _order_and_steps(
    order_id: int, scope: store.OrderScope
) -> tuple[OrderRow, list[OrderStep]]:
    row = await store.order(order_id, scope=scope, today=today())
    if row is None:
        raise NotFound(texts.ORDER_NOT_FOUND, code="rectification_not_found")
    return row, await store.order_steps(order_id)


async def order(*, scope: Scope, order_id: int) -> tuple[OrderRow, list[OrderStep]]:
    """One order the supervisor sees, with its steps; ``NotFound`` otherwise."""
    return await _order_and_steps(order_id, rectification.issuer_scope(scope))


async def decide_order(
    *,
    scope: Scope,
    order_id: int,
    action: str,
    note: str,
    doorbell: Doorbell | None,
    audit: AuditLog | None,
) -> None:
    """整改完成 (``close``) or 退回重改 (``return``) once the addressee responded."""
    async with unit_of_work(doorbell):
        await rectification.decide(
            scope=scope, order_id=order_id, action=action, note=note, audit=audit
        )


async def desk_of(*, staff_id: str, role: str, area_code: str, department: str | None) -> Desk:
    """The addressee a window clerk or an approver is; anyone else ``NotAllowed``."""
    return await rectification.desk_of(
        staff_id=staff_id, role=role, area_code=area_code, department=department
    )


async def desk_orders(
    *, desk: Desk, state: str, page: int, page_size: int
) -> tuple[list[OrderRow], int]:
    """The orders addressed to this desk, open first."""
    return await store.orders_page(
        scope=desk.scope, state=state, today=today(), limit=page_size, offset=(page - 1) * page_size
    )


async def desk_order(*, desk: Desk, order_id: int) -> tuple[OrderRow, list[OrderStep]]:
    """One order addressed to this desk, with its steps; ``NotFound`` otherwise."""
    return await _order_and_steps(order_id, desk.scope)


async def respond_order(
    *, desk: Desk, order_id: int, text: str, doorbell: Doorbell | None, audit: AuditLog | None
) -> None:
    """The addressee's response (整改情况), announced to the supervisor who issued it."""
    async with unit_of_work(doorbell):
        await rectification.respond(desk=desk, order_id=order_id, text=text, audit=audit)


async def rectification_counts(
    *, township: str | None = None, since: date | None = None
) -> list[OrderCounts]:
    """Per township (orders to townships): open, closed on time, closed late, overdue — for the
    township league; ``township`` narrows to one, ``since`` to orders issued from that day."""
    return await store.order_counts(today=today(), township=township, since=since)
