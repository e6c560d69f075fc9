"""Service points (办事点), what each handles and the area tree, as geo's point cache and the
catalogue import read and write them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from backend import db
from backend.geo.tables import Area, ServicePoint, ServicePointItem

Hours = dict[str, list[list[str]]]


@dataclass(frozen=True, slots=True)
class PointRow:
    """One active service point."""

    code: str
    name: str
    kind: str
    area_code: str
    township_code: str
    lat: float
    lng: float
    address: str
    phone: str
    hours: Hours


@dataclass(frozen=True, slots=True)
class HandleRow:
    """A service point that lists an item."""

    point_code: str
    item_code: str


@dataclass(frozen=True, slots=True)
class PlaceRow:
    """One area of the tree with its position and population."""

    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None
    population: int | None


def _hours(value: object) -> Hours:
    decoded = json.loads(value) if isinstance(value, str) else value
    return decoded if isinstance(decoded, dict) else {}


async def active_points() -> list[PointRow]:
    """Every active service point."""
    rows = await ServicePoint.select().where(ServicePoint.active == True).run()  # noqa: E712
    return [
        PointRow(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            area_code=r["area"],
            township_code=r["township"],
            lat=r["lat"],
            lng=r["lng"],
            address=r["address"],
            phone=r["phone"],
            hours=_hours(r["hours"]),
        )
        for r in rows
    ]


async def handles() -> list[HandleRow]:
    """Every (service point, item) pair."""
    rows = await ServicePointItem.select(
        ServicePointItem.service_point, ServicePointItem.item
    ).run()
    return [HandleRow(point_code=r["service_point"], item_code=r["item"]) for r in rows]


async def places() -> list[PlaceRow]:
    """The whole area tree, by code."""
    rows = await Area.select().order_by(Area.code).run()
    return [
        PlaceRow(
            code=r["code"],
            name=r["name"],
            level=r["level"],
            parent_code=r["parent"],
            lat=r["lat"],
            lng=r["lng"],
            population=r["population"],
        )
        for r in rows
    ]


async def level_and_parent(area_code: str) -> tuple[str, str | None] | None:
    """The area's level and its parent's code, None for an unknown code."""
    row = await Area.select(Area.level, Area.parent).where(Area.code == area_code).first().run()
    return None if row is None else (str(row["level"]), row["parent"])


async def point_codes() -> set[str]:
    """The codes of every service point, active or not."""
    return {r["code"] for r in await ServicePoint.select(ServicePoint.code).run()}


_UPSERT_POINT = """
INSERT INTO service_point (code, name, kind, area, township, lat, lng, address, phone,
                           hours, active, note, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, true, '', now())
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
    area = EXCLUDED.area, township = EXCLUDED.township, lat = EXCLUDED.lat,
    lng = EXCLUDED.lng, address = EXCLUDED.address, phone = EXCLUDED.phone,
    hours = EXCLUDED.hours, active = true, updated_at = now()
WHERE (service_point.name, service_point.kind, service_point.area, service_point.lat,
       service_point.lng, service_point.address, service_point.phone, service_point.hours,
       service_point.active) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.area,
       EXCLUDED.lat, EXCLUDED.lng, EXCLUDED.address, EXCLUDED.phone, EXCLUDED.hours, true)
RETURNING code
"""


async def upsert_point(
    *,
    code: str,
    name: str,
    kind: str,
    area_code: str,
    township_code: str,
    lat: float,
    lng: float,
    address: str,
    phone: str,
    hours: Hours,
) -> bool:
    """Insert or update the point (active again); True when a row was written."""
    row = await db.fetchrow(
        _UPSERT_POINT,
        code,
        name,
        kind,
        area_code,
        township_code,
        lat,
        lng,
        address,
        phone,
        json.dumps(hours),
    )
    return row is not None


_ADD_HANDLES = """
INSERT INTO service_point_item (service_point, item)
SELECT * FROM unnest($1::varchar[], $2::varchar[])
ON CONFLICT (service_point, item) DO NOTHING RETURNING id
"""


async def add_handles(point_codes: list[str], item_codes: list[str]) -> int:
    """Record the (point, item) pairs zipped from both lists; returns how many were new."""
    return len(await db.fetch(_ADD_HANDLES, point_codes, item_codes))
