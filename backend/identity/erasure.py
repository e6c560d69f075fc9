"""Carrying out an approved deletion request (PIPL art. 47): ``erase_person``.

Each context owns the rule for its own data and registers one *eraser* (like the takeover's
mergers): the cases context says which case files the law keeps (every case that reached the
state machine, for ``RETENTION_CASE_YEARS``) and restricts them; uploads, notifications and
delegation delete what they hold of the person except what a kept file needs; identity runs
last: the WeChat session, accounts and binding, the phone and the consent go, and the citizen row is
deleted — or, when kept files name the person as their applicant, kept with only what those
files need and marked restricted (no login, no lookup by number, never listed).

Everything runs in one transaction with an audit entry that names the request, not the data.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend import clock, db
from backend.audit.service import Actor, AuditLog

# The erasers' contract lives outside identity (the contexts import it); re-exported here.
from backend.erasure import CasesOf as CasesOf
from backend.erasure import Eraser as Eraser
from backend.erasure import KeptCase as KeptCase
from backend.erasure import Person as Person
from backend.identity import sessions
from backend.identity.events import ERASE_EVENT as ERASE_EVENT
from backend.identity.store import accounts, citizens, deletion_requests

log = structlog.get_logger(__name__)

ERASED_ACTION: Final = "privacy_erased"


_ERASERS: list[Eraser] = []
_CASES_OF: list[CasesOf] = []


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _ERASERS:
        _ERASERS.append(eraser)


def register_case_keeper(cases_of: CasesOf) -> None:
    """The cases context: every case file of a citizen the law keeps."""
    _CASES_OF[:] = [cases_of]


async def kept_cases(citizen_id: str) -> list[KeptCase]:
    return await _CASES_OF[0](citizen_id) if _CASES_OF else []


async def erase_person(*, request_id: str, audit: AuditLog) -> dict[str, Any] | None:
    """Carry out the approved request ``request_id``; None when there is nothing (left) to do.

    Idempotent: a rerun finds the request ``completed`` and does nothing.
    """
    async with db.engine().transaction():
        locked = await deletion_requests.lock_approved(request_id=request_id)
        if locked is None:
            return None
        citizen_id = locked.citizen_id
        kept: tuple[KeptCase, ...] = ()
        if citizen_id is not None:
            kept = tuple(await kept_cases(citizen_id))
            person = Person(citizen_id, kept)
            for eraser in _ERASERS:
                await eraser(person)
            await _erase_identity(person)
        now = clock.now_utc()
        await deletion_requests.mark_completed(request_id=request_id, at=now)
        await audit.record(
            actor=Actor("system", "erasure"),
            action=ERASED_ACTION,
            subject_kind="deletion_request",
            subject_id=request_id,
            reason=f"删除申请已执行；依法保存的办件 {len(kept)} 件已限制处理",
        )
    log.info("person_erased", request_id=request_id, kept_cases=len(kept))
    return {"request_id": request_id, "kept_cases": len(kept)}


async def _erase_identity(person: Person) -> None:
    """Identity's own step, last: the account goes; a kept applicant record is restricted."""
    citizen_id = person.citizen_id
    await sessions.revoke_all(kind="citizen", account_id=citizen_id)  # tokens die at commit
    await citizens.delete_session(citizen_id=citizen_id)
    await accounts.delete_all(citizen_id=citizen_id)  # the row's own delete would cascade too
    await deletion_requests.forget_citizen(citizen_id=citizen_id)
    if not person.kept:
        await citizens.delete(citizen_id=citizen_id)
        return
    await citizens.restrict(citizen_id=citizen_id, at=clock.now_utc())
