"""The administrator's reads and writes of service points (办事点): a filtered page of a
district's points, one point with the items it handles, inserting and updating a point, the
district's bounds, and the per-township aggregates (bank outlets, points of each kind)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from backend import db
from backend.geo.store.points import Hours, _hours


@dataclass(frozen=True, slots=True)
class ListedPoint:
    """One line of the administrator's list of service points."""

    code: str
    name: str
    kind: str
    township_code: str
    township_name: str
    area_name: str
    address: str
    active: bool
    item_count: int


@dataclass(frozen=True, slots=True)
class PointRecord:
    """One service point as the administrator edits it (active or not)."""

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
    active: bool
    item_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """A township or village of the district, with its centre when known."""

    code: str
    name: str
    level: str
    township_code: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True, slots=True)
class Bounds:
    """The rectangle around every area of the district (degrees, WGS-84)."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


@dataclass(frozen=True, slots=True)
class Outlet:
    code: str
    name: str
    address: str
    active: bool


@dataclass(frozen=True, slots=True)
class TownshipOutlets:
    """A township and its bank outlets (政银通网点), active ones first."""

    code: str
    name: str
    outlets: tuple[Outlet, ...]


@dataclass(frozen=True, slots=True)
class TownshipKinds:
    """A township and how many active points of each kind it has."""

    code: str
    name: str
    counts: dict[str, int]


_PAGE: Final = """
SELECT sp.code, sp.name, sp.kind, sp.township AS township_code, t.name AS township_name,
       a.name AS area_name, sp.address, sp.active,
       (SELECT count(*) FROM service_point_item i WHERE i.service_point = sp.code) AS item_count,
       count(*) OVER () AS total
FROM service_point sp
JOIN area t ON t.code = sp.township
JOIN area a ON a.code = sp.area
WHERE t.parent = $1
  AND ($2::text IS NULL OR sp.township = $2)
  AND ($3::text IS NULL OR sp.kind = $3)
  AND ($4::text IS NULL OR sp.name ILIKE '%' || $4 || '%' OR sp.address ILIKE '%' || $4 || '%')
ORDER BY sp.township, array_position($7::text[], sp.kind::text), sp.code
LIMIT $5 OFFSET $6
"""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def points_page(
    *,
    district: str,
    township: str | None,
    kind: str | None,
    search: str | None,
    kind_order: tuple[str, ...],
    limit: int,
    offset: int,
) -> tuple[list[ListedPoint], int]:
    """The district's points by township, kind (in ``kind_order``) and code; filtered, one page
    and the count."""
    rows = await db.fetch(
        _PAGE,
        district,
        township,
        kind,
        _like(search) if search else None,
        limit,
        offset,
        list(kind_order),
    )
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        total = int(
            await db.fetchval(
                "SELECT count(*) FROM service_point sp JOIN area t ON t.code = sp.township"
                " WHERE t.parent = $1 AND ($2::text IS NULL OR sp.township = $2)"
                " AND ($3::text IS NULL OR sp.kind = $3) AND ($4::text IS NULL"
                " OR sp.name ILIKE '%' || $4 || '%' OR sp.address ILIKE '%' || $4 || '%')",
                district,
                township,
                kind,
                _like(search) if search else None,
            )
        )
    return [
        ListedPoint(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            township_code=r["township_code"],
            township_name=r["township_name"],
            area_name=r["area_name"],
            address=r["address"],
            active=r["active"],
            item_count=int(r["item_count"]),
        )
        for r in rows
    ], total


_ONE: Final = """
SELECT sp.code, sp.name, sp.kind, sp.area, sp.township, sp.lat, sp.lng, sp.address, sp.phone,
       sp.hours, sp.active,
       coalesce(array_agg(i.item ORDER BY i.item) FILTER (WHERE i.item IS NOT NULL), '{}')
           AS items
FROM service_point sp
JOIN area t ON t.code = sp.township
LEFT JOIN service_point_item i ON i.service_point = sp.code
WHERE sp.code = $1 AND t.parent = $2
GROUP BY sp.code
"""


async def point(*, code: str, district: str, lock: bool = False) -> PointRecord | None:
    """The district's point of this code (row-locked when ``lock``), or None."""
    if lock:
        await db.execute("SELECT 1 FROM service_point WHERE code = $1 FOR UPDATE", code)
    r = await db.fetchrow(_ONE, code, district)
    if r is None:
        return None
    return PointRecord(
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
        active=r["active"],
        item_codes=tuple(r["items"]),
    )


async def code_taken(code: str) -> bool:
    return bool(
        await db.fetchval("SELECT EXISTS (SELECT 1 FROM service_point WHERE code = $1)", code)
    )


_INSERT: Final = """
INSERT INTO service_point (code, name, kind, area, township, lat, lng, address, phone, hours,
                           active, note, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, '', now())
"""

