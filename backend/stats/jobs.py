"""The arq cron job of the statistics package (registered in ``backend.worker``)."""

from __future__ import annotations

import datetime as dt
from typing import Final

import structlog

from backend.clock import today
from backend.geo import reach
from backend.geo.travel import TravelTimeProvider
from backend.stats import rollup
from backend.workdays.service import load_calendar

log = structlog.get_logger(__name__)

COVERAGE_MODE: Final = "ebike"
COVERAGE_MAX_AGE: Final = dt.timedelta(hours=1)


async def refresh_stats(*, travel: TravelTimeProvider) -> rollup.Refreshed:
    """Bring the roll-ups up to date, then the cached coverage if it is an hour old."""
    done = await rollup.refresh(calendar=await load_calendar(), today=today())
    if not done.skipped:

        async def compute() -> reach.CoverageReport:
            return await reach.coverage(item_code=None, mode=COVERAGE_MODE, travel=travel)

        await rollup.refresh_coverage(compute=compute, max_age=COVERAGE_MAX_AGE)
        if done.cases or done.full:
            log.info(
                "stats_refreshed", cases=done.cases, days=done.days, months=done.months,
                full=done.full,
            )  # fmt: skip
    return done
