"""``GET /api/v1/areas`` (public)."""

from __future__ import annotations

from litestar import Controller, get

from backend.geo import service
from backend.geo.schemas import AreaOut, AreaPage
from backend.http.auth import PUBLIC
from backend.http.pagination import Page, PageSize


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
