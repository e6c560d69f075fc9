"""Typed, versioned outbox payloads: how a publisher writes one and a handler reads one.

Each context defines the payloads of the events it publishes (``<context>/events.py``) as
msgspec Structs with a ``version`` field. A payload without a version was written before
payloads were versioned and is read as version 1 (those shapes are version 1's fields). A
payload of a newer version than the reader knows raises :class:`UnknownVersion`, so the row
fails and is retried — a deployment that knows the version runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec


class UnknownVersion(Exception):
    """A payload written by a newer publisher than this handler knows; the row is retried
    (a deployment that knows it runs it)."""


S = TypeVar("S", bound=msgspec.Struct)


def encode(payload: msgspec.Struct) -> dict[str, Any]:
    """The outbox row's JSON object for ``payload``."""
    built: dict[str, Any] = msgspec.to_builtins(payload)
    return built


def decode(payload: Mapping[str, Any], into: type[S], *, kind: str, version: int) -> S:
    """``payload`` as ``into`` (whose current version is ``version``); rows without a version
    are version 1."""
    found = payload.get("version", 1)
    if not isinstance(found, int) or isinstance(found, bool) or found > version:
        raise UnknownVersion(f"{kind} version {found!r}")
    return msgspec.convert({**payload, "version": found}, into)
