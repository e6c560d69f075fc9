"""What the staff desks read of the area tree: an area's level."""

from __future__ import annotations

from backend.geo.tables import Area


async def area_level(code: str) -> str | None:
    """The level of the area (``township``, ``village``…), None for an unknown code."""
    row = await Area.select(Area.level).where(Area.code == code).first().run()
    return str(row["level"]) if row is not None else None
