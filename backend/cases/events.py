"""The events the cases context publishes to the outbox, as typed, versioned payloads.

A payload carries what its handlers need — ids, codes, dates — and never a plain personal
value: outbox rows are kept after they ran. What only a person's record holds (a name, a
WeChat account) is read by the handler when it runs; the free-text note of a step (a
rejection's reason) is read then too (:func:`step_note`).

``case.event`` payloads were once only ``{"event_id": …}``; rows of that shape may still wait
in an outbox, so :func:`read_case_event` reads their facts from the case itself.
``case.forward`` and ``evaluation.bad`` payloads were unversioned dicts of the same fields;
they are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import msgspec

from backend.cases.store import notices
from backend.outbox.payloads import UnknownVersion as UnknownVersion
from backend.outbox.payloads import decode, encode

CASE_EVENT: Final = "case.event"
FORWARD_EVENT: Final = "case.forward"
BAD_RATING_EVENT: Final = "evaluation.bad"
NOTICE_EVENT: Final = "case.notice"

CASE_EVENT_VERSION: Final = 1
FORWARD_VERSION: Final = 1
BAD_RATING_VERSION: Final = 1
NOTICE_VERSION: Final = 1


class NoticeCase(msgspec.Struct, frozen=True, kw_only=True):
    """A case as the messages about it name it, and who serves it."""

    case_id: int
    number: str
    parent_id: int | None
    applicant_id: str
    item_code: str | None
    bundle_code: str | None
    township: str | None
    filed_by_kind: str
    filed_by_staff: str | None
    delivery_method: str
    committed_days: int

    @property
    def agent_id(self) -> str | None:
        """The agent (or bank clerk) who filed the case for its applicant, if one did."""
        return self.filed_by_staff if self.filed_by_kind in ("agent", "bank") else None


class CaseEventV1(msgspec.Struct, frozen=True, kw_only=True):
    """``case.event``: a step of a case its applicant hears of (``transitions.NOTIFIED``)."""

    version: int = CASE_EVENT_VERSION
    event_id: int
    action: str
    at: datetime
    missing: tuple[str, ...] = ()
    """The materials a supplement asks for (their names in the catalogue)."""
    case: NoticeCase
    deadline: date | None = None
    """The case's deadline once the step was taken. None for a bundle's parent (whose deadline
    is the copy of its children's refreshed after the step) and in rows written before payloads
    carried it: the handler then reads the deadline when it runs (:func:`case_deadline`)."""


class ForwardV1(msgspec.Struct, frozen=True, kw_only=True):
    """``case.forward``: route a submitted case (or bundle's parent) to its township."""

    version: int = FORWARD_VERSION
    case_id: int


class BadRatingV1(msgspec.Struct, frozen=True, kw_only=True):
    """``evaluation.bad``: a citizen rated a case badly; supervision opens a follow-up."""

    version: int = BAD_RATING_VERSION
    case_id: int
    number: str
    score: int
    round: int = 1


class NoticeDueV1(msgspec.Struct, frozen=True, kw_only=True):
    """``case.notice``: a step that issues a formal notice (受理、不予受理、补正、不予许可、办结;
    ``backend.notices.model.KIND_OF_ACTION``) was taken; the notices context numbers it."""

    version: int = NOTICE_VERSION
    event_id: int
    case_id: int
    action: str
    actor_role: str


PAYLOADS: Final[dict[str, type[msgspec.Struct]]] = {
    CASE_EVENT: CaseEventV1,
    FORWARD_EVENT: ForwardV1,
    BAD_RATING_EVENT: BadRatingV1,
    NOTICE_EVENT: NoticeDueV1,
}
"""The payload of each event kind this context publishes."""


def notice_payload(*, event_id: int, case_id: int, action: str, actor_role: str) -> dict[str, Any]:
    return encode(
        NoticeDueV1(event_id=event_id, case_id=case_id, action=action, actor_role=actor_role)
    )


def read_notice_due(payload: Mapping[str, Any]) -> NoticeDueV1:
    return decode(payload, NoticeDueV1, kind=NOTICE_EVENT, version=NOTICE_VERSION)


def forward_payload(case_id: int) -> dict[str, Any]:
    return encode(ForwardV1(case_id=case_id))


def read_forward(payload: Mapping[str, Any]) -> ForwardV1:
    return decode(payload, ForwardV1, kind=FORWARD_EVENT, version=FORWARD_VERSION)


def bad_rating_payload(*, case_id: int, number: str, score: int, round_: int) -> dict[str, Any]:
    return encode(BadRatingV1(case_id=case_id, number=number, score=score, round=round_))


def read_bad_rating(payload: Mapping[str, Any]) -> BadRatingV1:
    return decode(payload, BadRatingV1, kind=BAD_RATING_EVENT, version=BAD_RATING_VERSION)


def _notice_case(facts: notices.CaseFacts) -> NoticeCase:
    return NoticeCase(
        case_id=facts.case_id,
        number=facts.number,
        parent_id=facts.parent_id,
        applicant_id=facts.applicant_id,
        item_code=facts.item_code,
        bundle_code=facts.bundle_code,
        township=facts.township,
        filed_by_kind=facts.filed_by_kind,
        filed_by_staff=facts.filed_by_staff,
        delivery_method=facts.delivery_method,
        committed_days=facts.committed_days,
    )


async def _read(event_id: int) -> CaseEventV1 | None:
    step = await notices.step(event_id)
    if step is None:
        return None
    return CaseEventV1(
        event_id=step.event_id,
        action=step.action,
        at=step.at,
        missing=step.missing,
        case=_notice_case(step.case),
        deadline=None if _bundle_parent(step.case) else step.case.deadline,
    )


def _bundle_parent(facts: notices.CaseFacts) -> bool:
    return facts.parent_id is None and facts.bundle_code is not None


async def case_event_payload(event_id: int) -> dict[str, Any]:
    """The ``case.event`` payload of the step ``event_id`` (in the publisher's transaction)."""
    event = await _read(event_id)
    if event is None:  # not written in this transaction: the handler reads it when it runs
        return {"event_id": event_id}
    return encode(event)


async def read_case_event(payload: Mapping[str, Any]) -> CaseEventV1 | None:
    """The event a ``case.event`` payload describes; None when its step no longer exists."""
    version = payload.get("version")
    if version is None:
        return await _read(int(payload["event_id"]))
    if not isinstance(version, int) or version > CASE_EVENT_VERSION:
        raise UnknownVersion(f"{CASE_EVENT} version {version!r}")
    return decode(payload, CaseEventV1, kind=CASE_EVENT, version=CASE_EVENT_VERSION)


async def case_for_notice(number: str) -> NoticeCase | None:
    """The case ``number`` as its messages name it (for a message that did not reach its
    applicant, to tell them in person)."""
    facts = await notices.case_by_number(number)
    return _notice_case(facts) if facts is not None else None


async def case_deadline(case_id: int) -> date | None:
    """The case's deadline now, for an event that does not carry it
    (:attr:`CaseEventV1.deadline`)."""
    facts = await notices.case_by_id(case_id)
    return facts.deadline if facts is not None else None


async def step_note(event_id: int) -> str:
    """The note written with a step (a rejection's reason), empty when there is none."""
    return await notices.step_note(event_id)
