"""What the delegation context reads of areas: an area's level and parent."""

from __future__ import annotations

from dataclasses import dataclass

from backend.geo.tables import Area


@dataclass(frozen=True, slots=True)
class AreaPlace:
    level: str  # village | township | district …
    parent: str | None


async def place_of(code: str) -> AreaPlace | None:
    row = await Area.select(Area.level, Area.parent).where(Area.code == code).first().run()
    return AreaPlace(row["level"], row["parent"]) if row else None
