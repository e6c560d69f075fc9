"""The 30-minute circle: nearby service points for an item, and coverage per village."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from backend.catalogue import service as catalogue
from backend.clock import local
from backend.errors import InvalidInput
from backend.geo.hours import is_open
from backend.geo.points import GeoSnapshot, PointView, points_handling, snapshot
from backend.geo.travel import MODES, Point, TravelTimeProvider
from backend.workdays.calendar import WorkingCalendar

TARGET_MINUTES: Final = 30
HOLIDAY_REASONS: Final = frozenset({"holiday", "admin_holiday"})


@dataclass(frozen=True, slots=True)
class NearbyPoint:
    point: PointView
    distance_m: int
    travel_minutes: float
    open_now: bool


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InvalidInput(
            "出行方式须为 walk（步行）、ebike（电动车）或 car（汽车）。", code="mode_invalid"
        )


def check_point(lat: float, lng: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        raise InvalidInput(
            "坐标超出范围：纬度须在 -90 到 90 之间，经度须在 -180 到 180 之间。",
            code="coordinates_invalid",
        )


def open_at(point: PointView, moment: datetime, calendar: WorkingCalendar) -> bool:
    wall = local(moment)
    day = calendar.kind_of(wall.date())
    return is_open(
        point.hours, wall, working_day=day.working, holiday=day.reason in HOLIDAY_REASONS
    )


async def nearby(
    *,
    lat: float,
    lng: float,
    item_code: str,
    mode: str,
    within_minutes: float,
    at: datetime,
    calendar: WorkingCalendar,
    travel: TravelTimeProvider,
    limit: int,
) -> list[NearbyPoint]:
    """Points that handle the item within ``within_minutes`` of (lat, lng), nearest first."""
    check_point(lat, lng)
    check_mode(mode)
    if within_minutes <= 0:
        raise InvalidInput("within_minutes 须大于 0。", code="within_minutes_invalid")
    item = await catalogue.get_item(code=item_code)
    snap = await snapshot()
    candidates = points_handling(snap, item_code, district_wide=item.spec.district_wide)
    trips = travel.travel(Point(lat, lng), [p.where for p in candidates], mode)
    found = [
        NearbyPoint(p, t.distance_m, round(t.minutes, 1), open_at(p, at, calendar))
        for p, t in zip(candidates, trips, strict=True)
        if t.minutes <= within_minutes
    ]
    found.sort(key=lambda n: (n.travel_minutes, n.point.code))
    return found[:limit]


@dataclass(frozen=True, slots=True)
class VillageCoverage:
    code: str
    name: str
    township_code: str
    township_name: str
    minutes: dict[str, float | None]  # item code -> minutes to the nearest point (None: nowhere)
    share_within: float  # of the items considered, the share reachable within the target
    gaps: tuple[str, ...]  # items beyond the target


@dataclass(frozen=True, slots=True)
class CoverageReport:
    mode: str
    target_minutes: int
    item_codes: tuple[str, ...]
    villages: list[VillageCoverage]

    @property
    def villages_with_gaps(self) -> list[VillageCoverage]:
        return [v for v in self.villages if v.gaps]

    @property
    def district_share(self) -> float:
        if not self.villages:
            return 0.0
        return sum(v.share_within for v in self.villages) / len(self.villages)


async def coverage(
    *,
    item_code: str | None,
    mode: str,
    travel: TravelTimeProvider,
    target_minutes: int = TARGET_MINUTES,
    progress: Callable[[int, int], None] | None = None,
) -> CoverageReport:
    """For every village and every personal item (or one item): minutes to the nearest point.

    Each village's points are sorted by travel time once; for each item the nearest point is
    then the first in that order that handles it, so the whole district takes well under a
    second.
    """
    check_mode(mode)
    snap_items = (await catalogue.snapshot()).items
    if item_code is not None:
        items = [(await catalogue.get_item(code=item_code)).spec]
    else:
        items = sorted(
            (v.spec for v in snap_items.values() if v.spec.personal), key=lambda s: s.code
        )
    geo = await snapshot()
    handlers = {s.code: _handler_set(geo, s.code, s.district_wide) for s in items}
    points = list(geo.points.values())
    result = []
    for index, village in enumerate(geo.villages):
        trips = travel.travel(village.where, [p.where for p in points], mode)
        order = sorted(range(len(points)), key=lambda i: trips[i].minutes)
        minutes: dict[str, float | None] = {}
        for spec in items:
            able = handlers[spec.code]
            nearest = next((trips[i].minutes for i in order if points[i].code in able), None)
            minutes[spec.code] = None if nearest is None else round(nearest, 1)
        gaps = tuple(c for c, m in minutes.items() if m is None or m > target_minutes)
        share = 1 - len(gaps) / len(items) if items else 0.0
        result.append(
            VillageCoverage(
                village.code,
                village.name,
                village.township_code,
                village.township_name,
                minutes,
                share,
                gaps,
            )
        )
        if progress is not None:
            progress(index + 1, len(geo.villages))
    return CoverageReport(mode, target_minutes, tuple(s.code for s in items), result)


def _handler_set(geo: GeoSnapshot, item_code: str, district_wide: bool) -> frozenset[str]:
    return frozenset(p.code for p in points_handling(geo, item_code, district_wide=district_wide))
