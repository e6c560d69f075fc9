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
