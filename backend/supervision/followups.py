"""差评整改: a bad rating (2 or less) opens a follow-up for the township's supervisors.

The ``evaluation.bad`` outbox event (published by ``cases.service.evaluate`` with the rating)
opens it: contact the citizen within 1 working day of the rating, resolve within 15. The
follow-up is unique per rating, so the handler running twice opens one. Once it is resolved the
citizen may rate the case once more (``follow_up_resolved`` is the gate the composition root
gives ``cases.service``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Generic, Protocol, TypeVar

from backend.cases.actions import BAD_RATING
from backend.cases.clock import Calendar
from backend.cases.store import oversight
from backend.cases.store.oversight import FollowUpRow
from backend.clock import SHANGHAI, now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.identity.store.oversight import first_supervisor
from backend.outbox.service import publish
from backend.supervision import store, texts
from backend.supervision.events import OPENED_EVENT, follow_up_opened_payload
from backend.supervision.schemas import FollowUpState
from backend.supervision.scope import Scope

CONTACT_WITHIN_DAYS: Final = 1
RESOLVE_WITHIN_DAYS: Final = 15
NOTE_MAX: Final = 1000

FOLLOW_UP_STATES: Final = ("open", "overdue", "resolved", "all")


def not_found() -> NotFound:
    return NotFound(texts.FOLLOW_UP_NOT_FOUND, code="follow_up_not_found")


def _rated_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


async def open_follow_up(*, case_id: int, round: int, calendar: Calendar) -> int | None:
    """Open the follow-up of one bad rating; its id, or None when it was opened before.

    In the caller's unit of work (publishes the supervisors' notice).
    """
    rating = await oversight.rated_case(case_id=case_id, round=round)
    if rating is None or rating.score > BAD_RATING:
        return None
    day = _rated_day(rating.created_at)
    township = rating.township
    follow_up_id = await store.open_follow_up(
        case_id=case_id,
        evaluation_id=rating.id,
        round=rating.round,
        score=rating.score,
        township=township,
        assignee=await first_supervisor(township) if township else None,
        contact_due=calendar.add_working_days(day, CONTACT_WITHIN_DAYS),
        resolve_due=calendar.add_working_days(day, RESOLVE_WITHIN_DAYS),
    )
    if follow_up_id is None:
        return None
    area = township or rating.district
    if area:
        await publish(
            kind=OPENED_EVENT,
            payload=follow_up_opened_payload(
                follow_up_id=follow_up_id,
                case_number=rating.number,
                area=area,
                text=texts.FOLLOW_UP_OPENED.format(number=rating.number, score=rating.score),
            ),
            dedup_key=f"follow-up-opened:{follow_up_id}",
        )
    return follow_up_id


# --- reading --------------------------------------------------------------------------------


class FollowUpDates(Protocol):
    """What the state of a follow-up is read from."""

    @property
    def contact_due(self) -> date | None: ...
    @property
    def resolve_due(self) -> date | None: ...
    @property
    def contacted_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...


R = TypeVar("R", bound=FollowUpDates)


@dataclass(frozen=True, slots=True)
class FollowUpView(Generic[R]):
    row: R
    contact_overdue: bool
    resolve_overdue: bool

    @property
    def state(self) -> FollowUpState:
        if self.row.resolved_at is not None:
            return "resolved"
        return "contacted" if self.row.contacted_at is not None else "open"


def view_of(row: R, today: date) -> FollowUpView[R]:
    resolved = row.resolved_at is not None
    contact_due, resolve_due = row.contact_due, row.resolve_due
    return FollowUpView(
        row,
        contact_overdue=not resolved
        and row.contacted_at is None
        and contact_due is not None
        and today > contact_due,
        resolve_overdue=not resolved and resolve_due is not None and today > resolve_due,
    )


async def listed(
    *, scope: Scope, state: str, today: date, page: int, page_size: int
) -> tuple[list[FollowUpView[FollowUpRow]], int]:
    """Follow-ups in the scope: ``open``, ``overdue``, ``resolved`` or ``all``; due first."""
    if state not in FOLLOW_UP_STATES:
        raise InvalidInput(texts.FOLLOW_UP_STATE_INVALID, code="follow_up_state_invalid")
    rows, total = await oversight.follow_ups_page(
        state=state, township=scope.township, today=today, page=page, page_size=page_size
    )
    return [view_of(r, today) for r in rows], total


async def get(*, follow_up_id: int, scope: Scope, lock: bool = False) -> FollowUpRow:
    """One follow-up in the scope, or 404 (another township's is as good as missing)."""
    row = await oversight.follow_up(follow_up_id, lock=lock)
    if row is None or not scope.sees(row.township):
        raise not_found()
    return row


# --- acting ---------------------------------------------------------------------------------


def note_of(value: str, *, label: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(texts.NOTE_REQUIRED.format(label=label), code="note_required")
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            texts.NOTE_TOO_LONG.format(label=label, limit=NOTE_MAX), code="field_too_long"
        )
    return text


async def contact(*, follow_up_id: int, scope: Scope, note: str) -> None:
    """Record the call-back (回访); recording it again replaces the note, not the time."""
    text = note_of(note, label="回访情况")
    row = await get(follow_up_id=follow_up_id, scope=scope, lock=True)
    if row.resolved_at is not None:
        raise Conflict(texts.FOLLOW_UP_RESOLVED, code="follow_up_resolved")
    await store.record_contact(
        follow_up_id=follow_up_id, at=row.contacted_at or now_utc(), by=scope.staff_id, note=text
    )


async def resolve(*, follow_up_id: int, scope: Scope, note: str) -> None:
    """Close the follow-up with what was put right; the citizen may then rate once more."""
    text = note_of(note, label="整改结果")
    row = await get(follow_up_id=follow_up_id, scope=scope, lock=True)
    if row.resolved_at is not None:
        raise Conflict(texts.FOLLOW_UP_RESOLVED, code="follow_up_resolved")
    if row.contacted_at is None:
        raise Conflict(texts.FOLLOW_UP_NOT_CONTACTED, code="follow_up_not_contacted")
    await store.record_resolution(
        follow_up_id=follow_up_id, at=now_utc(), by=scope.staff_id, note=text
    )


async def follow_up_resolved(case_id: int) -> bool:
    """The gate of a second rating: the first rating's follow-up has been resolved."""
    return await store.first_rating_resolved(case_id)
