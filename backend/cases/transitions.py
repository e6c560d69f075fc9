"""Applying the state machine to a stored case: the only code that changes a case's status.

Every change locks the case's family (``store.locks.lock_family``: the parent first), asks
``states.decide`` whether the action is allowed, writes the status and the columns that move
with it, appends a timeline event, recomputes the statutory clock when the machine says the
move sets, pauses, moves on or ends the deadline, and publishes the outbox rows the change
implies — all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.audit.service import ActorKind
from backend.cases import clock, events
from backend.cases.events import CASE_EVENT as CASE_EVENT
from backend.cases.events import FORWARD_EVENT as FORWARD_EVENT
from backend.cases.states import (
    CITIZEN_HEARS,
    ISSUES_NOTICE,
    Action,
    Move,
    NotAllowed,
    Status,
    clock_kind,
    decide,
)
from backend.cases.store import cases as case_store
from backend.cases.store import events as event_store
from backend.cases.store.cases import CaseRecord, MoveWrite
from backend.cases.store.events import EventRecord, NewEvent, Step
from backend.cases.store.locks import lock_family
from backend.clock import SHANGHAI, now_utc, today
from backend.errors import InvalidTransition, NotFound
from backend.outbox.service import publish

NOTIFIED = frozenset(CITIZEN_HEARS)
"""The steps a citizen is told of (``states.CITIZEN_HEARS``; notifications decide how)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a citizen, a staff member (with role) or the system, and for whom."""

    kind: ActorKind
    id: str | None
    role: str  # citizen | agent | window | approver | supervisor | admin | system
    on_behalf_of: str | None = None
    channel: str | None = None


SYSTEM = Actor("system", None, "system")


@dataclass(frozen=True)
class Change:
    """An action on a case, with the columns that legitimately move with it."""

    action: Action
    actor: Actor
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    township: str | None = None
    """The township queue the case enters (forward, handoff, a walk-in)."""
    department: str | None = None
    """The back office a transfer sends the case to."""
    delivery_method: str | None = None
    """How the result was delivered (deliver)."""
    delivery_address: str | None = None
    """Where it was mailed, when the clerk typed it at delivery (deliver)."""


def clock_events(rows: Iterable[Step | EventRecord | Mapping[str, Any]]) -> list[clock.ClockEvent]:
    """The events that matter to the statutory clock, on their Asia/Shanghai days."""
    out = []
    for row in rows:
        step = Step(0, *_step_fields(row)) if isinstance(row, Mapping) else row
        kind = clock_kind(step.action, step.from_status, step.to_status)
        if kind is not None:
            out.append(clock.ClockEvent(step.at.astimezone(SHANGHAI).date(), kind))
    return out


def _step_fields(row: Mapping[str, Any]) -> tuple[Any, str, str | None, str]:
    return row["at"], row["action"], row["from_status"], row["to_status"]


def status_of(row: CaseRecord) -> tuple[Status, Status | None]:
    """A case row's status and the status a supplement returns it to."""
    resume = row.resume_status
    return Status(row.status), Status(resume) if resume else None


def ensure_allowed(row: CaseRecord, action: Action) -> Move:
    """The machine's move for ``action`` on the case ``row``, or 409 ``transition_not_allowed``."""
    status, resume = status_of(row)
    try:
        return decide(status, action, resume_to=resume)
    except NotAllowed as exc:
        raise InvalidTransition(exc.reason) from exc


async def apply(case_id: int, change: Change, *, calendar: clock.Calendar) -> Move:
    """Apply ``change`` to the case, or raise 409 ``transition_not_allowed``."""
    family = await lock_family(case_id)
    if family is None:
        raise NotFound("找不到该办件。", code="case_not_found")
    current = family.case
    move = ensure_allowed(current, change.action)
    now = now_utc()
    event = await event_store.insert(
        NewEvent(
            case=case_id,
            at=now,
            action=change.action.value,
            from_status=current.status,
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
    deadline = None
    if move.moves_deadline:
        steps = (await event_store.steps([case_id]))[case_id]
        deadline = clock.compute(
            clock_events(steps),
            committed_days=current.committed_days,
            calendar=calendar,
            today=today(),
        ).deadline
    await case_store.write_move(
        case_id,
        MoveWrite(
            status=move.to.value,
            resume_status=move.resume_to.value if move.resume_to else None,
            updated_at=now,
            accepted_at=now if move.starts_clock else None,
            closed_at=now if move.closes else None,
            deadline=deadline,
            set_deadline=move.moves_deadline,
            township=change.township,
            department=change.department,
            delivery_method=change.delivery_method,
            delivery_address=change.delivery_address,
        ),
    )
    await notify(int(event.id), change.action)  # after the move: the payload has the deadline
    if change.action in ISSUES_NOTICE:
        await publish(
            kind=events.NOTICE_EVENT,
            payload=events.notice_payload(
                event_id=int(event.id),
                case_id=case_id,
                action=change.action.value,
                actor_role=change.actor.role,
            ),
            dedup_key=f"case-notice:{event.id}",
        )
    return move


async def refresh_bundle_deadline(row: CaseRecord) -> None:
    """A bundle's parent sorts by its latest child deadline (the copy kept for queues only);
    after a step of a bundle or one of its children."""
    parent_id = row.parent or (row.id if row.bundle_code else None)
    if parent_id is not None:
        await case_store.refresh_bundle_deadline(parent_id)


async def record_submission(
    case_id: int, actor: Actor, *, note: str = "", data: dict[str, Any] | None = None
) -> EventRecord:
    """The first timeline event of a new case; returns it as a read of the timeline would."""
    event = await event_store.insert(
        NewEvent(
            case=case_id,
            at=now_utc(),
            action=Action.SUBMIT.value,
            from_status=None,
            to_status=Status.SUBMITTED.value,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_role=actor.role,
            on_behalf_of=actor.on_behalf_of,
            channel=actor.channel,
            note=note,
            data=data or {},
        )
    )
    await notify(int(event.id), Action.SUBMIT)
    return event


async def notify(event_id: int, action: Action) -> None:
    """The outbox row that tells the citizen of this step, for the steps they hear of."""
    if action in NOTIFIED:
        await publish(
            kind=CASE_EVENT,
            payload=await events.case_event_payload(event_id),
            dedup_key=f"case-event:{event_id}",
        )
