"""The area tree (行政区划) and where a service point lies: geo's reads of ``area`` and
``service_point`` for itself and for the contexts that place a case or a supervisor in it."""

from __future__ import annotations

from dataclasses import dataclass

from backend.geo.tables import Area, ServicePoint


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One area: district, township or village, with its parent's code."""

    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None


_COLUMNS = (Area.code, Area.name, Area.level, Area.parent, Area.lat, Area.lng)


def _row(r: dict[str, object]) -> AreaRow:
    return AreaRow(
        code=str(r["code"]),
        name=str(r["name"]),
        level=str(r["level"]),
        parent_code=None if r["parent"] is None else str(r["parent"]),
        lat=r["lat"],  # type: ignore[arg-type]
        lng=r["lng"],  # type: ignore[arg-type]
    )


async def area(code: str) -> AreaRow | None:
    """The area of this code, or None."""
    found = await Area.select(*_COLUMNS).where(Area.code == code).first().run()
    return None if found is None else _row(found)


async def all_areas() -> list[AreaRow]:
    """Every area of the tree (for the names and places other contexts show)."""
    return [_row(r) for r in await Area.select(*_COLUMNS).run()]


async def areas_page(
    *, level: str | None, parent: str | None, page: int, page_size: int
) -> tuple[list[AreaRow], int]:
    """Areas by code (of one level, under one parent when given), one page and the count."""
    query = Area.select(*_COLUMNS)
    count = Area.count()
    for clause in (
        *([Area.level == level] if level else []),
        *([Area.parent == parent] if parent else []),
    ):
        query = query.where(clause)
        count = count.where(clause)
    rows = await query.order_by(Area.code).limit(page_size).offset((page - 1) * page_size).run()
    return [_row(r) for r in rows], await count.run()


async def point_township(code: str) -> str | None:
    """The township a service point belongs to, or None for an unknown point."""
    found = (
        await ServicePoint.select(ServicePoint.township)
        .where(ServicePoint.code == code)
        .first()
        .run()
    )
    return None if found is None else str(found["township"])
