"""Schematic township shapes (示意) for a district without real boundaries.

No official boundary file is available for the demo district, so the dashboard's map draws
*schematic* shapes: the Voronoi cells of the township centres (every point nearer that centre
than any other), clipped to the district's outline — the convex hull of every township and
village centre, pushed out by a margin. They show where each township lies and who its
neighbours are, never where its border runs; the map says so (示意).

Plain Python (27 centres: 27 × 26 half-plane clips), computed once by
``scripts/make_schematic_townships.py`` and shipped as ``backend/demo/data/townships.geojson``.
Distances are measured on a local equirectangular projection (longitude scaled by the cosine of
the mean latitude), so a cell's border is where the two centres are equally far on the ground.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

Point = tuple[float, float]  # (x, y) in the local projection, or (lng, lat)

MARGIN_KM: Final = 2.5
"""How far the district outline lies outside the outermost centres."""
KM_PER_DEGREE: Final = 111.32


@dataclass(frozen=True, slots=True)
class Centre:
    """A township: its code, name and centre (degrees)."""

    code: str
    name: str
    lat: float
    lng: float


def convex_hull(points: Sequence[Point]) -> list[Point]:
    """The convex hull, counter-clockwise, without repeating the first point (monotone chain)."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def grow(polygon: list[Point], by: float) -> list[Point]:
    """Push a convex polygon's corners out by ``by`` (along the bisector of each corner)."""
    out = []
    n = len(polygon)
    for i, p in enumerate(polygon):
        a, b = polygon[i - 1], polygon[(i + 1) % n]
        normals = []
        for u, v in ((a, p), (p, b)):  # outward normal of a counter-clockwise edge
            dx, dy = v[0] - u[0], v[1] - u[1]
            length = math.hypot(dx, dy) or 1.0
            normals.append((dy / length, -dx / length))
        nx, ny = normals[0][0] + normals[1][0], normals[0][1] + normals[1][1]
        length = math.hypot(nx, ny) or 1.0
        cos_half = max(0.3, (nx * normals[0][0] + ny * normals[0][1]) / length)
        out.append((p[0] + nx / length * by / cos_half, p[1] + ny / length * by / cos_half))
    return out


def clip(polygon: list[Point], site: Point, other: Point) -> list[Point]:
    """The part of ``polygon`` nearer ``site`` than ``other`` (Sutherland–Hodgman, one edge)."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    dx, dy = other[0] - site[0], other[1] - site[1]

    def side(p: Point) -> float:  # < 0: nearer site
        return (p[0] - mx) * dx + (p[1] - my) * dy

    out: list[Point] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        sc, sp = side(current), side(previous)
        if sc <= 0:
            if sp > 0:
                out.append(_cut(previous, current, sp, sc))
            out.append(current)
        elif sp <= 0:
            out.append(_cut(previous, current, sp, sc))
    return out


def _cut(a: Point, b: Point, sa: float, sb: float) -> Point:
    t = sa / (sa - sb)
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def cells(sites: Sequence[Point], outline: list[Point]) -> list[list[Point]]:
    """Each site's Voronoi cell inside ``outline`` (a convex polygon)."""
    found = []
    for i, site in enumerate(sites):
        cell = list(outline)
        for j, other in enumerate(sites):
            if i != j and cell:
                cell = clip(cell, site, other)
        found.append(cell)
    return found


def township_shapes(townships: Sequence[Centre], others: Sequence[Point]) -> dict[str, Any]:
    """The schematic shapes as a GeoJSON FeatureCollection (properties: code, name, centre,
    ``schematic: true``); ``others`` are further (lat, lng) points the outline must hold (the
    villages)."""
    lat0 = sum(t.lat for t in townships) / len(townships)
    kx = math.cos(math.radians(lat0))

    def to_xy(lat: float, lng: float) -> Point:
        return (lng * kx * KM_PER_DEGREE, lat * KM_PER_DEGREE)

    def to_lnglat(p: Point) -> list[float]:
        return [round(p[0] / kx / KM_PER_DEGREE, 5), round(p[1] / KM_PER_DEGREE, 5)]

    sites = [to_xy(t.lat, t.lng) for t in townships]
    outline = grow(convex_hull([*sites, *(to_xy(lat, lng) for lat, lng in others)]), MARGIN_KM)
    features = []
    for township, cell in zip(townships, cells(sites, outline), strict=True):
        ring = [to_lnglat(p) for p in cell]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": township.code,
                    "name": township.name,
                    "cp": [township.lng, township.lat],
                    "schematic": True,
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "schematic": True, "features": features}
