"""Geo's writes for the catalogue import and the demo data: areas upserted from a sheet, the
items a service point handles replaced, the demo note, and the villages the demo generator
files cases from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from backend import db

AreaChange = Literal["created", "updated", "unchanged"]

_UPSERT_AREA: Final = (
    "INSERT INTO area (code, name, level, parent, lat, lng, population, note, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, '', now())"
    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level,"
    " parent = EXCLUDED.parent, lat = EXCLUDED.lat, lng = EXCLUDED.lng,"
    " population = EXCLUDED.population"
    " WHERE (area.name, area.level, area.parent, area.lat, area.lng, area.population)"
    " IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent, EXCLUDED.lat,"
    " EXCLUDED.lng, EXCLUDED.population)"
    " RETURNING (xmax = 0) AS inserted"
)


async def upsert_area(
    *,
    code: str,
    name: str,
    level: str,
    parent_code: str | None,
    lat: float | None,
    lng: float | None,
    population: int | None,
) -> AreaChange:
    """Insert the area or bring it up to date; whether it was created, updated or unchanged."""
    row = await db.fetchrow(_UPSERT_AREA, code, name, level, parent_code, lat, lng, population)
    if row is None:
        return "unchanged"
    return "created" if row["inserted"] else "updated"


async def remove_handles(*, point_codes: list[str]) -> set[tuple[str, str]]:
    """Forget which items these service points handle; the (point, item) pairs removed."""
    rows = await db.fetch(
        "DELETE FROM service_point_item WHERE service_point = ANY($1::text[])"
        " RETURNING service_point, item",
        point_codes,
    )
    return {(r["service_point"], r["item"]) for r in rows}


async def mark_all(*, note: str) -> None:
    """Give every area and service point this note (the demo data says it is demo data)."""
    await db.execute("UPDATE area SET note = $1 WHERE note <> $1", note)
    await db.execute("UPDATE service_point SET note = $1 WHERE note <> $1", note)


@dataclass(frozen=True, slots=True)
class Village:
    """A village, its township and how many live there (1000 when unknown)."""

    code: str
    township_code: str
    population: int


async def villages() -> list[Village]:
    rows = await db.fetch(
        "SELECT code, parent, coalesce(population, 1000) AS population FROM area"
        " WHERE level = 'village'"
    )
    return [Village(r["code"], r["parent"], int(r["population"])) for r in rows]
