"""Identity's writes in bulk, for the demo data: staff accounts sharing one password hash, and
generated citizens copied in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import asyncpg

from backend.identity.tables import StaffUser

_CITIZEN_COLUMNS: Final = ["id", "name", "village", "identity_bound", "created_at", "updated_at"]


@dataclass(frozen=True, slots=True)
class NewStaff:
    username: str
    display_name: str
    role: str
    area_code: str
    department_code: str | None


async def insert_staff(accounts: list[NewStaff], *, password_hash: str) -> None:
    """Add these accounts, all with the same password hash, in one statement."""
    if not accounts:
        return
    await StaffUser.insert(
        *[
            StaffUser(
                username=a.username,
                display_name=a.display_name,
                password_hash=password_hash,
                role=a.role,
                area=a.area_code,
                department=a.department_code,
            )
            for a in accounts
        ]
    ).run()


async def copy_citizens(
    conn: asyncpg.Connection,
    citizens: list[tuple[uuid.UUID, str]],
    *,
    name: str,
    identity_bound: bool,
    at: datetime,
) -> None:
    """COPY (id, village code) pairs in as citizens of this name, created at ``at``."""
    await conn.copy_records_to_table(
        "citizen",
        records=[(c, name, village, identity_bound, at, at) for c, village in citizens],
        columns=_CITIZEN_COLUMNS,
    )


async def agents_by_village(conn: asyncpg.Connection) -> dict[str, uuid.UUID]:
    """One active village agent per village (the first by username): whom generated agent
    filings name as their filer."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (area) area, id FROM staff_user"
        " WHERE role = 'agent' AND active ORDER BY area, username"
    )
    return {str(r["area"]): r["id"] for r in rows}
