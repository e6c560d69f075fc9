"""Back-office actions (后台审批): approve, deny, ask for a supplement (the clock pauses).

Like the front desk's, each runs in the caller's ``unit_of_work``, locks the case, refuses a
move the status does not allow with 409 before writing anything, and goes through
``cases.transitions.apply``. A denied bundle child may close its bundle.
"""

from __future__ import annotations

from backend.cases import actions as cases
from backend.cases import bundles
from backend.cases.clock import Calendar
from backend.cases.states import Action
from backend.cases.transitions import Change, apply
from backend.window.access import Clerk
from backend.window.steps import allowed, back_office, lock, refresh_parent_deadline, required_text


async def approve(*, number: str, clerk: Clerk, calendar: Calendar, note: str) -> None:
    row = await lock(number)
    allowed(row, Action.APPROVE)
    text = note.strip()
    await apply(
        row.id,
        Change(Action.APPROVE, back_office(clerk), text, {"note": text}),
        calendar=calendar,
    )
    await refresh_parent_deadline(row)


async def deny(*, number: str, clerk: Clerk, calendar: Calendar, reason: str) -> None:
    text = required_text(reason, field="reason", label="审批不通过的理由")
    row = await lock(number)
    allowed(row, Action.DENY)
    await apply(
        row.id,
        Change(Action.DENY, back_office(clerk), text, {"reason": text}),
        calendar=calendar,
    )
    await bundles.settle_parent(row, calendar=calendar)
    await refresh_parent_deadline(row)


async def supplement(
    *, number: str, clerk: Clerk, calendar: Calendar, missing: list[str], note: str
) -> None:
    row = await lock(number)
    allowed(row, Action.REQUEST_SUPPLEMENT)
    await cases.request_supplement(
        row=row, missing=missing, note=note, actor=back_office(clerk), calendar=calendar
    )
    await refresh_parent_deadline(row)
