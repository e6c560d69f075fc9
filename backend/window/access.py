"""Who among the staff may see a case (object-level authorization, decided before any body).

- window staff: the cases of their own township (the case's ``township``, set when it was
  forwarded or handed off to it);
- approvers: cases transferred to their department (the case's ``department`` after a
  ``transfer`` event); an approver scoped to a township sees only that township's.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.cases.store import queue
from backend.cases.store.cases import CaseRecord
from backend.geo.store.window import area_level


@dataclass(frozen=True, slots=True)
class Clerk:
    """A staff member acting on cases: window clerk (窗口人员) or approver (后台审批)."""

    id: str
    role: str
    area_code: str
    department_code: str | None = None
    name: str | None = None


async def window_case(*, number: str, clerk: Clerk) -> CaseRecord | None:
    row = await queue.case_row(number=number)
    if row is None or row.township is None or row.township != clerk.area_code:
        return None
    return row


async def approver_township(clerk: Clerk) -> str | None:
    """The township an approver is limited to, or None for a district-level approver."""
    return clerk.area_code if await area_level(clerk.area_code) == "township" else None


async def review_case(*, number: str, clerk: Clerk) -> CaseRecord | None:
    row = await queue.case_row(number=number)
    if row is None or clerk.department_code is None or row.department != clerk.department_code:
        return None
    township = await approver_township(clerk)
    if township is not None and row.township != township:
        return None
    return row if await queue.was_transferred(row.id) else None
