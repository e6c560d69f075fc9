"""The events notifications publishes to its own outbox handlers, typed and versioned.

``message.deliver`` payloads were once ``{"message_id": …}`` without a version; such rows may
still wait in an outbox and are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

DELIVER: Final = "message.deliver"
DELIVER_VERSION: Final = 1


class UnknownVersion(Exception):
    """A payload written by a newer publisher than this handler knows; the row is retried."""


class DeliverV1(msgspec.Struct, frozen=True, kw_only=True):
    """``message.deliver``: send one message written by the planner (or re-driven)."""

    version: int = DELIVER_VERSION
    message_id: int


def deliver_payload(message_id: int) -> dict[str, Any]:
    payload: dict[str, Any] = msgspec.to_builtins(DeliverV1(message_id=message_id))
    return payload


def read_deliver(payload: Mapping[str, Any]) -> DeliverV1:
    version = payload.get("version", DELIVER_VERSION)
    if not isinstance(version, int) or version > DELIVER_VERSION:
        raise UnknownVersion(f"{DELIVER} version {version!r}")
    return msgspec.convert({**payload, "version": version}, DeliverV1)
