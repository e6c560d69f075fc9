"""Township shapes for the dashboard's map: a district's real boundary file when one was
imported, else the demo's schematic shapes (示意, ``backend/geo/schematic.py``).

A boundary file is a GeoJSON ``FeatureCollection`` with one feature per township, its
``properties.code`` the township's code in the area tree (``code``, ``areacode`` or ``adcode``
are read, in that order) and a ``Polygon`` or ``MultiPolygon`` geometry in longitude/latitude
(WGS-84, GeoJSON's order). :func:`check` refuses a bad file whole with every problem in
Chinese; nothing is written then.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from backend.geo.store import areas as area_store
from backend.geo.store import boundaries as store

SCHEMATIC_FILE: Final = (
    Path(__file__).resolve().parent.parent / "demo" / "data" / "townships.geojson"
)
CODE_KEYS: Final = ("code", "areacode", "adcode")
MAX_BYTES: Final = 20 * 1024 * 1024
MAX_ERRORS: Final = 50
MAX_POINTS: Final = 200_000


class BoundaryFileRejected(ValueError):
    """The file was refused; ``errors`` says why, in Chinese, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(slots=True)
class _Check:
    errors: list[str] = field(default_factory=list)
    points: int = 0

    def add(self, text: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(text)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ring(ring: Any, where: str, found: _Check) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        found.add(f"{where}：每个环至少要有 4 个点（首尾相同）。")
        return
    for point in ring:
        if not (isinstance(point, list) and len(point) >= 2 and all(_number(v) for v in point[:2])):
            found.add(f"{where}：坐标须为 [经度, 纬度] 两个数。")
            return
        lng, lat = point[0], point[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            found.add(f"{where}：坐标 [{lng}, {lat}] 超出经纬度范围（应为 [经度, 纬度]）。")
            return
    found.points += len(ring)
    if ring[0][:2] != ring[-1][:2]:
        found.add(f"{where}：环没有闭合（第一个点和最后一个点须相同）。")


def _geometry(geometry: Any, where: str, found: _Check) -> None:
    if not isinstance(geometry, dict):
        found.add(f"{where}：缺少 geometry（镇街的边界）。")
        return
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        polygons = coords
    else:
        found.add(f"{where}：边界须为 Polygon 或 MultiPolygon，不能是 {kind or '空'}。")
        return
    if not polygons:
        found.add(f"{where}：边界没有任何多边形。")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            found.add(f"{where}：多边形没有坐标。")
            continue
        for ring in polygon:
            _ring(ring, where, found)


def _plain(geometry: dict[str, Any]) -> dict[str, Any]:
    """A checked geometry with only what the map draws: its type and [lng, lat] pairs (other
    keys and a point's further values are dropped, never stored or sent to a page)."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    plain = [[[[float(p[0]), float(p[1])] for p in ring] for ring in poly] for poly in polygons]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": plain[0]}
    return {"type": "MultiPolygon", "coordinates": plain}


def check(raw: bytes, townships: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """The (township code, geometry) pairs of a boundary file, checked against ``townships``
    (code → name, the district's townships); :class:`BoundaryFileRejected` for a bad file."""
    if len(raw) > MAX_BYTES:
        raise BoundaryFileRejected([f"文件太大（超过 {MAX_BYTES // 1024 // 1024} MB）。"])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BoundaryFileRejected(["文件不是 UTF-8 编码的文本。"]) from exc
    except json.JSONDecodeError as exc:
        raise BoundaryFileRejected(
            [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列有误。"]
        ) from exc
    except (RecursionError, ValueError) as exc:  # nesting too deep, a number too long
        raise BoundaryFileRejected(["不是有效的边界文件：嵌套层数过多或数字位数过长。"]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryFileRejected(
            ["文件须为 GeoJSON 的 FeatureCollection（type 为 FeatureCollection）。"]
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryFileRejected(["FeatureCollection 里没有任何 feature（镇街）。"])
    found = _Check()
    pairs: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for index, feature in enumerate(features, start=1):
        where = f"第 {index} 个 feature"
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            found.add(f"{where}：缺少 properties（须有镇街代码 code）。")
            continue
        code = next(
            (str(props[k]).strip() for k in CODE_KEYS if props.get(k) not in (None, "")), ""
        )
        if not code:
            found.add(f"{where}：properties 里没有镇街代码（code、areacode 或 adcode）。")
            continue
        where = f"{where}（代码 {code}）"
        if code not in townships:
            found.add(f"{where}：本区没有这个代码的镇街。")
            continue
        if code in seen:
            found.add(f"{where}：{townships[code]}出现了不止一次。")
            continue
        seen.add(code)
        before = len(found.errors)
        _geometry(feature.get("geometry"), f"{where}{townships[code]}", found)
        if len(found.errors) == before:
            pairs.append((code, _plain(feature["geometry"])))
    if found.points > MAX_POINTS:
        found.add(f"边界点太多（{found.points} 个，最多 {MAX_POINTS} 个），请先简化边界。")
    missing = [name for code, name in sorted(townships.items()) if code not in seen]
    if missing and len(missing) < len(townships):
        found.add(f"缺少 {len(missing)} 个镇街的边界：" + "、".join(missing) + "。")
    if found.errors:
        raise BoundaryFileRejected(found.errors)
    return pairs


async def _townships() -> dict[str, str]:
    return {a.code: a.name for a in await area_store.all_areas() if a.level == "township"}


async def import_file(path: Path) -> int:
    """Check a district's boundary file and, when every township is there and sound, replace
    the stored boundaries by it; returns how many townships it holds."""
    try:
        raw = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise BoundaryFileRejected([f"读不了文件 {path.name}：{exc.strerror or exc}。"]) from exc
    pairs = check(raw, await _townships())
    await store.replace_all(pairs, source=path.name[:200])
    return len(pairs)


async def reset() -> int:
    """Forget the imported boundaries: the map goes back to the schematic shapes."""
    return await store.clear()


def schematic() -> dict[str, Any]:
    """The demo's schematic shapes, as shipped."""
    data: dict[str, Any] = json.loads(SCHEMATIC_FILE.read_text(encoding="utf-8"))
    return data


async def township_map(*, township: str | None = None) -> dict[str, Any]:
    """The FeatureCollection the map draws (``schematic`` true for the demo's shapes), each
    feature with ``code``, ``name`` and ``cp`` (where its name goes); only ``township``'s
    feature when one is given."""
    rows = await store.all_boundaries()
    if rows:
        collection: dict[str, Any] = {
            "type": "FeatureCollection",
            "schematic": False,
            "features": [
                {
                    "type": "Feature",
                    "properties": {
                        "code": r.code,
                        "name": r.name,
                        **(
                            {"cp": [r.lng, r.lat]}
                            if r.lat is not None and r.lng is not None
                            else {}
                        ),
                    },
                    "geometry": r.geometry,
                }
                for r in rows
            ],
        }
    else:
        collection = schematic()
        names = await _townships()
        collection["features"] = [
            f for f in collection["features"] if f["properties"]["code"] in names
        ]
    if township is not None:
        collection["features"] = [
            f for f in collection["features"] if f["properties"]["code"] == township
        ]
    return collection
