"""Reading one case as staff, and the audited reads on it both desks share."""

from __future__ import annotations

from backend.audit.service import Actor as AuditActor
from backend.audit.service import AuditLog
from backend.cases import actions as case_actions
from backend.cases import filing as cases
from backend.cases import formreveal
from backend.cases.store import queue
from backend.cases.store.cases import CaseRecord
from backend.outbox.service import Doorbell, unit_of_work
from backend.settings import Settings
from backend.window import claims, present
from backend.window.access import Clerk
from backend.window.schemas import CaseForStaff
from backend.workdays.service import load_calendar


async def row_of(number: str) -> CaseRecord:
    row = await queue.case_row(number=number)
    if row is None:
        raise cases.not_found()
    return row


async def staff_view(*, number: str, clerk: Clerk) -> CaseForStaff:
    calendar = await load_calendar()
    return await present.for_staff(row=await row_of(number), calendar=calendar, viewer_id=clerk.id)


async def look(*, number: str, clerk: Clerk, lapse_s: int) -> CaseForStaff:
    """The staff view; looking at a case you hold keeps your claim alive."""
    row = await row_of(number)
    await claims.touch(row.parent or row.id, staff_id=clerk.id, lapse_s=lapse_s)
    return await staff_view(number=number, clerk=clerk)


async def material_link(
    *,
    number: str,
    upload_id: str,
    clerk: Clerk,
    doorbell: Doorbell | None,
    audit: AuditLog,
    settings: Settings,
    lapse_s: int,
) -> str:
    """A signed link to one of the case's materials; the read is audited as for the applicant."""
    async with unit_of_work(doorbell):
        row = await row_of(number)
        reader = AuditActor("staff", clerk.id, on_behalf_of=str(row.applicant))
        url = await case_actions.material_link(
            row=row, upload_id=upload_id, reader=reader, audit=audit, settings=settings
        )
        await claims.touch(row.parent or row.id, staff_id=clerk.id, lapse_s=lapse_s)
    return url


async def reveal(
    *,
    number: str,
    field: str,
    clerk: Clerk,
    reason: str,
    doorbell: Doorbell | None,
    audit: AuditLog | None,
) -> str:
    """查看完整号码 (window and back office): one masked form value in full, audited (who, case
    and field, why)."""
    async with unit_of_work(doorbell):
        row = await row_of(number)
        reader = AuditActor("staff", clerk.id, on_behalf_of=str(row.applicant))
        return await formreveal.reveal_value(
            row=row, field=field, reader=reader, reason=reason, audit=audit
        )
