"""Service points (办事点) and what each handles, cached per process like the catalogue."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

from backend.catalogue import service as catalogue
from backend.geo.store import points as store
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
    points = {
        r.code: PointView(
            r.code,
            r.name,
            r.kind,
            r.area_code,
            r.township_code,
            Point(r.lat, r.lng),
            r.address,
            r.phone,
            r.hours,
        )
        for r in await store.active_points()
    }
    handles: dict[str, set[str]] = defaultdict(set)
    for h in await store.handles():
        if h.point_code in points:
            handles[h.item_code].add(h.point_code)
    areas = await store.places()
    townships = {a.code: a.name for a in areas if a.level == "township"}
    villages = [
        VillageView(
            a.code,
            a.name,
            a.parent_code or "",
            townships.get(a.parent_code or "", ""),
            Point(a.lat, a.lng),
            a.population,
        )
        for a in areas
        if a.level == "village" and a.lat is not None and a.lng is not None
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
    found = await store.level_and_parent(area_code)
    if found is None:
        return None
    level, parent = found
    return area_code if level == "township" else parent


async def upsert_point(spec: PointSpec, *, township_code: str) -> bool:
    return await store.upsert_point(
        code=spec.code,
        name=spec.name,
        kind=spec.kind,
        area_code=spec.area_code,
        township_code=township_code,
        lat=spec.lat,
        lng=spec.lng,
        address=spec.address,
        phone=spec.phone,
        hours=spec.hours,
    )


async def add_handles(pairs: list[tuple[str, str]]) -> int:
    """Record (point code, item code) pairs; returns how many were new."""
    added = 0
    for start in range(0, len(pairs), 1000):
        chunk = pairs[start : start + 1000]
        added += await store.add_handles([p for p, _ in chunk], [i for _, i in chunk])
    return added


async def point_codes() -> set[str]:
    return await store.point_codes()


async def areas_by_code() -> dict[str, dict[str, Any]]:
    """Every area as a plain dict by code (the import adds the batch's areas to it)."""
    return {
        a.code: {
            "code": a.code,
            "name": a.name,
            "level": a.level,
            "parent": a.parent_code,
            "lat": a.lat,
            "lng": a.lng,
            "population": a.population,
        }
        for a in await store.places()
    }


catalogue.on_change(forget)
