"""Identity reads for the oversight contexts (platform forwarding, supervision)."""

from __future__ import annotations

from uuid import UUID

from backend import db
from backend.identity.tables import Citizen


async def citizen_village(citizen_id: UUID | str) -> str | None:
    """The village a citizen registered in, or None (unknown citizen or none given)."""
    found = await Citizen.select(Citizen.village).where(Citizen.id == citizen_id).first().run()
    return str(found["village"]) if found and found["village"] else None


async def staff_ids_named(name_or_id: str) -> list[str]:
    """The ids of the staff members whose username or id is this (none: an empty list)."""
    rows = await db.fetch(
        "SELECT id::text AS id FROM staff_user WHERE username = $1 OR id::text = $1", name_or_id
    )
    return [str(r["id"]) for r in rows]


async def first_supervisor(area: str) -> str | None:
    """The id of the area's longest-serving active supervisor, or None."""
    row = await db.fetchrow(
        "SELECT id::text AS id FROM staff_user WHERE role = 'supervisor' AND active AND area = $1"
        " ORDER BY created_at, username LIMIT 1",
        area,
    )
    return None if row is None else str(row["id"])


async def citizen_name_masked(citizen_id: UUID | str) -> tuple[str, str]:
    """``(name, masked ID number)`` of a citizen; empty strings for an unknown one."""
    row = await db.fetchrow(
        "SELECT name, id_number_masked FROM citizen WHERE id = $1::uuid", str(citizen_id)
    )
    if row is None:
        return "", ""
    return row["name"] or "", row["id_number_masked"] or ""
