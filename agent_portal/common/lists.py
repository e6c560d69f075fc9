"""A page of a staff list (queue, township cases, review): entries, urgency, pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from agent_portal.common import texts, urgency
from agent_portal.common.casepage import when
from agent_portal.common.desk import PAGE_SIZE
from agent_portal.common.urgency import Urgency
from backend.cases.clock import Calendar
from backend.clock import today
from backend.window.access import Clerk
from backend.window.schemas import CaseEntry, StaffCasePage
from backend.workdays.service import load_calendar


@dataclass(frozen=True, slots=True)
class Line:
    case: CaseEntry
    urgency: Urgency
    submitted_at: str
    filed_by: str
    channel: str | None  # None when it says the same as ``filed_by`` (代办员代办 once, not twice)
    claimed_by: str | None
    claimed_until: str
    mine: bool


@dataclass(frozen=True, slots=True)
class Pages:
    page: int
    last: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.last else None


def _line(entry: CaseEntry, *, clerk: Clerk, now: date, calendar: Calendar) -> Line:
    submitted = datetime.fromisoformat(entry.submitted_at).date()
    filed = texts.FILED_BY.get(entry.filed_by.kind, entry.filed_by.kind)
    if entry.filed_by.name:
        filed = f"{filed}（{entry.filed_by.name}）"
    claimed = entry.claimed_by
    return Line(
        case=entry,
        urgency=urgency.of_entry(
            deadline=entry.deadline, submitted=submitted, today=now, calendar=calendar
        ),
        submitted_at=when(entry.submitted_at),
        filed_by=filed,
        channel=texts.channel_unless_filed_by(entry.channel, entry.filed_by.kind),
        claimed_by=(claimed.name or "") if claimed else None,
        claimed_until=when(entry.claimed_until)[-5:],
        mine=claimed is not None and claimed.id == clerk.id,
    )


async def context(listed: StaffCasePage, *, page: int, clerk: Clerk) -> dict[str, Any]:
    calendar = await load_calendar()
    now = today()
    lines = [_line(entry, clerk=clerk, now=now, calendar=calendar) for entry in listed.items]
    last = max(1, -(-listed.total // PAGE_SIZE))
    return {"lines": lines, "pages": Pages(page, last, listed.total)}
