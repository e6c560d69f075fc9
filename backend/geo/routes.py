"""Public geo routes: areas, nearby service points and 30-minute coverage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import Parameter

from backend.clock import now_utc
from backend.geo import reach, service
from backend.geo.hours import format_hours
from backend.geo.points import KIND_LABELS
from backend.geo.schemas import (
    AreaOut,
    AreaPage,
    CoverageOut,
    NearbyOut,
    NearbyPage,
    VillageCoverageOut,
)
from backend.http.auth import PUBLIC
from backend.http.pagination import Page, PageSize
from backend.workdays.service import load_calendar

Mode = Annotated[str, Parameter(description="walk | ebike | car")]


class AreaController(Controller):
    path = "/api/v1/areas"
    opt = PUBLIC
    tags = ["areas"]

    @get("/", summary="The district → township → village tree, one level at a time")
    async def list_areas(
        self,
        level: str | None = None,
        parent: str | None = None,
        page: Page = 1,
        page_size: PageSize = 100,
    ) -> AreaPage:
        areas, total = await service.list_areas(
            level=level, parent=parent, page=page, page_size=page_size
        )
        return AreaPage(
            items=[AreaOut(a.code, a.name, a.level, a.parent_code, a.lat, a.lng) for a in areas],
            total=total,
        )


class ReachController(Controller):
    opt = PUBLIC
    tags = ["30-minute circle"]

    @get("/api/v1/service-points/nearby", summary="Service points handling an item near a place")
    async def nearby(
        self,
        state: State,
        lat: float,
        lng: float,
        item: Annotated[str, Parameter(max_length=40)],
        mode: Mode = "ebike",
        within_minutes: float = 30,
        at: datetime | None = None,
        page_size: PageSize = 20,
    ) -> NearbyPage:
        found = await reach.nearby(
            lat=lat,
            lng=lng,
            item_code=item,
            mode=mode,
            within_minutes=within_minutes,
            at=at or now_utc(),
            calendar=await load_calendar(),
            travel=state.travel,
            limit=page_size,
        )
        return NearbyPage(
            items=[
                NearbyOut(
                    id=n.point.code,
                    name=n.point.name,
                    kind=n.point.kind,
                    kind_label=KIND_LABELS.get(n.point.kind, n.point.kind),
                    township_code=n.point.township_code,
                    distance_m=n.distance_m,
                    travel_minutes=n.travel_minutes,
                    open_now=n.open_now,
                    address=n.point.address,
                    phone=n.point.phone,
                    hours=format_hours(n.point.hours),
                )
                for n in found
            ],
            total=len(found),
        )

    @get("/api/v1/coverage", summary="Per village: minutes to the nearest place handling each item")
    async def coverage(
        self,
        state: State,
        item: Annotated[str | None, Parameter(max_length=40)] = None,
        mode: Mode = "ebike",
        township: Annotated[str | None, Parameter(max_length=12)] = None,
        gaps_only: bool = False,
        page: Page = 1,
        page_size: PageSize = 100,
    ) -> CoverageOut:
        report = await reach.coverage(item_code=item, mode=mode, travel=state.travel)
        villages = [
            v
            for v in report.villages
            if (township is None or v.township_code == township) and (v.gaps or not gaps_only)
        ]
        start = (page - 1) * page_size
        return CoverageOut(
            mode=report.mode,
            target_minutes=report.target_minutes,
            item_codes=list(report.item_codes),
            district_share_within_30=round(report.district_share, 4),
            villages_with_gaps=len(report.villages_with_gaps),
            items=[
                VillageCoverageOut(
                    code=v.code,
                    name=v.name,
                    township_code=v.township_code,
                    township_name=v.township_name,
                    minutes=v.minutes,
                    share_within_30=round(v.share_within, 4),
                    gaps=list(v.gaps),
                )
                for v in villages[start : start + page_size]
            ],
            total=len(villages),
        )
