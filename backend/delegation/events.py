"""The events the delegation context publishes to the outbox, as typed, versioned payloads.

Ids and codes only: the names a message or notice shows are read by its handler when it runs
(``backend.delegation.store.notices``, ``backend.identity.store.notices``). The payloads were
once unversioned dicts of the same fields; those rows are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from backend.outbox.payloads import decode, encode

REQUESTED_EVENT: Final = "mandate.requested"
REVOKED_EVENT: Final = "mandate.revoked"
TAKEOVER_REFUSED_EVENT: Final = "citizen.takeover_refused"

REQUESTED_VERSION: Final = 1
REVOKED_VERSION: Final = 1
TAKEOVER_REFUSED_VERSION: Final = 1


class MandateRequestedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``mandate.requested``: an agent asked a citizen for a mandate (the citizen confirms)."""

    version: int = REQUESTED_VERSION
    mandate_id: str
    citizen_id: str
    agent_id: str


class MandateRevokedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``mandate.revoked``: the citizen revoked a mandate; its agent hears of it."""

    version: int = REVOKED_VERSION
    mandate_id: str
    agent_id: str


class TakeoverRefusedV1(msgspec.Struct, frozen=True, kw_only=True):
    """``citizen.takeover_refused``: a WeChat account could not take over a registered record;
    ``reason`` is a code (``backend.identity.texts.TAKEOVER_REFUSED``'s keys)."""

    version: int = TAKEOVER_REFUSED_VERSION
    citizen_id: str
    agent_id: str
    reason: str


PAYLOADS: Final[dict[str, type[msgspec.Struct]]] = {
    REQUESTED_EVENT: MandateRequestedV1,
    REVOKED_EVENT: MandateRevokedV1,
    TAKEOVER_REFUSED_EVENT: TakeoverRefusedV1,
}
"""The payload of each event kind this context publishes."""


def mandate_requested_payload(*, mandate_id: str, citizen_id: str, agent_id: str) -> dict[str, Any]:
    return encode(
        MandateRequestedV1(
            mandate_id=str(mandate_id), citizen_id=str(citizen_id), agent_id=str(agent_id)
        )
    )


def read_mandate_requested(payload: Mapping[str, Any]) -> MandateRequestedV1:
    return decode(payload, MandateRequestedV1, kind=REQUESTED_EVENT, version=REQUESTED_VERSION)


def mandate_revoked_payload(*, mandate_id: str, agent_id: str) -> dict[str, Any]:
    return encode(MandateRevokedV1(mandate_id=str(mandate_id), agent_id=str(agent_id)))


def read_mandate_revoked(payload: Mapping[str, Any]) -> MandateRevokedV1:
    return decode(payload, MandateRevokedV1, kind=REVOKED_EVENT, version=REVOKED_VERSION)


def takeover_refused_payload(*, citizen_id: str, agent_id: str, reason: str) -> dict[str, Any]:
    return encode(
        TakeoverRefusedV1(citizen_id=str(citizen_id), agent_id=str(agent_id), reason=reason)
    )


def read_takeover_refused(payload: Mapping[str, Any]) -> TakeoverRefusedV1:
    return decode(
        payload,
        TakeoverRefusedV1,
        kind=TAKEOVER_REFUSED_EVENT,
        version=TAKEOVER_REFUSED_VERSION,
    )
