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
from typing import Any, Final

import structlog

from backend import db
from backend.delegation.custody import custody_by_case
from backend.workdays.calendar import WorkingCalendar
from backend.workdays.service import load_calendar
from notifications import texts
from notifications.tables import StaffNotice

log = structlog.get_logger(__name__)

CLOCK_RUNNING: Final = ("accepted", "in_review")
"""Statuses whose statutory clock runs (``backend.cases.states.CLOCK_RUNNING``)."""

_DUE = (
    "SELECT c.number, c.township, t.parent AS district, c.deadline,"
    " COALESCE(i.name, c.item_code, '') AS item"
    " FROM case_record c JOIN area t ON t.code = c.township"
    " LEFT JOIN item_version i ON i.id = c.item_version"
    " WHERE c.deadline = {} AND c.closed_at IS NULL AND c.status = ANY({})"
    " AND NOT EXISTS (SELECT 1 FROM case_record k WHERE k.parent = c.id)"
    " ORDER BY c.number"
)
# Cases an agent filed whose result went out to the village and is not yet with the citizen.
_RESULTS_OUT = (
    "SELECT DISTINCT c.* FROM case_record c"
    " JOIN handover_line l ON l.case = c.id JOIN handover h ON h.id = l.handover"
    " WHERE c.filed_by_staff IS NOT NULL AND h.direction = 'to_village'"
    " AND 'result' = ANY(l.items)"
    " AND NOT EXISTS (SELECT 1 FROM citizen_handover x WHERE x.case = c.id)"
)
_INSERT = (
    "INSERT INTO staff_notice (key, staff, township, kind, case_number, text, created_at)"
    " VALUES ({}, {}::uuid, {}, {}, {}, {}, now()) ON CONFLICT (key) DO NOTHING RETURNING id"
)


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
    rows = await StaffNotice.raw(_INSERT, key, staff, township, kind, case_number, text).run()
    if rows:
        reminded.created[kind] = reminded.created.get(kind, 0) + 1


async def _deadlines(reminded: Reminded, *, deadline: date, kind: str, template: str) -> None:
    slug = kind.replace("_", "-")
    for case in await StaffNotice.raw(_DUE, deadline, list(CLOCK_RUNNING)).run():
        text = template.format(
            number=case["number"], item=case["item"], deadline=deadline.isoformat()
        )
        key = f"{slug}:{case['number']}:{deadline.isoformat()}"
        await _notice(
            reminded,
            key=key,
            kind=kind,
            case_number=case["number"],
            text=text,
            township=case["township"],
        )
        if case["district"]:  # the district's supervisors see notices kept under its code
            await _notice(
                reminded,
                key=f"{key}:supervisor",
                kind=kind,
                case_number=case["number"],
                text=text,
                township=case["district"],
            )


async def _results(reminded: Reminded) -> None:
    rows: list[dict[str, Any]] = [dict(r) for r in await StaffNotice.raw(_RESULTS_OUT).run()]
    if not rows:
        return
    custody = await custody_by_case(rows)
    names = {
        str(r["id"]): r["name"] or "申请人"
        for r in await StaffNotice.raw(
            "SELECT id, name FROM citizen WHERE id = ANY({}::uuid[])",
            sorted({str(r["applicant"]) for r in rows}),
        ).run()
    }
    for row in rows:
        held = custody[row["id"]]
        stage = (
            "pick_up" if held.result_in_transit else "hand_over" if held.result_with_agent else None
        )
        if stage is None:
            continue
        await _notice(
            reminded,
            key=f"result-waiting:{row['number']}:{stage}",
            kind="result_waiting",
            case_number=row["number"],
            text=texts.RESULT_WAITING[stage].format(
                number=row["number"], name=names.get(str(row["applicant"]), "申请人")
            ),
            staff=str(row["filed_by_staff"]),
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
