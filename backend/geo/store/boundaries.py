"""Imported township boundaries (``area_boundary``): replaced whole, read whole."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from backend import db


@dataclass(frozen=True, slots=True)
class BoundaryRow:
    code: str
    name: str
    lat: float | None
    lng: float | None
    geometry: dict[str, Any]


async def replace_all(rows: list[tuple[str, dict[str, Any]]], *, source: str) -> None:
    """Replace every stored boundary by these (township code, geometry) pairs, in one
    transaction."""
    async with db.engine().transaction(), db.connection() as conn:
        await conn.execute("DELETE FROM area_boundary")
        await conn.executemany(
            "INSERT INTO area_boundary (code, geometry, source, imported_at)"
            " VALUES ($1, $2::jsonb, $3, now())",
            [(code, json.dumps(geometry), source) for code, geometry in rows],
        )


async def clear() -> int:
    """Forget every imported boundary (the schematic shapes come back); how many there were."""
    async with db.connection() as conn:
        status = await conn.execute("DELETE FROM area_boundary")
    return int(status.split()[-1])


async def all_boundaries() -> list[BoundaryRow]:
    """Every imported boundary with its township's name and centre, by code."""
    rows = await db.fetch(
        "SELECT b.code, a.name, a.lat, a.lng, b.geometry::text AS geometry"
        " FROM area_boundary b JOIN area a ON a.code = b.code ORDER BY b.code"
    )
    return [
        BoundaryRow(r["code"], r["name"], r["lat"], r["lng"], json.loads(r["geometry"]))
        for r in rows
    ]
