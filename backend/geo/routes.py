"""Public geo routes: areas, nearby service points and 30-minute coverage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from backend.clock import now_utc
from backend.deps import Deps
from backend.geo import service
from backend.geo.hours import format_hours
from backend.geo.points import KIND_LABELS
from backend.geo.reach import NearbyPoint
from backend.geo.schemas import (
    MODE_TEXT,
    AreaPage,
    CoverageOut,
    Level,
    Mode,
    NearbyOut,
    NearbyPage,
    PointKind,
    VillageCoverageOut,
)
from backend.geo.service import AreaView, CoveragePage
from backend.http.auth import PUBLIC
from backend.http.openapi import operation
from backend.http.pagination import Page, PageSize

ModeParam = Annotated[Mode, Parameter(description=MODE_TEXT, examples=[Example(value="ebike")])]
ItemParam = Annotated[
    str,
    Parameter(max_length=40, description="事项编码。", examples=[Example(value="GA-SFZ-HL")]),
]
_ITEM_404 = {404: ["item_not_found"]}


def _area_page(areas: Sequence[AreaView], total: int) -> AreaPage:
    return msgspec.convert(
        {
            "items": [
                {
                    "code": a.code,
                    "name": a.name,
                    "level": a.level,
                    "parent_code": a.parent_code,
                    "lat": a.lat,
                    "lng": a.lng,
                }
                for a in areas
            ],
            "total": total,
        },
        AreaPage,
    )


def _nearby_out(n: NearbyPoint) -> NearbyOut:
    return NearbyOut(
        id=n.point.code,
        name=n.point.name,
        kind=msgspec.convert(n.point.kind, PointKind),
        kind_label=KIND_LABELS.get(n.point.kind, n.point.kind),
        township_code=n.point.township_code,
        distance_m=n.distance_m,
        travel_minutes=n.travel_minutes,
        open_now=n.open_now,
        address=n.point.address,
        phone=n.point.phone,
        hours=format_hours(n.point.hours),
    )


def _coverage_out(mode: Mode, found: CoveragePage) -> CoverageOut:
    report = found.report
    return CoverageOut(
        mode=mode,
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
            for v in found.villages
        ],
        total=found.total,
    )


class AreaController(Controller):
    path = "/api/v1/areas"
    opt = PUBLIC
    tags = ["公开信息"]

    @get(
        "/",
        **operation(
            "区划列表",
            "区 → 镇街 → 村（社区）的区划，按区划代码排序，分页（每页默认 100）。用 level 只列"
            "一个层级，用 parent 只列某个区划的下一级，一级一级地展开。",
        ),
    )
    async def list_areas(
        self,
        level: Annotated[
            Level | None,
            Parameter(
                description="只列这一层级：district 区、township 镇街、village 村（社区）。",
                examples=[Example(value="township")],
            ),
        ] = None,
        parent: Annotated[
            str | None,
            Parameter(
                description="只列这个区划的下一级（上级区划代码）。",
                examples=[Example(value="330109001")],
            ),
        ] = None,
        page: Page = 1,
        page_size: PageSize = 100,
    ) -> AreaPage:
        areas, total = await service.list_areas(
            level=level, parent=parent, page=page, page_size=page_size
        )
        return _area_page(areas, total)


class ReachController(Controller):
    opt = PUBLIC
    tags = ["公开信息"]

    @get(
        "/api/v1/service-points/nearby",
        **operation(
            "附近的办事点",
            "以 (lat, lng) 为起点，列出能办理该事项、按所选出行方式 within_minutes 分钟内可到的"
            "办事点，路上时间最短的在前，最多 page_size 个。open_now 按 at（默认现在）和工作日"
            "历判断：法定节假日闭门，调休上班日开门。",
            problems=_ITEM_404,
        ),
    )
    async def nearby(
        self,
        deps: Deps,
        lat: Annotated[
            float,
            Parameter(
                ge=-90, le=90, description="起点纬度（WGS-84）。", examples=[Example(value=30.158)]
            ),
        ],
        lng: Annotated[
            float,
            Parameter(
                ge=-180,
                le=180,
                description="起点经度（WGS-84）。",
                examples=[Example(value=120.262)],
            ),
        ],
        item: ItemParam,
        mode: ModeParam = "ebike",
        within_minutes: Annotated[
            float,
            Parameter(
                gt=0, description="最长路上时间（分钟），默认 30。", examples=[Example(value=30)]
            ),
        ] = 30,
        at: Annotated[
            datetime | None,
            Parameter(
                description="判断是否开放的时间（ISO 8601），默认现在；不带时区的按北京时间。",
                examples=[Example(value="2026-12-07T10:00:00+08:00")],
            ),
        ] = None,
        page_size: PageSize = 20,
    ) -> NearbyPage:
        found = await service.nearby_points(
            lat=lat,
            lng=lng,
            item_code=item,
            mode=mode,
            within_minutes=within_minutes,
            at=at or now_utc(),
            travel=deps.travel,
            limit=page_size,
        )
        items = [_nearby_out(n) for n in found]
        return NearbyPage(items=items, total=len(items))

    @get(
        "/api/v1/coverage",
        **operation(
            "30 分钟服务圈覆盖",
            "每个村（社区）按所选出行方式到各事项最近办理点的路上时间，以及 30 分钟内可达的比例；"
            "不指定 item 时统计全部个人事项。可按镇街筛选、只看有缺口的村（社区），分页（每页"
            "默认 100）；全区的比例和缺口村数不受筛选影响。",
            problems=_ITEM_404,
        ),
    )
    async def coverage(
        self,
        deps: Deps,
        item: Annotated[
            str | None,
            Parameter(
                max_length=40,
                description="只统计这个事项（事项编码）；不填则统计全部个人事项。",
                examples=[Example(value="GA-SFZ-HL")],
            ),
        ] = None,
        mode: ModeParam = "ebike",
        township: Annotated[
            str | None,
            Parameter(
                max_length=12,
                description="只列这个镇街的村（社区）（镇街区划代码）。",
                examples=[Example(value="330109001")],
            ),
        ] = None,
        gaps_only: Annotated[
            bool,
            Parameter(
                description="只列有事项 30 分钟内到不了的村（社区）。",
                examples=[Example(value=True)],
            ),
        ] = False,
        page: Page = 1,
        page_size: PageSize = 100,
    ) -> CoverageOut:
        found = await service.coverage_page(
            item_code=item,
            mode=mode,
            township=township,
            gaps_only=gaps_only,
            page=page,
            page_size=page_size,
            travel=deps.travel,
        )
        return _coverage_out(mode, found)
