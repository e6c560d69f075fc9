"""Villagers an agent registered (``agent_registration``), the registrations referred to the
township (``registration_referral``), and the citizens an agent serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend import db
from backend.delegation.tables import Referral, Registration


@dataclass(frozen=True, slots=True)
class Villager:
    """A citizen in an agent's area, with what the agent's registration recorded."""

    id: str
    name: str | None
    village: str | None
    id_number_masked: str | None
    birth_year: int | None
    sex: str | None
    has_wechat: bool
    identity_verified: bool
    registered_by_agent: bool
    takeover_refused_at: datetime | None
    takeover_refused_reason: str | None


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """A referred registration as the township's list shows it."""

    id: str
    status: str  # pending | moved | refused
    village: str
    registered_name: str
    agent: str
    holder_name: str | None
    holder_id_masked: str | None
    holder_village: str | None
    created_at: datetime
    resolved_at: datetime | None
    note: str


@dataclass(frozen=True, slots=True)
class Settled:
    """A referral just settled: whose record, and the village the agent registered them in."""

    holder: str
    village: str


async def in_area(*, by_village: bool, area_code: str, only: str | None) -> list[Villager]:
    """Bound citizens of a village (or of a township's villages), by name; one when ``only``."""
    rows = await db.fetch(
        "SELECT c.id::text AS id, c.name, c.village, c.id_number_masked, c.birth_year, c.sex,"
        " (c.openid IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM wechat_account a WHERE a.citizen = c.id)) AS has_wechat,"
        " c.identity_verified,"
        " r.agent IS NOT NULL AS registered_by_agent, r.takeover_refused_at,"
        " r.takeover_refused_reason"
        " FROM citizen c JOIN area v ON v.code = c.village"
        " LEFT JOIN agent_registration r ON r.citizen = c.id"
        " WHERE c.identity_bound AND (CASE WHEN $1 THEN v.code ELSE v.parent END) = $2"
        " AND ($3::text IS NULL OR c.id::text = $3)"
        " ORDER BY c.name, c.id",
        by_village,
        area_code,
        only,
    )
    return [Villager(**dict(r)) for r in rows]


async def note_registered(*, citizen_id: str, agent_id: str) -> None:
    """The agent registered this villager (the first agent to do so is kept)."""
    await db.fetch(
        "INSERT INTO agent_registration (citizen, agent, registered_at)"
        " VALUES ($1::uuid, $2::uuid, now()) ON CONFLICT (citizen) DO NOTHING",
        citizen_id,
        agent_id,
    )


async def move_registration(*, from_citizen: str, into_citizen: str, at: datetime) -> None:
    await (
        Registration.update({Registration.citizen: into_citizen, Registration.taken_over_at: at})
        .where(Registration.citizen == from_citizen)
        .run()
    )


async def note_takeover_refused(*, citizen_id: str, reason: str) -> str | None:
    """Record why a WeChat account could not take the record over; the registering agent."""
    row = await db.fetchrow(
        "UPDATE agent_registration SET takeover_refused_at = now(),"
        " takeover_refused_reason = $1 WHERE citizen = $2::uuid RETURNING agent::text AS agent",
        reason,
        citizen_id,
    )
    return str(row["agent"]) if row else None


async def refer(*, agent_id: str, village: str, township: str, name: str, holder_id: str) -> str:
    """A pending referral for this holder and village (the one already pending, if any)."""
    row = await db.fetchrow(
        "INSERT INTO registration_referral (id, agent, village, township, name, holder, status,"
        " created_at, note) VALUES (gen_random_uuid(), $1::uuid, $2, $3, $4, $5::uuid, 'pending',"
        " now(), '') ON CONFLICT (holder, village) WHERE status = 'pending' DO NOTHING"
        " RETURNING id::text AS id",
        agent_id,
        village,
        township,
        name,
        holder_id,
    )
    if row:
        return str(row["id"])
    again = await db.fetchrow(
        "SELECT id::text AS id FROM registration_referral WHERE holder = $1::uuid"
        " AND village = $2 AND status = 'pending'",
        holder_id,
        village,
    )
    assert again is not None
    return str(again["id"])


async def referrals(
    *, township: str, status: str | None, page: int, page_size: int
) -> tuple[list[ReferralRow], int]:
    rows = await db.fetch(
        "SELECT r.id::text AS id, r.status, r.village, r.name AS registered_name,"
        " s.display_name AS agent, c.name AS holder_name, c.id_number_masked AS holder_id_masked,"
        " c.village AS holder_village, r.created_at, r.resolved_at, r.note,"
        " count(*) OVER () AS total"
        " FROM registration_referral r JOIN staff_user s ON s.id = r.agent"
        " JOIN citizen c ON c.id = r.holder"
        " WHERE r.township = $1 AND ($2::text IS NULL OR r.status = $2)"
        " ORDER BY r.created_at DESC, r.id LIMIT $3 OFFSET $4",
        township,
        status,
        page_size,
        (page - 1) * page_size,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [ReferralRow(**{k: v for k, v in dict(r).items() if k != "total"}) for r in rows], total


async def settle(
    *,
    referral_id: str,
    township: str,
    staff_id: str,
    outcome: str,
    note: str,
    at: datetime,
) -> Settled | None:
    """Settle a pending referral of this township; None when there is none such."""
    row = await db.fetchrow(
        "UPDATE registration_referral SET status = $1, resolved_at = $2,"
        " resolved_by = $3::uuid, note = $4 WHERE id::text = $5 AND township = $6"
        " AND status = 'pending'"
        " RETURNING holder::text AS holder, village",
        outcome,
        at,
        staff_id,
        note,
        referral_id,
        township,
    )
    return Settled(row["holder"], row["village"]) if row else None


async def erase_for(citizen_id: str) -> None:
    """A deleted person's registration record and any referral about them."""
    await Registration.delete().where(Registration.citizen == citizen_id).run()
    await Referral.delete().where(Referral.holder == citizen_id).run()
