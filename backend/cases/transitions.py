"""Applying the state machine to a stored case: the only code that changes a case's status.

Every change locks the case row, asks ``states.decide`` whether the action is allowed, updates
the status, appends a timeline event, recomputes the statutory clock and publishes the outbox
rows the change implies — all in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backend import db
from backend.audit.service import ActorKind
from backend.cases import clock, events, queries
from backend.cases.states import CLOCK_RUNNING, Action, Move, NotAllowed, Status, decide
from backend.cases.tables import Case, CaseEvent
from backend.clock import SHANGHAI, today
from backend.errors import InvalidTransition, NotFound
from backend.outbox.service import publish

FORWARD_EVENT = "case.forward"
CASE_EVENT = "case.event"
NOTIFIED = frozenset(
    {
        Action.SUBMIT,
        Action.ACCEPT,
        Action.REQUEST_SUPPLEMENT,
        Action.ISSUE_RESULT,
        Action.REJECT,
        Action.DENY,
        Action.DELIVER,
    }
)
"""The steps a citizen is told of (the notifications package decides how)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a citizen, a staff member (with role) or the system, and for whom."""

    kind: ActorKind
    id: str | None
    role: str  # citizen | agent | window | approver | supervisor | admin | system
    on_behalf_of: str | None = None
    channel: str | None = None


SYSTEM = Actor("system", None, "system")


@dataclass
class Change:
    action: Action
    actor: Actor
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    updates: dict[Any, Any] = field(default_factory=dict)  # other columns to set with the change


def clock_events(rows: list[dict[str, Any]]) -> list[clock.ClockEvent]:
    """The events that matter to the statutory clock, on their Asia/Shanghai days."""
    out = []
    for row in rows:
        day = row["at"].astimezone(SHANGHAI).date()
        action, source, target = row["action"], row["from_status"], row["to_status"]
        if action == Action.ACCEPT:
            out.append(clock.ClockEvent(day, "accept"))
        elif action == Action.REQUEST_SUPPLEMENT and source in CLOCK_RUNNING:
            out.append(clock.ClockEvent(day, "pause"))
        elif action == Action.SUPPLY and target in CLOCK_RUNNING:
            out.append(clock.ClockEvent(day, "resume"))
        elif action in (Action.APPROVE, Action.DENY, Action.WITHDRAW, Action.REJECT):
            out.append(clock.ClockEvent(day, "close"))
    return out


async def events_of(case_id: int) -> list[dict[str, Any]]:
    return await CaseEvent.select().where(CaseEvent.case == case_id).order_by(CaseEvent.id).run()


async def apply(case_id: int, change: Change, *, calendar: clock.Calendar) -> Move:
    """Apply ``change`` to the case, or raise 409 ``transition_not_allowed``."""
    rows = (
        await Case.select(Case.status, Case.resume_status, Case.committed_days)
        .where(Case.id == case_id)
        .lock_rows()
        .run()
    )
    if not rows:
        raise NotFound("找不到该办件。", code="case_not_found")
    current = rows[0]
    status = Status(current["status"])
    resume = Status(current["resume_status"]) if current["resume_status"] else None
    try:
        move = decide(status, change.action, resume_to=resume)
    except NotAllowed as exc:
        raise InvalidTransition(exc.reason) from exc
    now = datetime.now(UTC)
    values: dict[Any, Any] = {
        Case.status: move.to.value,
        Case.resume_status: move.resume_to.value if move.resume_to else None,
        Case.updated_at: now,
        **change.updates,
    }
    if move.starts_clock:
        values[Case.accepted_at] = now
    if move.closes:
        values[Case.closed_at] = now
    inserted = (
        await CaseEvent.insert(
            CaseEvent(
                case=case_id,
                at=now,
                action=change.action.value,
                from_status=status.value,
                to_status=move.to.value,
                actor_kind=change.actor.kind,
                actor_id=change.actor.id,
                actor_role=change.actor.role,
                on_behalf_of=change.actor.on_behalf_of,
                channel=change.actor.channel,
                note=change.note,
                data=change.data,
            )
        )
        .returning(CaseEvent.id)
        .run()
    )
    await notify(int(inserted[0]["id"]), change.action)
    if move.starts_clock or move.pauses_clock or move.resumes_clock or move.closes:
        events = clock_events(await events_of(case_id))
        computed = clock.compute(
            events, committed_days=current["committed_days"], calendar=calendar, today=today()
        )
        values[Case.deadline] = computed.deadline
    await Case.update(values).where(Case.id == case_id).run()
    return move


async def record_submission(
    case_id: int, actor: Actor, *, note: str = "", data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The first timeline event of a new case; returns it as a read of the timeline would."""
    row = await db.fetchrow(
        queries.INSERT_EVENT,
        case_id,
        datetime.now(UTC),
        Action.SUBMIT.value,
        None,
        Status.SUBMITTED.value,
        actor.kind,
        actor.id,
        actor.role,
        actor.on_behalf_of,
        actor.channel,
        note,
        json.dumps(data or {}, ensure_ascii=False),
    )
    assert row is not None  # INSERT … RETURNING always returns the row
    await notify(int(row["id"]), Action.SUBMIT)
    return dict(row)


async def notify(event_id: int, action: Action) -> None:
    """The outbox row that tells the citizen of this step, for the steps they hear of."""
    if action in NOTIFIED:
        await publish(
            kind=CASE_EVENT,
            payload=await events.case_event_payload(event_id),
            dedup_key=f"case-event:{event_id}",
        )
