"""A supervisor on one case: reading it (督办查看, audited) and urging its holder (催办).

The case is seen as the window sees it (``backend.window.present.for_staff``: the applicant's
name and masked ID number, masked numbers in the form), read-only. A case outside the
supervisor's scope is 404, as if it did not exist. Every open is written to the audit log,
since the page shows the applicant's personal data.

An urge goes to whoever holds the case now — the back-office department while it is in review,
the window clerk who acted on it last, or else the township's desk — as a bell notice (the
``supervision.urged`` outbox event), a timeline step (``urge``: the status stays; citizens see
a plain 督办催办, staff also the supervisor's note) and a ``case_urge`` row that is counted per
township and department. A case waiting for the applicant's supplement has no staff holder; a
second urge of one case within :data:`URGE_INTERVAL` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from backend.audit.service import Actor as AuditActor
from backend.audit.service import AuditLog
from backend.cases.states import Status
from backend.cases.store import queue
from backend.cases.store.cases import CaseRecord
from backend.cases.store.custody import add_custody_event
from backend.cases.transitions import Actor
from backend.clock import local, now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.service import publish
from backend.supervision import store, texts
from backend.supervision.events import URGED_EVENT, UrgedV1, urged_payload
from backend.supervision.scope import Scope
from backend.textrules import has_hidden_chars
from backend.window.schemas import CaseForStaff

READ_CASE: Final = "supervision_read_case"
URGE_STEP: Final = "urge"
URGE_NOTE_LIMIT: Final = 200
URGE_INTERVAL: Final = timedelta(minutes=60)


async def case_in_scope(*, scope: Scope, number: str) -> CaseRecord:
    """The case if the supervisor sees it (its township is theirs, or they see the district)."""
    row = await queue.case_row(number=number)
    if row is None or (scope.township is not None and row.township != scope.township):
        raise NotFound(texts.CASE_NOT_FOUND, code="supervision_case_not_found")
    return row


async def audit_open(*, scope: Scope, row: CaseRecord, audit: AuditLog | None) -> None:
    """The open of a case page by a supervisor, in the audit log (inside the transaction)."""
    if audit is None:
        return
    await audit.record(
        actor=AuditActor("staff", scope.staff_id, on_behalf_of=str(row.applicant)),
        action=READ_CASE,
        subject_kind="case",
        subject_id=row.number,
        reason=texts.READ_CASE_REASON,
    )


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds the case now, among the staff: a clerk, the township's desk or a department."""

    kind: str  # window | township | department
    id: str | None
    name: str


def holder_of(view: CaseForStaff) -> Holder | None:
    """Whom an urge goes to; None when the case waits for the applicant (a supplement)."""
    if view.status == Status.IN_REVIEW.value and view.department_code:
        return Holder("department", view.department_code, view.department_code)
    if view.status == Status.AWAITING_SUPPLEMENT.value:
        return None
    clerks = [e for e in view.timeline if e.actor_role == "window" and e.actor is not None]
    if clerks and clerks[-1].actor is not None:
        last = clerks[-1].actor
        return Holder("window", last.id, last.name or "")
    if view.township_code:
        return Holder("township", view.township_code, view.township_code)
    return None


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > URGE_NOTE_LIMIT:
        raise InvalidInput(
            texts.URGE_NOTE_TOO_LONG.format(limit=URGE_NOTE_LIMIT), code="validation_failed"
        )
    if has_hidden_chars(note, multiline=True):
        raise InvalidInput(texts.HIDDEN_IN_TEXT.format(label="督办说明"), code="validation_failed")
    return note


def _notice_text(view: CaseForStaff, *, late_days: int | None) -> str:
    if late_days:
        late = texts.URGE_LATE.format(days=late_days)
    elif view.deadline:
        late = texts.URGE_DUE.format(deadline=view.deadline)
    else:
        late = texts.URGE_NO_DEADLINE
    return texts.URGE_NOTICE.format(number=view.number, item=view.name, late=late, note="")


def _when(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


async def urge(*, scope: Scope, row: CaseRecord, view: CaseForStaff, note: str) -> int:
    """Urge the case's holder (inside the caller's transaction); the urge's id."""
    note = _check_note(note)
    if row.closed_at is not None:
        raise Conflict(texts.URGE_CLOSED, code="urge_case_closed")
    holder = holder_of(view)
    if holder is None:
        detail = texts.URGE_NOT_STAFF if view.township_code else texts.URGE_NOT_FORWARDED
        raise Conflict(detail, code="urge_no_holder")
    await store.lock_case_urges(row.id)
    last = await store.last_urge_at(row.id)
    if last is not None and now_utc() - last < URGE_INTERVAL:
        minutes = int(URGE_INTERVAL.total_seconds() // 60)
        raise Conflict(
            texts.URGE_TOO_SOON.format(minutes=minutes, at=_when(last)), code="urge_too_soon"
        )
    urge_id = await store.insert_urge(
        store.NewUrge(
            case_id=row.id,
            by=scope.staff_id,
            township=row.township,
            department=row.department if holder.kind == "department" else None,
            holder_kind=holder.kind,
            holder_id=holder.id if holder.kind == "window" else None,
            note=note,
        )
    )
    await add_custody_event(
        case_id=row.id,
        status=row.status,
        action=URGE_STEP,
        actor=Actor("staff", scope.staff_id, "supervisor"),
        note=texts.URGE_STEP,
        data={"urge": urge_id, "holder": holder.kind, "supervisor_note": note},
    )
    late = -view.working_days_left if view.overdue and view.working_days_left else None
    await publish(
        kind=URGED_EVENT,
        payload=urged_payload(
            UrgedV1(
                urge_id=urge_id,
                case_number=row.number,
                holder_kind=holder.kind,
                holder_id=holder.id if holder.kind == "window" else None,
                township=row.township,
                department=row.department,
                text=_notice_text(view, late_days=late),
            )
        ),
        dedup_key=f"urge:{urge_id}",
    )
    return urge_id
