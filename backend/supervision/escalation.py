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
from typing import Final

from backend.cases import clock
from backend.cases.store import oversight
from backend.cases.store.oversight import EscalationRow
from backend.outbox.service import publish
from backend.supervision import overdue, store, texts
from backend.supervision.events import ESCALATED_EVENT, escalated_payload

TOWNSHIP: Final = "township"
DISTRICT: Final = "district"


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
            escalation_id = await store.insert_escalation(
                case_id=case.case_id,
                level=level,
                area=area,
                on_day=today,
                deadline=case.deadline,
                days_overdue=case.days_overdue,
                reason=reason,
            )
            if escalation_id is None:
                continue
            done.created[level] = done.created.get(level, 0) + 1
            await publish(
                kind=ESCALATED_EVENT,
                payload=escalated_payload(
                    escalation_id=escalation_id,
                    case_number=case.number,
                    level=level,
                    area=area,
                    text=reason,
                ),
                dedup_key=f"escalated:{case.number}:{level}",
            )
    return done


async def listed(
    *, township: str | None, page: int, page_size: int
) -> tuple[list[EscalationRow], int]:
    """Escalations of cases in ``township`` (None: all), newest first."""
    return await oversight.escalations_page(township=township, page=page, page_size=page_size)
