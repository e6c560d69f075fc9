"""Geo's use cases: the area tree, the points near a citizen, the 30-minute coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.errors import InvalidInput
from backend.geo import reach
from backend.geo.levels import LEVELS
from backend.geo.reach import CoverageReport, NearbyPoint, VillageCoverage
from backend.geo.store import areas
from backend.geo.store.areas import AreaRow
from backend.geo.travel import TravelTimeProvider
from backend.workdays.service import load_calendar

AreaView = AreaRow  # the name the portal's walk-in form reads them by


async def list_areas(
    *, level: str | None, parent: str | None, page: int, page_size: int
) -> tuple[list[AreaRow], int]:
    if level is not None and level not in LEVELS:
        raise InvalidInput("level 须为 district、township 或 village。", code="area_level_invalid")
    return await areas.areas_page(level=level, parent=parent, page=page, page_size=page_size)


async def nearby_points(
    *,
    lat: float,
    lng: float,
    item_code: str,
    mode: str,
    within_minutes: float,
    at: datetime,
    travel: TravelTimeProvider,
    limit: int,
) -> list[NearbyPoint]:
    """Points handling the item within ``within_minutes`` of (lat, lng), nearest first; open
    or not at ``at`` by the working-day calendar."""
    return await reach.nearby(
        lat=lat,
        lng=lng,
        item_code=item_code,
        mode=mode,
        within_minutes=within_minutes,
        at=at,
        calendar=await load_calendar(),
        travel=travel,
        limit=limit,
    )


@dataclass(frozen=True, slots=True)
class CoveragePage:
    """One page of villages of a coverage report, with the district's figures (unfiltered)."""

    report: CoverageReport
    villages: list[VillageCoverage]
    total: int


async def coverage_page(
    *,
    item_code: str | None,
    mode: str,
    township: str | None,
    gaps_only: bool,
    page: int,
    page_size: int,
    travel: TravelTimeProvider,
) -> CoveragePage:
    """The 30-minute coverage of every village, filtered and cut to one page.

    The minutes come from the travel-time provider for the asked mode and item, not from a
    table, so the report is computed whole (well under a second) and the page cut from it.
    """
    report = await reach.coverage(item_code=item_code, mode=mode, travel=travel)
    villages = [
        v
        for v in report.villages
        if (township is None or v.township_code == township) and (v.gaps or not gaps_only)
    ]
    start = (page - 1) * page_size
    return CoveragePage(report, villages[start : start + page_size], len(villages))
