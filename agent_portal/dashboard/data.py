"""What the dashboard shows, read through the statistics domain (``backend.stats.service``).

Every figure comes from ``service.overview`` — the function behind ``GET /api/v1/stats/overview``
— with the same defaults and the same township rule: a township supervisor sees their own
township only (another one is the 404 page), a district supervisor or an administrator any
township or the whole district. The map of villages shows the coverage the statistics cron
caches (``backend.stats.service.coverage_by_village``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from agent_portal.common.errors import WrongRole
from agent_portal.dashboard import texts
from backend.clock import today
from backend.errors import InvalidInput
from backend.geo import boundaries, points, reach
from backend.geo.travel import TravelTimeProvider
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.stats import service
from backend.stats.jobs import COVERAGE_MODE
from backend.stats.routes import DEFAULT_DAYS
from backend.stats.schemas import Overview

READERS: Final = frozenset({roles.SUPERVISOR, roles.ADMIN})
SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Filters:
    """The range and township asked for, after the township rule was applied."""

    date_from: dt.date
    date_to: dt.date
    township: str | None  # None: the whole district
    township_name: str
    locked: bool  # a township supervisor: the township is not theirs to choose
    townships: list[tuple[str, str]]  # (code, name) the person may choose from

    def query(self, **extra: str) -> str:
        """The filters as a query string, for links that keep them (sorting, exports)."""
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.township and not self.locked:
            params["township"] = self.township
        params.update(extra)
        return urlencode(params)

    @property
    def period(self) -> str:
        return f"{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}"

    @property
    def subtitle(self) -> str:
        return f"{self.township_name}，{self.date_from.isoformat()} 至 {self.date_to.isoformat()}"


def _day(value: str | None, *, default: dt.date) -> dt.date:
    if value is None or not value.strip():
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(texts.DATE_INVALID, code="date_invalid") from exc


async def filters(
    staff: StaffAccount, *, date_from: str | None, date_to: str | None, township: str | None
) -> Filters:
    """Who may read what, then the dates (``InvalidInput`` for a bad one): as the API decides."""
    if staff.role not in READERS:
        raise WrongRole(roles.SUPERVISOR)
    scope = await service.township_scope(area_code=staff.area_code, township=township or None)
    end = _day(date_to, default=today())
    start = _day(date_from, default=end - dt.timedelta(days=DEFAULT_DAYS - 1))
    service.check_range(start, end)
    known = await service.names()
    own = known.areas.get(staff.area_code)
    locked = own is not None and own[2] == "township"
    choices = sorted(
        (code, name) for code, (name, _, level) in known.areas.items() if level == "township"
    )
    if locked:
        choices = [(code, name) for code, name in choices if code == scope]
    name = known.areas[scope][0] if scope in known.areas else texts.DISTRICT_WIDE
    return Filters(start, end, scope, name, locked, choices)


async def overview(f: Filters) -> Overview:
    return await service.overview(date_from=f.date_from, date_to=f.date_to, township=f.township)


async def village_coverage(*, township: str | None, travel: TravelTimeProvider) -> list[list[Any]]:
    """``[lng, lat, share, village, township, township code]`` per village with a position on
    the map: the
    statistics cron's cached coverage (the numbers the headline sums up), computed live only
    before the cron's first run."""
    cached = await service.coverage_by_village(township=township)
    if cached:
        return [
            [v.lng, v.lat, round(v.share, 4), v.name, v.township_name, v.township_code]
            for v in cached
            if v.lat is not None and v.lng is not None
        ]
    report = await reach.coverage(item_code=None, mode=COVERAGE_MODE, travel=travel)
    where = {v.code: v.where for v in (await points.snapshot()).villages}
    return [
        [
            where[v.code].lng,
            where[v.code].lat,
            round(v.share_within, 4),
            v.name,
            v.township_name,
            v.township_code,
        ]
        for v in report.villages
        if v.code in where and (township is None or v.township_code == township)
    ]


async def township_map() -> dict[str, Any]:
    """The township shapes the map draws (GeoJSON): a district's imported boundaries, else the
    demo's schematic shapes (``schematic: true``, labelled 示意 on the page)."""
    return await boundaries.township_map()


def short_name(name: str) -> str:
    """A township's name without its 街道/镇/乡, for the map where space is short (北干街道 → 北干);
    a name that would be left with fewer than two characters stays whole."""
    for suffix in texts.TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _township_values(
    ov: Overview, villages: list[list[Any]], shapes: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per township on the map: its name (the shape's) and short name, the mean coverage of its
    villages on the map (``None`` when none) and its cases in the league (``None`` outside the
    scope)."""
    shares: dict[str, list[float]] = {}
    for village in villages:
        shares.setdefault(village[5], []).append(village[2])
    cases = {t.code: t.cases for t in ov.by_township}
    out = []
    for feature in shapes["features"]:
        code = feature["properties"]["code"]
        found = shares.get(code)
        out.append(
            {
                "name": feature["properties"]["name"],
                "short": short_name(feature["properties"]["name"]),
                "code": code,
                "value": round(sum(found) / len(found), 4) if found else None,
                "cases": cases.get(code),
            }
        )
    return out


def chart_data(ov: Overview, villages: list[list[Any]], shapes: dict[str, Any]) -> dict[str, Any]:
    """What ``static/dashboard.js`` draws; the page embeds it as JSON (no inline script). The
    map's GeoJSON comes with it (registered with ``echarts.registerMap``; nothing fetched)."""
    return {
        "days": [d.date for d in ov.by_day],
        "submitted": [d.submitted for d in ov.by_day],
        "closed": [d.closed for d in ov.by_day],
        "villages": villages,
        "shapes": shapes,
        "townships": _township_values(ov, villages, shapes),
        "schematic": bool(shapes.get("schematic")),
        "labels": texts.CHART_LABELS,
    }


def local_time(iso: str | None) -> str | None:
    """An ISO time from the API, as a person in Xiaoshan reads it."""
    if not iso:
        return None
    return dt.datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
