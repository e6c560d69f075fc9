"""The events the supervision context publishes to the outbox, as typed, versioned payloads.

They name a case by its number and an area by its code; ``text`` is the notice supervision
writes itself (from its own templates: the number, the item, days and a score — never what a
person wrote). The payloads were once unversioned dicts of the same fields; those rows are read
as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from backend.outbox.payloads import decode, encode

ESCALATED_EVENT: Final = "supervision.escalated"
OPENED_EVENT: Final = "supervision.follow_up_opened"
URGED_EVENT: Final = "supervision.urged"
RECTIFICATION_EVENT: Final = "supervision.rectification_step"

ESCALATED_VERSION: Final = 1
OPENED_VERSION: Final = 1
URGED_VERSION: Final = 1
RECTIFICATION_VERSION: Final = 1


class EscalatedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``supervision.escalated``: an overdue case reached a level; its area's supervisors hear."""

    version: int = ESCALATED_VERSION
    escalation_id: int
    case_number: str
    level: str
    area: str
    text: str


class FollowUpOpenedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``supervision.follow_up_opened``: a bad rating opened a follow-up in an area."""

    version: int = OPENED_VERSION
    follow_up_id: int
    case_number: str
    area: str
    text: str


class UrgedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``supervision.urged``: a supervisor urged (催办) whoever holds a case now — one clerk
    (``holder_id``), the township's desk, or a department's approvers. ``text`` is supervision's
    own template; the supervisor's note is read by ``urge_id`` from supervision's store."""

    version: int = URGED_VERSION
    urge_id: int
    case_number: str
    holder_kind: str  # window | township | department
    holder_id: str | None
    township: str | None
    department: str | None
    text: str


class RectificationStepV1(msgspec.Struct, frozen=True, kw_only=True):
    """``supervision.rectification_step``: a step of a rectification order (整改通知) — issued,
    returned or closed (for the addressee: the township's desk or the department's approvers)
    or responded (for the supervisor who issued it). ``text`` is supervision's own template;
    the free text of the step is read by ``step_id`` from supervision's store."""

    version: int = RECTIFICATION_VERSION
    order_id: int
    step_id: int
    step: str  # issue | respond | return | close
    target_kind: str  # township | department
    township: str | None
    department: str | None
    issued_by: str
    case_number: str | None
    text: str


PAYLOADS: Final[dict[str, type[msgspec.Struct]]] = {
    ESCALATED_EVENT: EscalatedV1,
    OPENED_EVENT: FollowUpOpenedV1,
    URGED_EVENT: UrgedV1,
    RECTIFICATION_EVENT: RectificationStepV1,
}
"""The payload of each event kind this context publishes."""


def escalated_payload(
    *, escalation_id: int, case_number: str, level: str, area: str, text: str
) -> dict[str, Any]:
    return encode(
        EscalatedV1(
            escalation_id=escalation_id,
            case_number=case_number,
            level=level,
            area=area,
            text=text,
        )
    )


def read_escalated(payload: Mapping[str, Any]) -> EscalatedV1:
    return decode(payload, EscalatedV1, kind=ESCALATED_EVENT, version=ESCALATED_VERSION)


def follow_up_opened_payload(
    *, follow_up_id: int, case_number: str, area: str, text: str
) -> dict[str, Any]:
    return encode(
        FollowUpOpenedV1(follow_up_id=follow_up_id, case_number=case_number, area=area, text=text)
    )


def read_follow_up_opened(payload: Mapping[str, Any]) -> FollowUpOpenedV1:
    return decode(payload, FollowUpOpenedV1, kind=OPENED_EVENT, version=OPENED_VERSION)


def urged_payload(event: UrgedV1) -> dict[str, Any]:
    return encode(event)


def read_urged(payload: Mapping[str, Any]) -> UrgedV1:
    return decode(payload, UrgedV1, kind=URGED_EVENT, version=URGED_VERSION)


def rectification_payload(event: RectificationStepV1) -> dict[str, Any]:
    return encode(event)


def read_rectification(payload: Mapping[str, Any]) -> RectificationStepV1:
    return decode(
        payload, RectificationStepV1, kind=RECTIFICATION_EVENT, version=RECTIFICATION_VERSION
    )
