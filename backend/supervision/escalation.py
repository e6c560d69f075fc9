"""督办: an overdue case is raised to its township's supervisors, later to the district's.

Run daily by the worker's cron (``escalate_overdue``) with the day passed in, so tests and the
command line choose "today". A case ``ESCALATE_TOWNSHIP_AFTER_DAYS`` working days past its
deadline gets a ``township`` escalation, one ``ESCALATE_DISTRICT_AFTER_DAYS`` past it a
``district`` one. The unique (case, level) row is the arbiter: a second run, or a run on another
worker at the same moment, inserts nothing and publishes nothing. Each new row publishes a
``supervision.escalated`` outbox event in the same transaction; the notifications package turns
it into bell notices for the supervisors (backend never writes the portal's notices itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from backend.cases import clock
from backend.outbox.service import publish
from backend.supervision import overdue, texts
from backend.supervision.tables import Escalation

ESCALATED_EVENT: Final = "supervision.escalated"
TOWNSHIP: Final = "township"
DISTRICT: Final = "district"

_INSERT = (
    'INSERT INTO escalation ("case", level, area, at, on_day, deadline, days_overdue, reason)'
    " VALUES ({}, {}, {}, now(), {}, {}, {}, {})"
    ' ON CONFLICT ("case", level) DO NOTHING RETURNING id'
)


@dataclass
class Escalated:
    """What one run wrote (escalations made by an earlier run are not counted)."""

    day: date
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())


async def escalate(
    *, today: date, calendar: clock.Calendar, township_after: int, district_after: int
) -> Escalated:
    """Escalate every overdue case that has reached a level; in the caller's unit of work."""
    done = Escalated(today)
    for case in await overdue.find(today=today, calendar=calendar, soon_days=0, overdue_only=True):
        for level, after, area in (
            (TOWNSHIP, township_after, case.township),
            (DISTRICT, district_after, case.district),
        ):
            if area is None or case.days_overdue < after or level in case.escalated:
                continue
            reason = texts.ESCALATION_REASON.format(
                number=case.number,
                item=case.item,
                days=case.days_overdue,
                deadline=case.deadline.isoformat(),
                level=texts.LEVELS[level],
            )
            rows = await Escalation.raw(
                _INSERT,
                case.case_id,
                level,
                area,
                today,
                case.deadline,
                case.days_overdue,
                reason,
            ).run()
            if not rows:
                continue
            done.created[level] = done.created.get(level, 0) + 1
            await publish(
                kind=ESCALATED_EVENT,
                payload={
                    "escalation_id": int(rows[0]["id"]),
                    "case_number": case.number,
                    "level": level,
                    "area": area,
                    "text": reason,
                },
                dedup_key=f"escalated:{case.number}:{level}",
            )
    return done


_LIST = (
    "SELECT e.id, e.level, e.area, e.at, e.on_day, e.deadline, e.days_overdue, e.reason,"
    " c.number, c.status, c.township, count(*) OVER () AS total"
    ' FROM escalation e JOIN case_record c ON c.id = e."case"'
    " WHERE ({}::text IS NULL OR c.township = {}::text)"
    " ORDER BY e.id DESC LIMIT {} OFFSET {}"
)


async def listed(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """Escalations of cases in ``township`` (None: all), newest first."""
    rows = [
        dict(r)
        for r in await Escalation.raw(
            _LIST, township, township, page_size, (page - 1) * page_size
        ).run()
    ]
    return rows, int(rows[0]["total"]) if rows else 0
