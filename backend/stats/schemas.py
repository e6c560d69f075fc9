"""What the statistics routes answer (the dashboard reads the same Structs)."""

from __future__ import annotations

import msgspec


class Totals(msgspec.Struct):
    cases: int
    open: int
    closed: int


class Satisfaction(msgspec.Struct):
    count: int
    average: float | None
    bad_share: float | None


class TownshipFigures(msgspec.Struct):
    code: str
    name: str
    cases: int
    on_time_rate: float | None
    satisfaction: float | None
    delegated_share: float | None
    local_share: float | None
    ratings: int


class ItemFigures(msgspec.Struct):
    code: str
    name: str
    cases: int
    on_time_rate: float | None
    satisfaction: Satisfaction


class NamedCount(msgspec.Struct):
    code: str
    name: str
    cases: int


class VillageFigures(msgspec.Struct):
    code: str
    name: str
    township_code: str
    cases: int


class DayFigures(msgspec.Struct):
    date: str
    submitted: int
    closed: int


class WorkingDays(msgspec.Struct):
    """Working days (the workdays calendar): mean and nearest-rank 90th percentile."""

    avg: float | None
    p90: int | None
    count: int


class Trips(msgspec.Struct):
    avg: float | None
    at_most_one_share: float | None
    cases: int  # closed cases the trips are counted over


class Coverage(msgspec.Struct):
    share: float | None  # mean over villages of the share of items within 30 minutes
    villages: int
    villages_fully_covered: int
    computed_at: str | None


class Overview(msgspec.Struct, rename={"date_from": "from", "date_to": "to"}):
    """``GET /api/v1/stats/overview`` — figures of the cases submitted in ``from..to``."""

    date_from: str
    date_to: str
    township: str | None
    totals: Totals
    by_status: dict[str, int]
    by_channel: dict[str, int]
    by_filed_by: dict[str, int]
    by_township: list[TownshipFigures]
    by_item: list[ItemFigures]
    by_department: list[NamedCount]
    by_village: list[VillageFigures]
    by_day: list[DayFigures]
    delegated_share: float | None
    local_share: float | None
    on_time_rate: float | None
    working_days_to_accept: WorkingDays
    working_days_to_deliver: WorkingDays
    trips_per_case: Trips
    satisfaction: Satisfaction
    coverage_30min: Coverage
    refreshed_at: str | None
