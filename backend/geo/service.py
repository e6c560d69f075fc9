"""Reading the area tree."""

from __future__ import annotations

from dataclasses import dataclass

from backend.errors import InvalidInput
from backend.geo.levels import LEVELS
from backend.geo.tables import Area


@dataclass(frozen=True, slots=True)
class AreaView:
    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None


async def list_areas(
    *, level: str | None, parent: str | None, page: int, page_size: int
) -> tuple[list[AreaView], int]:
    if level is not None and level not in LEVELS:
        raise InvalidInput("level 须为 district、township 或 village。", code="area_level_invalid")
    where = []
    if level:
        where.append(Area.level == level)
    if parent:
        where.append(Area.parent == parent)
    query = Area.select(Area.code, Area.name, Area.level, Area.parent, Area.lat, Area.lng)
    count = Area.count()
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    rows = await query.order_by(Area.code).limit(page_size).offset((page - 1) * page_size).run()
    total = await count.run()
    return [
        AreaView(r["code"], r["name"], r["level"], r["parent"], r["lat"], r["lng"]) for r in rows
    ], total
