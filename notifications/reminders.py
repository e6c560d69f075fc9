"""Daily reminders in the portal's bell: deadlines about to pass, results waiting for agents.

Run once a day at ``REMINDER_HOUR`` (Asia/Shanghai) by the worker's cron, or by hand with
``jiujinban notifications remind [--date]``. On a working day:

- one working day before a case's deadline (the deadline is the next working day by the
  workdays calendar) its township's window desk and the district's supervisors get a
  ``deadline_soon`` notice; on the deadline day itself, if the clock is still running (accepted
  or in review: not approved, denied or paused for a supplement), a ``deadline_today`` one;
- an agent holding up a result — sent to the township for them to pick up, or received and not
  yet handed to the citizen — gets a ``result_waiting`` notice, once per stage.

Every notice has a unique ``key`` (``deadline-soon:<case>:<deadline>`` …), so a cron that runs
twice, or on two workers at once, writes each notice once. Non-working days send nothing: no
deadline falls on one, and the warning for Monday's deadline went out on Friday.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

import structlog

from backend import db
from backend.cases.store import notices as cases
from backend.delegation.custody import FamilyOf, custody_by_case
from backend.identity.store import notices as people
from backend.workdays.calendar import WorkingCalendar
from backend.workdays.service import load_calendar
from notifications import store, texts

log = structlog.get_logger(__name__)

CLOCK_RUNNING: Final = ("accepted", "in_review")
"""Statuses whose statutory clock runs (``backend.cases.states.CLOCK_RUNNING``)."""


@dataclass
class Reminded:
    """What one run wrote (notices already written by an earlier run are not counted)."""

    day: date
    working_day: bool
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())


async def _notice(
    reminded: Reminded,
    *,
    key: str,
    kind: str,
    case_number: str,
    text: str,
    staff: str | None = None,
    township: str | None = None,
) -> None:
    written = await store.add_notice(
        key=key, kind=kind, text=text, staff=staff, township=township, case_number=case_number
    )
    if written:
        reminded.created[kind] = reminded.created.get(kind, 0) + 1


async def _deadlines(reminded: Reminded, *, deadline: date, kind: str, template: str) -> None:
    slug = kind.replace("_", "-")
    for case in await cases.due_on(deadline, list(CLOCK_RUNNING)):
        text = template.format(number=case.number, item=case.item, deadline=deadline.isoformat())
        key = f"{slug}:{case.number}:{deadline.isoformat()}"
        await _notice(
            reminded,
            key=key,
            kind=kind,
            case_number=case.number,
            text=text,
            township=case.township,
        )
        if case.district:  # the district's supervisors see notices kept under its code
            await _notice(
                reminded,
                key=f"{key}:supervisor",
                kind=kind,
                case_number=case.number,
                text=text,
                township=case.district,
            )


async def _results(reminded: Reminded) -> None:
    out = await cases.results_out()
    if not out:
        return
    custody = await custody_by_case([FamilyOf(r.case_id, r.parent_id) for r in out])
    names = await people.names(sorted({r.applicant_id for r in out}))
    for row in out:
        held = custody[row.case_id]
        stage = (
            "pick_up" if held.result_in_transit else "hand_over" if held.result_with_agent else None
        )
        if stage is None:
            continue
        await _notice(
            reminded,
            key=f"result-waiting:{row.number}:{stage}",
            kind="result_waiting",
            case_number=row.number,
            text=texts.RESULT_WAITING[stage].format(
                number=row.number, name=names.get(row.applicant_id) or "申请人"
            ),
            staff=row.filed_by_staff,
        )


async def remind(*, day: date, calendar: WorkingCalendar | None = None) -> Reminded:
    """Write the reminders of ``day`` (a Shanghai date), in one transaction; idempotent."""
    calendar = calendar or await load_calendar()
    reminded = Reminded(day, calendar.is_working_day(day))
    if not reminded.working_day:
        log.info("reminders_skipped", day=day.isoformat(), reason="not a working day")
        return reminded
    async with db.engine().transaction():
        await _deadlines(
            reminded,
            deadline=calendar.add_working_days(day, 1),
            kind="deadline_soon",
            template=texts.DEADLINE_SOON,
        )
        await _deadlines(
            reminded, deadline=day, kind="deadline_today", template=texts.DEADLINE_TODAY
        )
        await _results(reminded)
    log.info("reminders_written", day=day.isoformat(), **reminded.created)
    return reminded
