"""The cases context's part of a deletion (``identity.erasure``), and the life of a restricted
case file.

Every case that reached the state machine is a government record kept for
``RETENTION_CASE_YEARS`` after it closed (PIPL art. 47: where a law requires keeping, stop
every use but storage and security). Such a file is *restricted* when its applicant's deletion
is carried out: it stays intact, never appears in a list (``store.cases.by_number`` and the
list queries skip it), and opens only through ``open_restricted`` — an administrator's action
with a reason, written to the audit chain. ``purge_expired`` deletes the files whose retention
ran out, and the applicant record once no file names it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import structlog

from backend import clock, db
from backend.audit.service import Actor, AuditLog
from backend.cases.present import for_citizen
from backend.cases.schemas import CaseForCitizen
from backend.cases.states import CLOSED, Status
from backend.cases.store import cases as case_store
from backend.cases.store import erase as erase_store
from backend.cases.store.cases import CaseRecord
from backend.cases.views import view
from backend.erasure import KeptCase, Person
from backend.errors import InvalidInput, NotFound
from backend.workdays.service import load_calendar

log = structlog.get_logger(__name__)

OPEN_RESTRICTED: Final = "open_restricted_case"
PURGED: Final = "purge_restricted_case"
NOT_FOUND: Final = "找不到该受限办件。"
REASON_REQUIRED: Final = "查看受限办件须说明理由。"


async def cases_of(citizen_id: str) -> list[KeptCase]:
    """Every case file naming the citizen as applicant: all are kept (closed or not)."""
    return [
        KeptCase(f.id, f.number, f.mandate_id, Status(f.status) in CLOSED)
        for f in await erase_store.files_of(citizen_id)
    ]


async def erase_person(person: Person) -> None:
    await erase_store.restrict_files_of(person.citizen_id)


async def open_restricted(
    *, number: str, reason: str, staff_id: str, audit: AuditLog
) -> CaseForCitizen:
    """The restricted file, for an administrator who says why; the reading is audited."""
    clean = reason.strip()
    if not clean:
        raise InvalidInput(REASON_REQUIRED, code="reason_required")
    async with db.engine().transaction():
        found = await case_store.restricted_by_number(number[:24])
        if found is None:
            raise NotFound(NOT_FOUND, code="case_not_found")
        row: CaseRecord = found
        await audit.record(
            actor=Actor("staff", staff_id),
            action=OPEN_RESTRICTED,
            subject_kind="case",
            subject_id=row.number,
            reason=clean[:500],
        )
    return for_citizen(await view(row=row, calendar=await load_calendar()))


async def purge_expired(*, retention_years: int, audit: AuditLog) -> int:
    """Delete restricted files closed more than ``retention_years`` ago (children with their
    bundle), with everything recorded about them; then applicant records no file names."""
    cutoff = clock.now_utc() - timedelta(days=round(365.25 * retention_years))
    async with db.engine().transaction():
        roots = await erase_store.lock_expired(cutoff)
        if not roots:
            return 0
        numbers = [r.number for r in roots]
        await erase_store.purge([r.id for r in roots])
        for number in numbers:
            await audit.record(
                actor=Actor("system", "retention"),
                action=PURGED,
                subject_kind="case",
                subject_id=number,
                reason=f"保存期限（{retention_years} 年）届满，受限办件已删除",
            )
    log.info("restricted_cases_purged", count=len(numbers))
    return len(numbers)
