"""Small steps every staff action shares: lock the case, check the move, keep the copies right."""

from __future__ import annotations

from typing import Any, Final

from backend.cases import filing as cases
from backend.cases import views as case_views
from backend.cases.states import Action
from backend.cases.store.cases import CaseRecord
from backend.cases.store.locks import lock_family
from backend.cases.transitions import Actor, ensure_allowed, refresh_bundle_deadline
from backend.errors import InvalidInput
from backend.window.access import Clerk

IN_PERSON: Final[dict[str, Any]] = {"in_person": True}
"""Event data of a step the applicant came to a window for: each is one trip (跑一次)."""


def front_desk(clerk: Clerk) -> Actor:
    return Actor("staff", clerk.id, clerk.role, channel="window")


def back_office(clerk: Clerk) -> Actor:
    return Actor("staff", clerk.id, clerk.role, channel="backoffice")


async def lock(number: str) -> CaseRecord:
    """The case row, locked, fresh — its parent locked first (always parent before child, so
    a bundle action and a child's action never wait on each other in opposite orders).

    The one place the window locks a case it acts on (``backend.cases.store.locks.lock_family``)."""
    row = await case_views.case_row(number=number)
    if row is None:
        raise cases.not_found()
    family = await lock_family(row.id)
    if family is None:
        raise cases.not_found()
    return family.case


def allowed(row: CaseRecord, action: Action) -> None:
    """409 ``transition_not_allowed`` now, before anything else is looked at or written."""
    ensure_allowed(row, action)


def required_text(value: str, *, field: str, label: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"请填写{label}。", code=f"{field}_required")
    return text


async def refresh_parent_deadline(row: CaseRecord) -> None:
    """A bundle's parent sorts by its latest child deadline (the copy kept for queues only)."""
    await refresh_bundle_deadline(row)
