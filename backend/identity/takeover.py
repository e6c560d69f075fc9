"""A WeChat account taking over a record registered without WeChat (DESIGN.md rule 5).

A villager an agent (or a window) registered may later log in with WeChat and bind the same ID
number. The account takes the record over only when the record has no WeChat account yet, the
name matches and the identity is verified; the record's cases, mandates and the rest move to
the account (each context registers a *merger* for its own tables) and the old row is deleted —
a foreign key left pointing at it stops the delete, so nothing is silently orphaned. Otherwise
the citizen gets 409 and every registered *refusal listener* hears why (the delegation context
tells the agent).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

import structlog

Merger = Callable[[str, str], Awaitable[None]]
"""``(from_citizen_id, into_citizen_id)``: move this context's rows; in the caller's transaction."""
RefusalListener = Callable[[str, str, str], Awaitable[None]]
"""``(registered_citizen_id, account_citizen_id, reason)``; runs in its own transaction."""

REASONS: Final = ("name_mismatch", "not_verified", "verify_unavailable", "not_matched")

_MERGERS: list[Merger] = []
_LISTENERS: list[RefusalListener] = []
log = structlog.get_logger(__name__)


def register_merger(merger: Merger) -> None:
    if merger not in _MERGERS:
        _MERGERS.append(merger)


def register_refusal_listener(listener: RefusalListener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


async def merge(from_id: str, into_id: str) -> None:
    for merger in _MERGERS:
        await merger(from_id, into_id)


async def refused(registered_id: str, account_id: str, reason: str) -> None:
    log.info("takeover_refused", registered=registered_id, account=account_id, reason=reason)
    for listener in _LISTENERS:
        try:
            await listener(registered_id, account_id, reason)
        except Exception:  # telling the agent must not turn the citizen's 409 into a 500
            log.exception("takeover_listener_failed", registered=registered_id)
