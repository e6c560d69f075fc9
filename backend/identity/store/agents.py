"""What the delegation context reads of citizens: one an agent may serve, and names by id."""

from __future__ import annotations

from dataclasses import dataclass

from backend import db


@dataclass(frozen=True, slots=True)
class ServedCitizen:
    """A citizen with their village and township (whom an agent may serve is decided on these)."""

    id: str
    name: str | None
    village: str | None
    township: str | None
    has_wechat: bool
    id_number_masked: str | None
    identity_verified: bool


async def citizen_with_area(citizen_id: str) -> ServedCitizen | None:
    row = await db.fetchrow(
        "SELECT c.id::text AS id, c.name, c.village, v.parent AS township,"
        " (c.openid IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM wechat_account a WHERE a.citizen = c.id)) AS has_wechat,"
        " c.id_number_masked, c.identity_verified"
        " FROM citizen c LEFT JOIN area v ON v.code = c.village"
        " WHERE c.id::text = $1",
        citizen_id,
    )
    return ServedCitizen(**dict(row)) if row else None


async def names_by_id(ids: list[str]) -> dict[str, str]:
    """Citizens' names by id (an empty name for one without)."""
    if not ids:
        return {}
    rows = await db.fetch(
        "SELECT id::text AS id, name FROM citizen WHERE id = ANY($1::uuid[])", ids
    )
    return {r["id"]: r["name"] or "" for r in rows}
