"""Small steps every staff action shares: lock the case, check the move, keep the copies right."""

from __future__ import annotations

from typing import Any, Final

from backend.cases import service as cases
from backend.cases.states import Action, NotAllowed, Status, decide
from backend.cases.store import queue
from backend.cases.tables import Case
from backend.cases.transitions import Actor
from backend.errors import InvalidInput, InvalidTransition
from backend.window.access import Clerk

IN_PERSON: Final[dict[str, Any]] = {"in_person": True}
"""Event data of a step the applicant came to a window for: each is one trip (跑一次)."""


def front_desk(clerk: Clerk) -> Actor:
    return Actor("staff", clerk.id, clerk.role, channel="window")


def back_office(clerk: Clerk) -> Actor:
    return Actor("staff", clerk.id, clerk.role, channel="backoffice")


async def lock(number: str) -> dict[str, Any]:
    """The case row, locked, fresh — its parent locked first (always parent before child, so
    a bundle action and a child's action never wait on each other in opposite orders).

    The one place the window locks a case it acts on (``backend.cases.store.queue.lock``)."""
    row = await queue.lock(number=number)
    if row is None:
        raise cases.not_found()
    return row


def allowed(row: dict[str, Any], action: Action) -> None:
    """409 ``transition_not_allowed`` now, before anything else is looked at or written."""
    resume = Status(row["resume_status"]) if row["resume_status"] else None
    try:
        decide(Status(row["status"]), action, resume_to=resume)
    except NotAllowed as exc:
        raise InvalidTransition(exc.reason) from exc


def required_text(value: str, *, field: str, label: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"请填写{label}。", code=f"{field}_required")
    return text


async def refresh_parent_deadline(row: dict[str, Any]) -> None:
    """A bundle's parent sorts by its latest child deadline (the copy kept for queues only)."""
    parent_id = row["parent"] or (row["id"] if row["bundle_code"] else None)
    if parent_id is None:
        return
    await Case.raw(
        "UPDATE case_record SET deadline = (SELECT max(deadline) FROM case_record"
        " WHERE parent = {}) WHERE id = {}",
        parent_id,
        parent_id,
    ).run()
