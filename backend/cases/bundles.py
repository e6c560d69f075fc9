"""一件事 at the window: the bundle is worked as one until acceptance, its items apart after.

Before acceptance the front desk works the parent case: accepting, rejecting, asking for a
supplement or handing it to another township moves every open child with it (a child may only be
rejected on its own). After acceptance each child goes to its own back office and closes on its
own; the parent closes when the last child does (:func:`settle_parent`), by the moves the state
machine decides (``states.closing_actions``).
"""

from __future__ import annotations

from typing import Final

import structlog

from backend.cases import states
from backend.cases.clock import Calendar
from backend.cases.states import CLOSED, Action, Status, closing_actions
from backend.cases.store import cases as case_store
from backend.cases.store.cases import CaseRecord
from backend.cases.store.locks import lock_family
from backend.cases.transitions import SYSTEM, Change, apply, status_of

__all__ = [
    "BUNDLE_CLOSED_NOTE",
    "before_acceptance",
    "bundle_allowed",
    "children_of",
    "closing_actions",
    "is_parent",
    "settle_parent",
]

BUNDLE_CLOSED_NOTE: Final = "一件事所含事项均已办结"

log = structlog.get_logger(__name__)


def is_parent(row: CaseRecord) -> bool:
    return bool(row.bundle_code) and row.parent is None


def before_acceptance(row: CaseRecord) -> bool:
    """Not accepted yet: submitted, queued, or awaiting a supplement asked before acceptance."""
    return states.before_acceptance(*status_of(row))


async def children_of(parent_id: int, *, lock: bool = False) -> list[CaseRecord]:
    """A bundle's children by number; ``lock`` locks the parent first, then them."""
    if not lock:
        return await case_store.children(parent_id)
    family = await lock_family(parent_id, children=True)
    return family.children if family is not None else []


async def settle_parent(child: CaseRecord, *, calendar: Calendar) -> list[Action]:
    """Close the parent of ``child`` when every sibling is closed; in the caller's transaction.

    The parent's row lock (taken before any child's, ``lock_family``) makes two children
    closing at once take turns, so neither misses the last step.
    """
    if child.parent is None:
        return []
    family = await lock_family(child.parent)
    if family is None:
        return []
    parent = family.case
    siblings = [Status(c.status) for c in await case_store.children(parent.id)]
    status, resume = status_of(parent)
    actions = closing_actions(status, siblings, resume_to=resume)
    if not actions and status not in CLOSED and all(s in CLOSED for s in siblings):
        log.warning("bundle_parent_not_closable", number=parent.number, status=parent.status)
    outcome = {s.value: sum(1 for x in siblings if x == s) for s in set(siblings)}
    for action in actions:
        change = Change(action, SYSTEM, BUNDLE_CLOSED_NOTE, {"children": outcome})
        await apply(parent.id, change, calendar=calendar)
    return actions


def bundle_allowed(
    row: CaseRecord,
    actions: list[Action],
    *,
    parent: CaseRecord | None,
    children: list[CaseRecord],
) -> list[Action]:
    """The state machine's ``actions`` narrowed by the bundle rules (``states.bundle_actions``).

    ``parent``: the parent row of a child (None when it was not read); ``children``: a parent's.
    """
    if row.parent is not None:
        return states.bundle_actions(
            actions, child_of=status_of(parent) if parent is not None else None
        )
    if not is_parent(row):
        return actions
    return states.bundle_actions(
        actions,
        parent=status_of(row),
        any_child_accepted=any(c.status == Status.ACCEPTED.value for c in children),
    )
