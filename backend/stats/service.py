"""Figures for supervisors: ``overview`` reads only the roll-ups (docs/statistics.md).

A range is read as whole months from ``stats_monthly`` plus the days at either end from
``stats_daily``, so a year costs about as much as a month. Names of areas, items and
departments come from a small in-process cache.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

import msgspec

from backend.clock import SHANGHAI, today
from backend.errors import InvalidInput, NotFound
from backend.stats import model, store, texts
from backend.stats.schemas import (
    CaseTotals,
    ChannelCounts,
    CoverageFigures,
    DayFigures,
    DepartmentFigures,
    FiledByCounts,
    ItemFigures,
    Overview,
    SatisfactionFigures,
    StatusCounts,
    TownshipFigures,
    TripFigures,
    VillageFigures,
    WorkingDayFigures,
)
from backend.supervision import store as supervision

MAX_DAYS: Final = 1100
DISTRICT: Final = "*"
NAMES_TTL_S: Final = 60.0
HIST_ORDER: Final = [*(str(b) for b in range(model.HIST_MAX + 1)), "over"]

Sums = dict[str, int]
C = TypeVar("C", StatusCounts, ChannelCounts, FiledByCounts)


@dataclass(frozen=True, slots=True)
class Names:
    areas: dict[str, tuple[str, str | None, str]]  # code -> (name, parent code, level)
    items: dict[str, str]
    departments: dict[str, str]


_names: tuple[float, Names] | None = None


async def names() -> Names:
    global _names
    if _names is not None and time.monotonic() - _names[0] < NAMES_TTL_S:
        return _names[1]
    rows = await store.names()
    found = Names(rows.areas, rows.items, rows.departments)
    _names = (time.monotonic(), found)
    return found


def forget_names() -> None:
    global _names
    _names = None


async def township_scope(*, area_code: str | None, township: str | None) -> str | None:
    """The township a staff member may read: a township supervisor only their own (404 for any
    other), a district one any township or the whole district (``None``)."""
    known = await names()
    own = known.areas.get(area_code or "")
    if own is not None and own[2] == "township":
        if township is not None and township != area_code:
            raise NotFound(texts.TOWNSHIP_NOT_FOUND, code="township_not_found")
        return area_code
    if township is not None:
        found = known.areas.get(township)
        if found is None or found[2] != "township":
            raise NotFound(texts.TOWNSHIP_NOT_FOUND, code="township_not_found")
    return township


def check_range(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise InvalidInput(texts.RANGE_REVERSED, code="date_range_invalid")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidInput(texts.RANGE_TOO_LONG.format(days=MAX_DAYS), code="date_range_too_long")


Span = tuple[dt.date, dt.date]
NOTHING: Final[Span] = (dt.date(2000, 1, 2), dt.date(2000, 1, 1))  # an empty range


def split_range(date_from: dt.date, date_to: dt.date) -> tuple[list[dt.date], list[Span]]:
    """Whole months inside the range (their first days) and the days left at either end, as
    at most two spans (each from a month not wholly inside the range)."""
    months: list[dt.date] = []
    spans: list[Span] = []
    month = date_from.replace(day=1)
    while month <= date_to:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        last = following - dt.timedelta(days=1)
        if month >= date_from and last <= date_to:
            months.append(month)
        else:
            spans.append((max(month, date_from), min(last, date_to)))
        month = following
    return months, spans


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _avg(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def p90(histogram: Mapping[str, int]) -> int | None:
    """Nearest-rank 90th percentile of a working-day histogram (``over`` = HIST_MAX + 1)."""
    count = sum(histogram.values())
    if not count:
        return None
    rank = math.ceil(0.9 * count)
    seen = 0
    for index, bucket in enumerate(HIST_ORDER):
        seen += histogram.get(bucket, 0)
        if seen >= rank:
            return index
    return model.HIST_MAX + 1


def _satisfaction(s: Sums) -> SatisfactionFigures:
    return SatisfactionFigures(
        s["sat_count"], _avg(s["sat_sum"], s["sat_count"]), _share(s["sat_bad"], s["sat_count"])
    )


def _working_days(total: Sums, histogram: dict[str, int], n: str, sum_: str) -> WorkingDayFigures:
    return WorkingDayFigures(_avg(total[sum_], total[n]), p90(histogram), total[n])


async def overview(
    *, date_from: dt.date, date_to: dt.date, township: str | None = None
) -> Overview:
    """Figures of the cases submitted ``date_from..date_to`` (Asia/Shanghai days), for one
    township or (``None``) the whole district. Callers check who may see which township
    (:func:`township_scope`)."""
    check_range(date_from, date_to)
    months, spans = split_range(date_from, date_to)
    first, second = [*spans, NOTHING, NOTHING][:2]
    scope = township or DISTRICT
    found = await store.overview_rows(
        scope=scope,
        township=township,
        months=months,
        spans=(*first, *second),
        date_from=date_from,
        date_to=date_to,
    )
    rows, day_rows, cover, mark = found.sums, found.days, found.coverage, found.refreshed_at
    known = await names()
    by: dict[str, dict[str, Sums]] = {dim: {} for dim in model.DIMS}
    for row in rows:
        by[row.dim][row.key] = row.sums
    total = by["all"].get("", dict.fromkeys(model.MEASURES, 0))
    return Overview(
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        township=township,
        totals=CaseTotals(
            total["cases"],
            total["open"],
            total["closed"],
            total["bundles"],
            total["items"],
            total["items"] - total["cases"] + total["bundles"],
        ),
        by_status=_counts(by["status"], StatusCounts),
        by_channel=_counts(by["channel"], ChannelCounts),
        by_filed_by=_counts(by["kind"], FiledByCounts),
        by_township=_townships(found.league, await _supervised(township, date_from, date_to)),
        by_item=[
            ItemFigures(
                code,
                known.items.get(code, code),
                s["items"],
                _share(s["on_time"], s["due"]),
                _satisfaction(s),
            )
            for code, s in _biggest(by["item"], "items")
        ],
        by_department=[
            DepartmentFigures(code, known.departments.get(code, code), s["items"])
            for code, s in _biggest(by["department"], "items")
        ],
        by_village=[
            VillageFigures(
                code,
                known.areas.get(code, (code, None, ""))[0],
                known.areas.get(code, ("", "", ""))[1] or "",
                s["cases"],
            )
            for code, s in _biggest(by["village"])
        ],
        by_day=_days(day_rows, date_from, date_to),
        delegated_share=_share(total["delegated"], total["cases"]),
        local_share=_share(total["local"], total["items"]),
        on_time_rate=_share(total["on_time"], total["due"]),
        working_days_to_accept=_working_days(total, _hist(by["wd_accept"]), "wa_n", "wa_sum"),
        working_days_to_deliver=_working_days(total, _hist(by["wd_deliver"]), "wd_n", "wd_sum"),
        trips_per_case=TripFigures(
            _avg(total["trips_sum"], total["closed"]),
            _share(total["trips_le1"], total["closed"]),
            total["closed"],
        ),
        satisfaction=_satisfaction(total),
        coverage_30min=_coverage(cover),
        refreshed_at=mark.isoformat() if mark else None,
    )


def _counts(rows: dict[str, Sums], kind: type[C]) -> C:
    """Cases per status, channel or filer; a key outside the enumeration is left out."""
    return msgspec.convert({key: s["cases"] for key, s in rows.items() if key}, kind)


def _biggest(rows: dict[str, Sums], measure: str = "cases") -> list[tuple[str, Sums]]:
    return sorted(((k, s) for k, s in rows.items() if k), key=lambda kv: (-kv[1][measure], kv[0]))


def _hist(rows: dict[str, Sums]) -> dict[str, int]:
    """Items per working-day bucket (the working days are counted per item)."""
    return {key: s["items"] for key, s in rows.items()}


@dataclass(frozen=True, slots=True)
class _Supervised:
    """Supervision's figures of the townships in a period: urges and rectification orders."""

    urges: dict[str, int]
    orders: dict[str, supervision.OrderCounts]


