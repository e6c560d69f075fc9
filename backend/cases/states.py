"""The case state machine (standard library only): every status change is decided here.

A case moves through the statuses of API.md by *actions*. Supplements (补正) can be asked before
acceptance (no clock yet) or after it (the clock pauses); either way the case waits in
``awaiting_supplement`` and returns to the status it came from when the materials arrive.
Withdrawal is possible only before acceptance. Later issues add actors, not statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

ClockKind = Literal["receive", "ask", "accept", "pause", "resume", "close"]


class Status(StrEnum):
    SUBMITTED = "submitted"
    QUEUED = "queued"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    DENIED = "denied"
    REJECTED = "rejected"
    RESULT_READY = "result_ready"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    SUBMIT = "submit"
    FORWARD = "forward"  # the system puts it in its township's queue
    HANDOFF = "handoff"  # a district-wide case moves to another township's queue
    ACCEPT = "accept"  # 受理: starts the clock
    REJECT = "reject"  # 不予受理
    REQUEST_SUPPLEMENT = "request_supplement"  # 补正
    SUPPLY = "supply"  # the citizen or agent answers the supplement request
    TRANSFER = "transfer"  # to a back office for approval
    APPROVE = "approve"
    DENY = "deny"
    ISSUE_RESULT = "issue_result"  # 出件
    DELIVER = "deliver"
    WITHDRAW = "withdraw"


CLOSED: Final = frozenset({Status.DENIED, Status.REJECTED, Status.DELIVERED, Status.WITHDRAWN})
BEFORE_ACCEPTANCE: Final = frozenset({Status.SUBMITTED, Status.QUEUED})
CLOCK_RUNNING: Final = frozenset({Status.ACCEPTED, Status.IN_REVIEW})

_MOVES: Final[dict[Action, tuple[frozenset[Status], Status | None]]] = {
    # action: (from which statuses, to which status; None = back where the supplement came from)
    Action.FORWARD: (frozenset({Status.SUBMITTED}), Status.QUEUED),
    Action.HANDOFF: (frozenset({Status.QUEUED}), Status.QUEUED),
    Action.ACCEPT: (frozenset({Status.QUEUED}), Status.ACCEPTED),
    Action.REJECT: (
        frozenset({Status.SUBMITTED, Status.QUEUED, Status.AWAITING_SUPPLEMENT}),
        Status.REJECTED,
    ),
    Action.REQUEST_SUPPLEMENT: (
        frozenset({Status.SUBMITTED, Status.QUEUED, Status.ACCEPTED, Status.IN_REVIEW}),
        Status.AWAITING_SUPPLEMENT,
    ),
    Action.SUPPLY: (frozenset({Status.AWAITING_SUPPLEMENT}), None),
    Action.TRANSFER: (frozenset({Status.ACCEPTED}), Status.IN_REVIEW),
    Action.APPROVE: (frozenset({Status.ACCEPTED, Status.IN_REVIEW}), Status.APPROVED),
    Action.DENY: (frozenset({Status.ACCEPTED, Status.IN_REVIEW}), Status.DENIED),
    Action.ISSUE_RESULT: (frozenset({Status.APPROVED}), Status.RESULT_READY),
    Action.DELIVER: (frozenset({Status.RESULT_READY}), Status.DELIVERED),
    Action.WITHDRAW: (
        frozenset({Status.SUBMITTED, Status.QUEUED, Status.AWAITING_SUPPLEMENT}),
        Status.WITHDRAWN,
    ),
}


@dataclass(frozen=True, slots=True)
class Move:
    """The outcome of an allowed action."""

    to: Status
    resume_to: Status | None  # where a supplement returns (kept while awaiting_supplement)
    starts_clock: bool
    pauses_clock: bool
    resumes_clock: bool
    closes: bool

    @property
    def moves_deadline(self) -> bool:
        """The deadline is set (acceptance), paused, moved on (resumed) or ended by this move:
        the copy kept on the case is recomputed from the events."""
        return self.starts_clock or self.pauses_clock or self.resumes_clock or self.closes


class NotAllowed(Exception):
    """The action is not possible from the case's status; ``reason`` is Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


