"""Service points (办事点) and what each handles, cached per process like the catalogue."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

from backend.catalogue import service as catalogue
from backend.geo.tables import Area, ServicePoint, ServicePointItem
from backend.geo.travel import Point

KINDS: Final = (
    "township_hall",
    "village_station",
    "bank_outlet",
    "self_service_terminal",
    "dept_station",
)
KIND_LABELS: Final = {
    "township_hall": "镇街便民服务中心",
    "village_station": "村社便民服务站",
    "bank_outlet": "政银通网点",
    "self_service_terminal": "自助服务终端",
    "dept_station": "基层站所",
}


@dataclass(frozen=True, slots=True)
class PointSpec:
    code: str
    name: str
    kind: str
    area_code: str
    lat: float
    lng: float
    address: str = ""
    phone: str = ""
    hours: dict[str, list[list[str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PointView:
    code: str
    name: str
    kind: str
    area_code: str
    township_code: str
    where: Point
    address: str
    phone: str
    hours: dict[str, list[list[str]]]


@dataclass(frozen=True, slots=True)
class VillageView:
    code: str
    name: str
    township_code: str
    township_name: str
    where: Point
    population: int | None


@dataclass(frozen=True)
class GeoSnapshot:
    revision: str
    points: dict[str, PointView]
    handles: dict[str, frozenset[str]]  # item code -> point codes that list it
    villages: list[VillageView]
    townships: dict[str, str]


_CACHE: dict[str, Any] = {"snapshot": None, "checked": 0.0}


async def snapshot() -> GeoSnapshot:
    cached: GeoSnapshot | None = _CACHE["snapshot"]
    now = time.monotonic()
    if cached is not None and now - _CACHE["checked"] < catalogue.cache_recheck_s():
        return cached
    rev = await catalogue.revision()
    _CACHE["checked"] = now
    if cached is not None and cached.revision == rev:
        return cached
    fresh = await _load(rev)
    _CACHE["snapshot"] = fresh
    return fresh


async def _load(rev: str) -> GeoSnapshot:
    points = {}
    for r in await ServicePoint.select().where(ServicePoint.active == True).run():  # noqa: E712
        hours = r["hours"]
        if isinstance(hours, str):
            hours = json.loads(hours)
        points[r["code"]] = PointView(
            r["code"],
            r["name"],
            r["kind"],
            r["area"],
            r["township"],
            Point(r["lat"], r["lng"]),
            r["address"],
            r["phone"],
            hours,
        )
    handles: dict[str, set[str]] = defaultdict(set)
    for r in await ServicePointItem.select(
        ServicePointItem.service_point, ServicePointItem.item
    ).run():
        if r["service_point"] in points:
            handles[r["item"]].add(r["service_point"])
    areas = await Area.select().order_by(Area.code).run()
    townships = {a["code"]: a["name"] for a in areas if a["level"] == "township"}
    villages = [
        VillageView(
            a["code"],
            a["name"],
            a["parent"],
            townships.get(a["parent"], ""),
            Point(a["lat"], a["lng"]),
            a["population"],
        )
        for a in areas
        if a["level"] == "village" and a["lat"] is not None and a["lng"] is not None
    ]
    return GeoSnapshot(
        rev, points, {k: frozenset(v) for k, v in handles.items()}, villages, townships
    )


def forget() -> None:
    """Drop this process's cached service points (the next read reloads them)."""
    _CACHE["snapshot"] = None
    _CACHE["checked"] = 0.0


def points_handling(snap: GeoSnapshot, item_code: str, *, district_wide: bool) -> list[PointView]:
    """Points that list the item, plus every township hall when it is district-wide (全区通办)."""
    codes = set(snap.handles.get(item_code, ()))
    if district_wide:
        codes |= {p.code for p in snap.points.values() if p.kind == "township_hall"}
    return [snap.points[c] for c in sorted(codes)]


async def township_of(area_code: str) -> str | None:
    row = await Area.select(Area.level, Area.parent).where(Area.code == area_code).first().run()
    if row is None:
        return None
    return area_code if row["level"] == "township" else row["parent"]


async def upsert_point(spec: PointSpec, *, township_code: str) -> bool:
    rows = await ServicePoint.raw(
        "INSERT INTO service_point (code, name, kind, area, township, lat, lng, address, phone,"
        " hours, active, note, updated_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}::jsonb, true, '', now())"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
        " area = EXCLUDED.area, township = EXCLUDED.township, lat = EXCLUDED.lat,"
        " lng = EXCLUDED.lng, address = EXCLUDED.address, phone = EXCLUDED.phone,"
        " hours = EXCLUDED.hours, active = true, updated_at = now()"
        " WHERE (service_point.name, service_point.kind, service_point.area, service_point.lat,"
        " service_point.lng, service_point.address, service_point.phone, service_point.hours,"
        " service_point.active) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.area,"
        " EXCLUDED.lat, EXCLUDED.lng, EXCLUDED.address, EXCLUDED.phone, EXCLUDED.hours, true)"
        " RETURNING code",
        spec.code,
        spec.name,
        spec.kind,
        spec.area_code,
        township_code,
        spec.lat,
        spec.lng,
        spec.address,
        spec.phone,
        json.dumps(spec.hours),
    ).run()
    return bool(rows)


async def add_handles(pairs: list[tuple[str, str]]) -> int:
    """Record (point code, item code) pairs; returns how many were new."""
    added = 0
    for start in range(0, len(pairs), 1000):
        chunk = pairs[start : start + 1000]
        rows = await ServicePointItem.raw(
            "INSERT INTO service_point_item (service_point, item)"
            " SELECT * FROM unnest({}::varchar[], {}::varchar[])"
            " ON CONFLICT (service_point, item) DO NOTHING RETURNING id",
            [p for p, _ in chunk],
            [i for _, i in chunk],
        ).run()
        added += len(rows)
    return added


async def point_codes() -> set[str]:
    return {r["code"] for r in await ServicePoint.select(ServicePoint.code).run()}


async def areas_by_code() -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in await Area.select().run()}


catalogue.on_change(forget)
