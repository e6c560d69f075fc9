"""What identity reads of the areas (``area``, owned by ``backend.geo``) when it checks input."""

from __future__ import annotations

from backend import db


async def level_of(*, area_code: str) -> str | None:
    """The level of the area (``district``, ``township``, ``village``), or None: no such area."""
    row = await db.fetchrow("SELECT level FROM area WHERE code = $1", area_code)
    return None if row is None else str(row["level"])
