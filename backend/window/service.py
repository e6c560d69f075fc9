"""Entry points of the window routes that are not state changes: views, claims, links.

Each is one call for a thin handler; the ones that write run in the caller's ``unit_of_work``.
"""

from __future__ import annotations

from typing import Any

from backend.audit.service import Actor as AuditActor
from backend.audit.service import AuditLog
from backend.cases import formreveal
from backend.cases import service as cases
from backend.cases import views as case_views
from backend.settings import Settings
from backend.window import claims, present
from backend.window.access import Clerk
from backend.window.schemas import CaseForStaff
from backend.workdays.service import load_calendar


async def row_of(number: str) -> dict[str, Any]:
    row = await case_views.case_row(number=number)
    if row is None:
        raise cases.not_found()
    return row


async def staff_view(*, number: str, clerk: Clerk) -> CaseForStaff:
    calendar = await load_calendar()
    return await present.for_staff(row=await row_of(number), calendar=calendar, viewer_id=clerk.id)


async def look(*, number: str, clerk: Clerk, lapse_s: int) -> CaseForStaff:
    """The staff view; looking at a case you hold keeps your claim alive."""
    row = await row_of(number)
    await claims.touch(row["parent"] or row["id"], staff_id=clerk.id, lapse_s=lapse_s)
    return await staff_view(number=number, clerk=clerk)


async def release(*, number: str, clerk: Clerk) -> None:
    await claims.release((await row_of(number))["id"], staff_id=clerk.id)


async def material_link(
    *, number: str, upload_id: str, clerk: Clerk, audit: AuditLog, settings: Settings, lapse_s: int
) -> str:
    """A signed link to one of the case's materials; the read is audited as for the applicant."""
    row = await row_of(number)
    reader = AuditActor("staff", clerk.id, on_behalf_of=str(row["applicant"]))
    url = await cases.material_link(
        row=row, upload_id=upload_id, reader=reader, audit=audit, settings=settings
    )
    await claims.touch(row["parent"] or row["id"], staff_id=clerk.id, lapse_s=lapse_s)
    return url


async def reveal_form_value(
    *, number: str, field: str, clerk: Clerk, reason: str, audit: AuditLog | None = None
) -> str:
    """查看完整号码: one masked form value in full, audited (who, case and field, why)."""
    row = await row_of(number)
    reader = AuditActor("staff", clerk.id, on_behalf_of=str(row["applicant"]))
    return await formreveal.reveal_value(
        row=row, field=field, reader=reader, reason=reason, audit=audit
    )
