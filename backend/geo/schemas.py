from __future__ import annotations

import msgspec


class AreaOut(msgspec.Struct):
    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None


class AreaPage(msgspec.Struct):
    items: list[AreaOut]
    total: int


class NearbyOut(msgspec.Struct):
    id: str
    name: str
    kind: str
    kind_label: str
    township_code: str
    distance_m: int
    travel_minutes: float
    open_now: bool
    address: str
    phone: str
    hours: str


class NearbyPage(msgspec.Struct):
    items: list[NearbyOut]
    total: int


class VillageCoverageOut(msgspec.Struct):
    code: str
    name: str
    township_code: str
    township_name: str
    minutes: dict[str, float | None]
    share_within_30: float
    gaps: list[str]


class CoverageOut(msgspec.Struct):
    mode: str
    target_minutes: int
    item_codes: list[str]
    district_share_within_30: float
    villages_with_gaps: int
    items: list[VillageCoverageOut]
    total: int