_UPDATE: Final = """
UPDATE service_point SET name = $2, kind = $3, area = $4, township = $5, lat = $6, lng = $7,
    address = $8, phone = $9, hours = $10::jsonb, active = $11, updated_at = now()
WHERE code = $1
"""


async def save_point(record: PointRecord, *, new: bool) -> None:
    """Insert (``new``) or update the point, and make its item list exactly ``item_codes``."""
    await db.execute(
        _INSERT if new else _UPDATE,
        record.code,
        record.name,
        record.kind,
        record.area_code,
        record.township_code,
        record.lat,
        record.lng,
        record.address,
        record.phone,
        json.dumps(record.hours),
        record.active,
    )
    await db.execute(
        "DELETE FROM service_point_item WHERE service_point = $1 AND NOT (item = ANY($2::text[]))",
        record.code,
        list(record.item_codes),
    )
    await db.execute(
        "INSERT INTO service_point_item (service_point, item)"
        " SELECT $1, unnest($2::varchar[]) ON CONFLICT (service_point, item) DO NOTHING",
        record.code,
        list(record.item_codes),
    )


_PLACES: Final = (
    "SELECT a.code, a.name, a.level, CASE WHEN a.level = 'township' THEN a.code"
    " ELSE a.parent END AS township, a.lat, a.lng FROM area a"
    " LEFT JOIN area p ON p.code = a.parent"
    " WHERE ((a.level = 'township' AND a.parent = $1)"
    " OR (a.level = 'village' AND p.level = 'township' AND p.parent = $1))"
)


def _place(r: Any) -> Place:
    return Place(r["code"], r["name"], r["level"], r["township"], r["lat"], r["lng"])


async def places(*, district: str) -> list[Place]:
    """The district's townships and villages, by code."""
    rows = await db.fetch(_PLACES + " ORDER BY township, a.level = 'village', a.code", district)
    return [_place(r) for r in rows]


async def place(*, district: str, code: str) -> Place | None:
    """One township or village of the district, or None."""
    r = await db.fetchrow(_PLACES + " AND a.code = $2", district, code)
    return _place(r) if r is not None else None


async def bounds(*, district: str) -> Bounds | None:
    """The rectangle around the district and every area under it that has a centre."""
    r = await db.fetchrow(
        "SELECT min(a.lat) AS min_lat, max(a.lat) AS max_lat, min(a.lng) AS min_lng,"
        " max(a.lng) AS max_lng FROM area a LEFT JOIN area p ON p.code = a.parent"
        " WHERE a.lat IS NOT NULL AND a.lng IS NOT NULL"
        " AND (a.code = $1 OR a.parent = $1 OR p.parent = $1)",
        district,
    )
    if r is None or r["min_lat"] is None:
        return None
    return Bounds(r["min_lat"], r["max_lat"], r["min_lng"], r["max_lng"])


_OUTLETS: Final = """
SELECT t.code, t.name,
       coalesce(jsonb_agg(jsonb_build_object('code', sp.code, 'name', sp.name,
                                             'address', sp.address, 'active', sp.active)
                          ORDER BY sp.active DESC, sp.code) FILTER (WHERE sp.code IS NOT NULL),
                '[]'::jsonb) AS outlets
FROM area t
LEFT JOIN service_point sp ON sp.township = t.code AND sp.kind = $2
WHERE t.level = 'township' AND t.parent = $1
GROUP BY t.code, t.name
ORDER BY t.code
"""


def _outlet(value: dict[str, Any]) -> Outlet:
    return Outlet(
        str(value["code"]), str(value["name"]), str(value["address"]), bool(value["active"])
    )


async def outlets_by_township(*, district: str, kind: str) -> list[TownshipOutlets]:
    """Every township of the district with its points of ``kind`` (the bank outlets)."""
    rows = await db.fetch(_OUTLETS, district, kind)
    return [
        TownshipOutlets(
            r["code"],
            r["name"],
            tuple(
                _outlet(o)
                for o in (
                    json.loads(r["outlets"]) if isinstance(r["outlets"], str) else r["outlets"]
                )
            ),
        )
        for r in rows
    ]


_KINDS: Final = """
SELECT t.code, t.name,
       coalesce(jsonb_object_agg(k.kind, k.n) FILTER (WHERE k.kind IS NOT NULL), '{}'::jsonb)
           AS counts
FROM area t
LEFT JOIN (SELECT township, kind, count(*) AS n FROM service_point WHERE active
           GROUP BY township, kind) k ON k.township = t.code
WHERE t.level = 'township' AND t.parent = $1
GROUP BY t.code, t.name
ORDER BY t.code
"""


async def kinds_by_township(*, district: str) -> list[TownshipKinds]:
    """Every township of the district and how many active points of each kind it has."""
    rows = await db.fetch(_KINDS, district)
    result = []
    for r in rows:
        counts = json.loads(r["counts"]) if isinstance(r["counts"], str) else r["counts"]
        result.append(TownshipKinds(r["code"], r["name"], {k: int(v) for k, v in counts.items()}))
    return result
