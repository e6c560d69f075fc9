"""一件事 at the window: the bundle is worked as one until acceptance, its items apart after.

Before acceptance the front desk works the parent case: accepting, rejecting, asking for a
supplement or handing it to another township moves every open child with it (a child may only be
rejected on its own). After acceptance each child goes to its own back office and closes on its
own; the parent closes when the last child does (:func:`settle_parent`), by the state machine's
own transitions (:func:`closing_actions`).
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend.cases.clock import Calendar
from backend.cases.states import BEFORE_ACCEPTANCE, CLOSED, Action, Status
from backend.cases.tables import Case
from backend.cases.transitions import SYSTEM, Change, apply

BUNDLE_CLOSED_NOTE: Final = "一件事所含事项均已办结"

log = structlog.get_logger(__name__)

_TO_DELIVERED = [Action.APPROVE, Action.ISSUE_RESULT, Action.DELIVER]


def is_parent(row: dict[str, Any]) -> bool:
    return bool(row["bundle_code"]) and row["parent"] is None


def before_acceptance(row: dict[str, Any]) -> bool:
    """Not accepted yet: submitted, queued, or awaiting a supplement asked before acceptance."""
    status = Status(row["status"])
    if status == Status.AWAITING_SUPPLEMENT:
        resume = row["resume_status"]
        return resume is not None and Status(resume) in BEFORE_ACCEPTANCE
    return status in BEFORE_ACCEPTANCE


def closing_actions(
    parent: Status, children: list[Status], *, resume_to: Status | None = None
) -> list[Action]:
    """The actions that close a bundle's parent once every child is closed (pure).

    - some child delivered: the bundle delivered a result → approve, issue result, deliver
      (as far as the parent still needs them);
    - otherwise, after acceptance: denied (nothing came out of it);
    - before acceptance: rejected if any child was rejected, withdrawn if all were withdrawn.

    An empty list means there is nothing to do (a child still open, the parent already closed),
    or the machine cannot move the parent from where it is (logged by the caller).
    """
    if parent in CLOSED or not children or any(c not in CLOSED for c in children):
        return []
    delivered = Status.DELIVERED in children
    waiting_before = parent == Status.AWAITING_SUPPLEMENT and resume_to in BEFORE_ACCEPTANCE
    if parent in BEFORE_ACCEPTANCE or waiting_before:
        if Status.REJECTED in children:
            return [Action.REJECT]
        if all(c == Status.WITHDRAWN for c in children):
            return [Action.WITHDRAW]
        return []
    if parent in (Status.ACCEPTED, Status.IN_REVIEW):
        return list(_TO_DELIVERED) if delivered else [Action.DENY]
    if parent == Status.APPROVED and delivered:
        return _TO_DELIVERED[1:]
    if parent == Status.RESULT_READY and delivered:
        return _TO_DELIVERED[2:]
    return []


async def children_of(parent_id: int, *, lock: bool = False) -> list[dict[str, Any]]:
    query = Case.select().where(Case.parent == parent_id).order_by(Case.number)
    return await (query.lock_rows() if lock else query).run()


async def settle_parent(child: dict[str, Any], *, calendar: Calendar) -> list[Action]:
    """Close the parent of ``child`` when every sibling is closed; in the caller's transaction.

    The caller holds the parent's row lock (actions lock the parent before a child), so two
    children closing at once cannot both miss the last step.
    """
    if child["parent"] is None:
        return []
    rows = await Case.select().where(Case.id == child["parent"]).lock_rows().run()
    if not rows:
        return []
    parent = rows[0]
    siblings = [Status(c["status"]) for c in await children_of(parent["id"])]
    resume = Status(parent["resume_status"]) if parent["resume_status"] else None
    actions = closing_actions(Status(parent["status"]), siblings, resume_to=resume)
    if (
        not actions
        and Status(parent["status"]) not in CLOSED
        and all(s in CLOSED for s in siblings)
    ):
        log.warning("bundle_parent_not_closable", number=parent["number"], status=parent["status"])
    outcome = {s.value: sum(1 for x in siblings if x == s) for s in set(siblings)}
    for action in actions:
        change = Change(action, SYSTEM, BUNDLE_CLOSED_NOTE, {"children": outcome})
        await apply(parent["id"], change, calendar=calendar)
    return actions


def bundle_allowed(
    row: dict[str, Any],
    actions: list[Action],
    *,
    parent: dict[str, Any] | None,
    children: list[dict[str, Any]],
) -> list[Action]:
    """The state machine's ``actions`` narrowed by the bundle rules the desk enforces.

    Before acceptance a bundle is worked whole, through its parent (a child may only be
    rejected alone); after acceptance supplements are asked per child, and the parent can be
    transferred only while it has accepted children left to send.
    """
    if row["parent"] is not None:
        if parent is not None and before_acceptance(parent):
            return [a for a in actions if a == Action.REJECT]
        return actions
    if not is_parent(row):
        return actions
    out = list(actions)
    if not before_acceptance(row):
        out = [a for a in out if a != Action.REQUEST_SUPPLEMENT]
    if not any(c["status"] == Status.ACCEPTED.value for c in children):
        out = [a for a in out if a != Action.TRANSFER]
    return out
