"""An SVG map of villages coloured by 30-minute coverage (standard library only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from backend.geo.points import PointView, VillageView
from backend.geo.reach import CoverageReport

WIDTH = 900
MARGIN = 40


def _colour(share: float) -> str:
    """Red (0 %) → amber (50 %) → green (100 %)."""
    share = max(0.0, min(1.0, share))
    if share < 0.5:
        r, g = 215, int(60 + share * 2 * 150)
    else:
        r, g = int(215 - (share - 0.5) * 2 * 170), 190
    return f"#{r:02x}{g:02x}40"


def render(
    report: CoverageReport, villages: Sequence[VillageView], halls: Sequence[PointView], title: str
) -> str:
    where = {v.code: v.where for v in villages}
    lats = [p.lat for p in where.values()] + [h.where.lat for h in halls]
    lngs = [p.lng for p in where.values()] + [h.where.lng for h in halls]
    if not lats:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="100">'
            '<text x="20" y="50">无数据</text></svg>'
        )
    lat0, lat1, lng0, lng1 = min(lats), max(lats), min(lngs), max(lngs)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lng1 - lng0) * kx, 1e-6)
    span_y = max(lat1 - lat0, 1e-6)
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = int(span_y * scale + 2 * MARGIN + 60)

    def xy(lat: float, lng: float) -> tuple[float, float]:
        return MARGIN + (lng - lng0) * kx * scale, MARGIN + 40 + (lat1 - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">',
        '<rect width="100%" height="100%" fill="#f8f9fb"/>',
        f'<text x="{MARGIN}" y="28" font-size="18">{escape(title)}</text>',
    ]
    for hall in halls:
        x, y = xy(hall.where.lat, hall.where.lng)
        parts.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#1d4e9e">'
            f"<title>{escape(hall.name)}</title></rect>"
        )
    for v in report.villages:
        point = where.get(v.code)
        if point is None:
            continue
        x, y = xy(point.lat, point.lng)
        label = (
            f"{v.township_name}{v.name}：{v.share_within:.0%} 的事项"
            f"可在 {report.target_minutes} 分钟内办理"
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{_colour(v.share_within)}"'
            ' stroke="#333" stroke-width="0.5">'
            f"<title>{escape(label)}</title></circle>"
        )
        if v.share_within < 0.8:  # label only the villages the district must look at
            parts.append(
                f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="10" fill="#a00">'
                f"{escape(v.name)}</text>"
            )
    legend_y = height - 14
    for i, share in enumerate((0.0, 0.25, 0.5, 0.75, 1.0)):
        x = MARGIN + i * 90
        parts.append(f'<circle cx="{x}" cy="{legend_y - 4}" r="6" fill="{_colour(share)}"/>')
        parts.append(f'<text x="{x + 10}" y="{legend_y}" font-size="11">{share:.0%}</text>')
    parts.append(
        f'<text x="{MARGIN + 470}" y="{legend_y}" font-size="11">'
        "■ 镇街便民服务中心（演示数据，坐标为估算）</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)
