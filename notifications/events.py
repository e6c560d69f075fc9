"""The events notifications publishes to its own outbox handlers, typed and versioned.

``message.deliver`` payloads were once ``{"message_id": …}`` without a version; such rows may
still wait in an outbox and are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from backend.outbox.payloads import UnknownVersion as UnknownVersion
from backend.outbox.payloads import decode, encode

DELIVER: Final = "message.deliver"
DELIVER_VERSION: Final = 1


class DeliverV1(msgspec.Struct, frozen=True, kw_only=True):
    """``message.deliver``: send one message written by the planner (or re-driven)."""

    version: int = DELIVER_VERSION
    message_id: int


PAYLOADS: Final[dict[str, type[msgspec.Struct]]] = {DELIVER: DeliverV1}
"""The payload of each event kind this context publishes."""


def deliver_payload(message_id: int) -> dict[str, Any]:
    return encode(DeliverV1(message_id=message_id))


def read_deliver(payload: Mapping[str, Any]) -> DeliverV1:
    return decode(payload, DeliverV1, kind=DELIVER, version=DELIVER_VERSION)
