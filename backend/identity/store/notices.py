"""What notifications read of people when a message is written or sent.

Payloads of outbox events name people by id only; the name a notice shows, the WeChat account
a message goes to and the sealed phone number an SMS needs are read here, when they are used
(so a person erased in the meantime is told nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend import db


@dataclass(frozen=True, slots=True)
class Contact:
    """How a citizen can be reached, and the name a staff notice calls them by."""

    citizen_id: str
    openid: str | None
    has_phone: bool
    name: str | None


@dataclass(frozen=True, slots=True)
class Person:
    """A citizen as an agent's notice names them (the ID number only masked)."""

    name: str | None
    id_number_masked: str | None


async def contact(citizen_id: str) -> Contact | None:
    row = await db.fetchrow(
        "SELECT id::text AS id, openid, phone_enc IS NOT NULL AS has_phone, name FROM citizen"
        " WHERE id = $1::uuid",
        citizen_id,
    )
    if row is None:
        return None
    return Contact(row["id"], row["openid"], bool(row["has_phone"]), row["name"])


async def person(citizen_id: str) -> Person | None:
    row = await db.fetchrow(
        "SELECT name, id_number_masked FROM citizen WHERE id = $1::uuid", citizen_id
    )
    return Person(row["name"], row["id_number_masked"]) if row is not None else None


async def names(citizen_ids: list[str]) -> dict[str, str | None]:
    """The names of these citizens, by id (those not found are left out)."""
    rows = await db.fetch(
        "SELECT id::text AS id, name FROM citizen WHERE id = ANY($1::uuid[])", citizen_ids
    )
    return {row["id"]: row["name"] for row in rows}


async def sealed_phone(citizen_id: str) -> str | None:
    """The citizen's phone number as stored (sealed); None when there is none."""
    row = await db.fetchrow("SELECT phone_enc FROM citizen WHERE id = $1::uuid", citizen_id)
    return row["phone_enc"] if row is not None and row["phone_enc"] else None


async def citizen_by_openid(openid: str) -> str | None:
    """The id of the citizen with this WeChat account, if any."""
    row = await db.fetchrow("SELECT id::text AS id FROM citizen WHERE openid = $1", openid)
    return str(row["id"]) if row is not None else None


async def staff_name(staff_id: str) -> str | None:
    row = await db.fetchrow("SELECT display_name FROM staff_user WHERE id = $1::uuid", staff_id)
    return str(row["display_name"]) if row is not None else None


async def active_supervisors(area: str) -> list[str]:
    """The ids of the active supervisors of an area, in a stable order."""
    rows = await db.fetch(
        "SELECT id::text AS id FROM staff_user WHERE role = 'supervisor' AND active AND area = $1"
        " ORDER BY id",
        area,
    )
    return [row["id"] for row in rows]


async def active_username(staff_id: str) -> list[str]:
    """The username of an active staff member (empty when inactive or unknown)."""
    rows = await db.fetch(
        "SELECT username FROM staff_user WHERE id = $1::uuid AND active", staff_id
    )
    return [row["username"] for row in rows]


async def desk_usernames(area: str) -> list[str]:
    """The usernames of the active window clerks and supervisors of an area."""
    rows = await db.fetch(
        "SELECT username FROM staff_user WHERE active AND area = $1"
        " AND role IN ('window', 'supervisor') ORDER BY username",
        area,
    )
    return [row["username"] for row in rows]


async def deletion_note(request_id: str) -> str | None:
    """The decision's note of a deletion request not yet carried out; None once it was (or
    when there is no such request)."""
    row = await db.fetchrow(
        "SELECT note FROM deletion_request WHERE id = $1::uuid AND status <> 'completed'",
        request_id,
    )
    return str(row["note"]) if row is not None else None


async def active_approvers(department: str, township: str | None) -> list[str]:
    """The ids of the active back-office approvers of a department who see a case of
    ``township``: those of that township and the district-level ones, in a stable order."""
    rows = await db.fetch(
        "SELECT s.id::text AS id FROM staff_user s LEFT JOIN area a ON a.code = s.area"
        " WHERE s.role = 'approver' AND s.active AND s.department = $1"
        " AND (s.area = $2::text OR a.level IS DISTINCT FROM 'township') ORDER BY s.id",
        department,
        township,
    )
    return [row["id"] for row in rows]


async def department_approvers(department: str, township: str | None) -> list[str]:
    """The ids of a department's active approvers who see an order about ``township`` (those of
    that township and the district-level ones), or, for None, all of them; a stable order."""
    if township is not None:
        return await active_approvers(department, township)
    rows = await db.fetch(
        "SELECT id::text AS id FROM staff_user"
        " WHERE role = 'approver' AND active AND department = $1 ORDER BY id",
        department,
    )
    return [row["id"] for row in rows]