async def _supervised(township: str | None, date_from: dt.date, date_to: dt.date) -> _Supervised:
    """Urges made and rectification orders issued ``date_from..date_to`` (Asia/Shanghai days)."""
    since = dt.datetime.combine(date_from, dt.time(), tzinfo=SHANGHAI)
    until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    urges = await supervision.urge_counts(
        by="township", township=township, since=since, until=until
    )
    orders = await supervision.order_counts(
        today=today(), township=township, since=date_from, until=date_to
    )
    return _Supervised({u.code: u.urges for u in urges}, {o.township: o for o in orders})


def _townships(rows: list[store.LeagueRow], supervised: _Supervised) -> list[TownshipFigures]:
    """Every township of the scope, those without a case too (the store's rows come from the
    area list, so a township with no case has zeros)."""
    none = supervision.OrderCounts("", 0, 0, 0, 0)
    return [
        TownshipFigures(
            r.code,
            r.name,
            s["cases"],
            _share(s["on_time"], s["due"]),
            _avg(s["sat_sum"], s["sat_count"]),
            _share(s["delegated"], s["cases"]),
            _share(s["local"], s["items"]),
            s["sat_count"],
            s["items"],
            urges=supervised.urges.get(r.code, 0),
            rectifications=o.open + o.closed_on_time + o.closed_late + o.overdue,
            rectifications_overdue=o.overdue + o.closed_late,
        )
        for r in rows
        for s in (r.sums,)
        for o in (supervised.orders.get(r.code, none),)
    ]


def _days(rows: list[store.DayCount], date_from: dt.date, date_to: dt.date) -> list[DayFigures]:
    submitted: dict[dt.date, int] = {}
    closed: dict[dt.date, int] = {}
    for row in rows:
        target = submitted if row.dim == "all" else closed
        target[row.day] = row.cases
    out = []
    day = date_from
    while day <= date_to:
        out.append(DayFigures(day.isoformat(), submitted.get(day, 0), closed.get(day, 0)))
        day += dt.timedelta(days=1)
    return out


def _coverage(row: store.CoverageSummary | None) -> CoverageFigures:
    if row is None or not row.villages:
        return CoverageFigures(None, 0, 0, None)
    return CoverageFigures(
        round(row.share, 4),
        row.villages,
        row.covered,
        row.computed_at.isoformat() if row.computed_at else None,
    )


@dataclass(frozen=True, slots=True)
class VillageCoverage:
    code: str
    name: str
    township_code: str
    township_name: str
    lat: float | None
    lng: float | None
    share: float  # of the personal items reachable within 30 minutes


async def coverage_by_village(*, township: str | None) -> list[VillageCoverage]:
    """Each village's 30-minute coverage as the roll-up cron last cached it (empty before its
    first run) — the same numbers ``overview``'s ``coverage_30min`` sums up."""
    return [
        VillageCoverage(
            r.village,
            r.name,
            r.township,
            r.township_name or r.township,
            r.lat,
            r.lng,
            r.share / 1000,
        )
        for r in await store.coverage_by_village(township)
    ]