STATUS_LABELS: Final[dict[Status, str]] = {
    Status.SUBMITTED: "已提交",
    Status.QUEUED: "待受理",
    Status.AWAITING_SUPPLEMENT: "待补正",
    Status.ACCEPTED: "已受理",
    Status.IN_REVIEW: "审批中",
    Status.APPROVED: "已审批通过",
    Status.DENIED: "审批未通过",
    Status.REJECTED: "不予受理",
    Status.RESULT_READY: "已出件",
    Status.DELIVERED: "已送达",
    Status.WITHDRAWN: "已撤回",
}


def decide(status: Status, action: Action, *, resume_to: Status | None = None) -> Move:
    """The move ``action`` makes from ``status``; raises NotAllowed with a Chinese reason.

    ``resume_to`` is the status a case awaiting a supplement came from (needed for SUPPLY and
    for WITHDRAW, which is refused once the case had been accepted).
    """
    sources, target = _MOVES[action]
    if status not in sources:
        raise NotAllowed(f"办件当前为“{STATUS_LABELS[status]}”，不能{_ACTION_LABELS[action]}。")
    accepted_before = resume_to not in BEFORE_ACCEPTANCE
    if (
        status == Status.AWAITING_SUPPLEMENT
        and action in (Action.WITHDRAW, Action.REJECT)
        and accepted_before
    ):
        raise NotAllowed(f"办件已受理，不能{_ACTION_LABELS[action]}。")
    if action == Action.SUPPLY:
        if resume_to is None:
            raise NotAllowed("找不到补正前的状态。")
        return Move(resume_to, None, False, False, resume_to in CLOCK_RUNNING, False)
    assert target is not None
    keep = status if action == Action.REQUEST_SUPPLEMENT else None
    return Move(
        to=target,
        resume_to=keep,
        starts_clock=action == Action.ACCEPT,
        pauses_clock=action == Action.REQUEST_SUPPLEMENT and status in CLOCK_RUNNING,
        resumes_clock=False,
        closes=target in CLOSED,
    )


def can(status: Status, action: Action, *, resume_to: Status | None = None) -> bool:
    """Whether ``action`` is possible from ``status`` (for rules that answer in their own words)."""
    try:
        decide(status, action, resume_to=resume_to)
    except NotAllowed:
        return False
    return True


def before_acceptance(status: Status, resume_to: Status | None = None) -> bool:
    """Not accepted yet: submitted, queued, or awaiting a supplement asked before acceptance."""
    if status == Status.AWAITING_SUPPLEMENT:
        return resume_to is not None and resume_to in BEFORE_ACCEPTANCE
    return status in BEFORE_ACCEPTANCE


def clock_kind(action: str, source: str | None, target: str) -> ClockKind | None:
    """What a timeline step means to the statutory clock: acceptance sets the deadline, a
    supplement asked while it runs pauses it, the answer moves it on, a decision ends it. The
    receipt and a supplement asked before acceptance matter to the five-day rule
    (``clock.late_supplement``)."""
    if action == Action.SUBMIT:
        return "receive"
    if action == Action.REQUEST_SUPPLEMENT and source in BEFORE_ACCEPTANCE:
        return "ask"
    if action == Action.ACCEPT:
        return "accept"
    if action == Action.REQUEST_SUPPLEMENT and source in CLOCK_RUNNING:
        return "pause"
    if action == Action.SUPPLY and (target in CLOCK_RUNNING or target in BEFORE_ACCEPTANCE):
        return "resume"  # before acceptance it matters only after a late supplement request
    if action in (Action.APPROVE, Action.DENY, Action.WITHDRAW, Action.REJECT):
        return "close"
    return None


# --- 即办件: finished at the window --------------------------------------------------------

_ON_THE_SPOT: Final = (Action.ACCEPT, Action.APPROVE, Action.ISSUE_RESULT)


def on_the_spot_steps(status: Status) -> list[Action]:
    """即办办结: the moves that take an item with no committed days (即办件) from ``status`` to
    its result issued at the window — accept if still queued, then approve and issue — each an
    ordinary move of this machine, so the timeline and the clock read as for any case.
    Raises NotAllowed from any other status."""
    if status == Status.QUEUED:
        return list(_ON_THE_SPOT)
    if status == Status.ACCEPTED:
        return list(_ON_THE_SPOT[1:])
    raise NotAllowed(f"办件当前为“{STATUS_LABELS[status]}”，不能即办办结。")


