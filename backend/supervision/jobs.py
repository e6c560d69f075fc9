"""The supervision crons' work, each one unit of work with "today" passed in (worker and CLI)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import structlog

from backend.cases.events import read_bad_rating
from backend.outbox.runner import HandlerContext
from backend.outbox.service import Doorbell, unit_of_work
from backend.settings import Settings
from backend.supervision import callbacks, escalation, followups
from backend.workdays.service import load_calendar

log = structlog.get_logger(__name__)


async def escalate_overdue(
    *, settings: Settings, today: date, doorbell: Doorbell | None
) -> escalation.Escalated:
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        done = await escalation.escalate(
            today=today,
            calendar=calendar,
            township_after=settings.escalate_township_after_days,
            district_after=settings.escalate_district_after_days,
        )
    log.info("overdue_escalated", day=today.isoformat(), **done.created)
    return done


async def draw_callback_sample(*, settings: Settings, week: date) -> callbacks.Sampled:
    async with unit_of_work(None):
        done = await callbacks.sample(week=week, size=settings.callback_sample_size)
    log.info("callback_sample_drawn", week=done.week.isoformat(), calls=done.total)
    return done


async def on_bad_rating(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    """The ``evaluation.bad`` handler; idempotent (one follow-up per rating)."""
    rating = read_bad_rating(payload)
    calendar = await load_calendar()
    async with unit_of_work(ctx.services.get("doorbell")):
        await followups.open_follow_up(
            case_id=rating.case_id, round=rating.round, calendar=calendar
        )


HANDLERS: Final = {"evaluation.bad": on_bad_rating}