# --- bundles (一件事) ---------------------------------------------------------------------------

_TO_DELIVERED: Final = (Action.APPROVE, Action.ISSUE_RESULT, Action.DELIVER)


def closing_actions(
    parent: Status, children: list[Status], *, resume_to: Status | None = None
) -> list[Action]:
    """The actions that close a bundle's parent once every child is closed.

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
    if before_acceptance(parent, resume_to):
        if Status.REJECTED in children:
            return [Action.REJECT]
        if all(c == Status.WITHDRAWN for c in children):
            return [Action.WITHDRAW]
        return []
    if parent in (Status.ACCEPTED, Status.IN_REVIEW):
        return list(_TO_DELIVERED) if delivered else [Action.DENY]
    if parent == Status.APPROVED and delivered:
        return list(_TO_DELIVERED[1:])
    if parent == Status.RESULT_READY and delivered:
        return list(_TO_DELIVERED[2:])
    return []


def bundle_withdrawable(children: list[Status]) -> bool:
    """A bundle is withdrawn whole only while none of its items was accepted."""
    return all(
        c in BEFORE_ACCEPTANCE or c == Status.AWAITING_SUPPLEMENT or c in CLOSED for c in children
    )


def bundle_actions(
    actions: list[Action],
    *,
    child_of: tuple[Status, Status | None] | None = None,
    parent: tuple[Status, Status | None] | None = None,
    any_child_accepted: bool = False,
) -> list[Action]:
    """The machine's ``actions`` narrowed by the bundle rules the desk enforces.

    ``child_of``: for a bundle's child, its parent's (status, resume_to); ``parent``: for a
    bundle's parent, its own (status, resume_to). Before acceptance a bundle is worked whole,
    through its parent (a child may only be rejected alone); after acceptance supplements are
    asked per child, and the parent can be transferred only while it has accepted children
    left to send.
    """
    if child_of is not None:
        if before_acceptance(*child_of):
            return [a for a in actions if a == Action.REJECT]
        return actions
    if parent is None:
        return actions
    out = list(actions)
    if not before_acceptance(*parent):
        out = [a for a in out if a != Action.REQUEST_SUPPLEMENT]
    if not any_child_accepted:
        out = [a for a in out if a != Action.TRANSFER]
    return out


# --- who hears of what ------------------------------------------------------------------------

CITIZEN_HEARS: Final[dict[Action, str]] = {
    Action.SUBMIT: "case.received",
    Action.ACCEPT: "case.accepted",
    Action.REQUEST_SUPPLEMENT: "case.supplement",
    Action.ISSUE_RESULT: "case.result_ready",
    Action.REJECT: "case.rejected",
    Action.DENY: "case.rejected",
    Action.DELIVER: "case.delivered",
}
"""The steps a citizen is told of, and the message each means (the one list: the outbox rows
of ``backend.cases.transitions`` and the planner of ``notifications`` both read it)."""

ISSUES_NOTICE: Final = frozenset(
    {Action.ACCEPT, Action.REJECT, Action.REQUEST_SUPPLEMENT, Action.DENY, Action.DELIVER}
)
"""The steps that issue a formal written notice (``case.notice``; docs/notices.md)."""


def public_status(status: Status) -> Literal["open", "closed"]:
    return "closed" if status in CLOSED else "open"


def allowed_actions(status: Status, *, resume_to: Status | None = None) -> list[Action]:
    """Every action possible from ``status`` (for screens that offer buttons)."""
    out = []
    for action in _MOVES:
        try:
            decide(status, action, resume_to=resume_to)
        except NotAllowed:
            continue
        out.append(action)
    return out


_ACTION_LABELS: Final[dict[Action, str]] = {
    Action.SUBMIT: "提交",
    Action.FORWARD: "转入受理队列",
    Action.HANDOFF: "转交其他镇街",
    Action.ACCEPT: "受理",
    Action.REJECT: "不予受理",
    Action.REQUEST_SUPPLEMENT: "要求补正",
    Action.SUPPLY: "提交补正材料",
    Action.TRANSFER: "转后台审批",
    Action.APPROVE: "审批通过",
    Action.DENY: "审批不通过",
    Action.ISSUE_RESULT: "出件",
    Action.DELIVER: "送达",
    Action.WITHDRAW: "撤回",
}
