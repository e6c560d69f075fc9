"""Citizens (``citizen``, ``wechat_session``): the typed rows other contexts read, and writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from backend import db
from backend.identity.idnumber import Sex
from backend.identity.ids import is_uuid
from backend.identity.tables import Citizen, WeChatSession


@dataclass(frozen=True, slots=True)
class WeChatLogin:
    """The citizen behind a WeChat account after a login (``created``: on this login)."""

    id: str
    identity_bound: bool
    token_version: int
    created: bool


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    name: str | None
    id_number_masked: str | None
    phone_masked: str | None
    identity_bound: bool
    identity_verified: bool
    village_code: str | None
    erasure_pending: bool
    """An approved deletion request of the citizen awaits its erasure."""


@dataclass(frozen=True, slots=True)
class Label:
    """How a citizen is shown to staff: name and masked ID number."""

    name: str | None
    id_number_masked: str | None


async def save_session_key(*, citizen_id: str, sealed: str, now: datetime) -> None:
    """Keep the citizen's (encrypted) WeChat ``session_key``, replacing the one before."""
    await db.fetch(
        "INSERT INTO wechat_session (citizen, session_key_enc, updated_at)"
        " VALUES ($1::uuid, $2, $3)"
        " ON CONFLICT (citizen) DO UPDATE SET session_key_enc = EXCLUDED.session_key_enc,"
        " updated_at = EXCLUDED.updated_at",
        citizen_id,
        sealed,
        now,
    )


async def exists(*, citizen_id: str) -> bool:
    """Whether the citizen exists and may log in (not kept only for retained case files)."""
    if not is_uuid(citizen_id):
        return False
    return bool(
        await Citizen.exists()
        .where((Citizen.id == citizen_id) & Citizen.restricted_at.is_null())
        .run()
    )


PROFILE = (
    "SELECT c.id::text AS id, c.name, c.id_number_masked, c.phone_masked, c.identity_bound,"
    " c.identity_verified, c.village, EXISTS (SELECT 1 FROM deletion_request d"
    " WHERE d.citizen = c.id AND d.status = 'approved') AS erasure_pending"
    " FROM citizen c WHERE c.id = $1::uuid"
)
"""The profile and whether an approved deletion request awaits its erasure, in one statement
(read on every submission)."""


async def profile(*, citizen_id: str) -> Profile | None:
    if not is_uuid(citizen_id):
        return None
    row = await db.fetchrow(PROFILE, citizen_id)
    if row is None:
        return None
    return Profile(
        id=row["id"],
        name=row["name"],
        id_number_masked=row["id_number_masked"],
        phone_masked=row["phone_masked"],
        identity_bound=row["identity_bound"],
        identity_verified=row["identity_verified"],
        village_code=row["village"],
        erasure_pending=row["erasure_pending"],
    )


async def village_of(*, citizen_id: str) -> str | None:
    """The code of the citizen's village, when known."""
    if not is_uuid(citizen_id):
        return None
    row = await Citizen.select(Citizen.village).where(Citizen.id == citizen_id).first().run()
    return None if row is None else row["village"]


async def label(*, citizen_id: str) -> Label | None:
    """The citizen's name and masked ID number, or None when there is no such citizen."""
    if not is_uuid(citizen_id):
        return None
    row = await (
        Citizen.select(Citizen.name, Citizen.id_number_masked)
        .where(Citizen.id == citizen_id)
        .first()
        .run()
    )
    return None if row is None else Label(row["name"], row["id_number_masked"])


async def names(*, citizen_ids: list[str]) -> dict[str, str | None]:
    """The names of the citizens among ``citizen_ids``, by id."""
    ids = [i for i in citizen_ids if is_uuid(i)]
    if not ids:
        return {}
    rows = await db.fetch(
        "SELECT id::text AS id, name FROM citizen WHERE id = ANY($1::uuid[])", ids
    )
    return {r["id"]: r["name"] for r in rows}


async def id_by_openid(*, openid: str) -> str | None:
    """The citizen whose WeChat ``openid`` this is, or None."""
    row = await Citizen.select(Citizen.id).where(Citizen.openid == openid).first().run()
    return None if row is None else str(row["id"])


async def sealed_phone(*, citizen_id: str) -> str | None:
    """The citizen's encrypted phone number (``phone_enc``), or None."""
    if not is_uuid(citizen_id):
        return None
    row = await Citizen.select(Citizen.phone_enc).where(Citizen.id == citizen_id).first().run()
    return None if row is None else row["phone_enc"]


VERSION_OF = "SELECT token_version FROM citizen WHERE id = $1::uuid"
"""Read for a citizen's tokens at most every few seconds per process
(``backend.identity.sessions``)."""


async def token_version(*, citizen_id: str) -> int | None:
    """The citizen's current token version, or None when there is no such citizen."""
    if not is_uuid(citizen_id):
        return None
    version = await db.fetchval(VERSION_OF, citizen_id)
    return None if version is None else int(version)


async def bump_token_version(*, citizen_id: str) -> int | None:
    """End every token of the citizen; the new token version (None: no such citizen)."""
    row = await db.fetchrow(
        "UPDATE citizen SET token_version = token_version + 1 WHERE id = $1::uuid"
        " RETURNING token_version",
        citizen_id,
    )
    return None if row is None else int(row["token_version"])


async def notify(*, channel: str, payload: str) -> None:
    """A PostgreSQL notification, sent when the current transaction commits (at once without)."""
    await db.fetch("SELECT pg_notify($1, $2)", channel, payload)


async def any_with_id(*, citizen_id: str) -> bool:
    """Whether a citizen row ``citizen_id`` exists (kept-only ones too)."""
    return bool(await Citizen.exists().where(Citizen.id == citizen_id).run())


async def set_phone(
    *,
    citizen_id: str,
    sealed: str,
    masked: str | None,
    lookup: str,
    at: datetime | None = None,
) -> bool:
    """Keep the citizen's (encrypted) phone number and its lookup hash; False when there is no
    such citizen."""
    values: dict[Column | str, Any] = {
        Citizen.phone_enc: sealed,
        Citizen.phone_masked: masked,
        Citizen.phone_hash: lookup,
    }
    if at is not None:
        values[Citizen.updated_at] = at
    updated = await (
        Citizen.update(values).where(Citizen.id == citizen_id).returning(Citizen.id).run()
    )
    return bool(updated)


async def delete(*, citizen_id: str) -> None:
    await Citizen.delete().where(Citizen.id == citizen_id).run()


async def delete_session(*, citizen_id: str) -> None:
    """Forget the citizen's WeChat ``session_key``."""
    await WeChatSession.delete().where(WeChatSession.citizen == citizen_id).run()


async def has_session(*, citizen_id: str) -> bool:
    return bool(await WeChatSession.exists().where(WeChatSession.citizen == citizen_id).run())


async def restrict(*, citizen_id: str, at: datetime) -> None:
    """Keep the record only as the applicant of retained case files: the name and encrypted
    number those need, nothing that serves another use (login, lookup, contact, consent)."""
    await (
        Citizen.update(
            {
                Citizen.openid: None,
                Citizen.unionid: None,
                Citizen.id_number_hash: None,
                Citizen.phone_enc: None,
                Citizen.phone_masked: None,
                Citizen.phone_hash: None,
                Citizen.consent_version: None,
                Citizen.consented_at: None,
                Citizen.last_login_at: None,
                Citizen.verify_reference: None,
                Citizen.restricted_at: at,
                Citizen.updated_at: at,
            }
        )
        .where(Citizen.id == citizen_id)
        .run()
    )


@dataclass(frozen=True, slots=True)
class Record:
    """Everything kept of a citizen, as their own data export shows it (numbers encrypted)."""

    id: str
    openid: str | None
    unionid: str | None
    name: str | None
    village: str | None
    identity_bound: bool
    identity_verified: bool
    id_number_enc: str | None
    id_number_masked: str | None
    birth_year: int | None
    sex: Sex | None
    verified_at: datetime | None
    phone_enc: str | None
    phone_masked: str | None
    consent_version: str | None
    consented_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


async def record(*, citizen_id: str) -> Record | None:
    row = await db.fetchrow(
        "SELECT id::text AS id, openid, unionid, name, village, identity_bound,"
        " identity_verified, id_number_enc, id_number_masked, birth_year, sex, verified_at,"
        " phone_enc, phone_masked, consent_version, consented_at, created_at, updated_at,"
        " last_login_at FROM citizen WHERE id = $1::uuid",
        citizen_id,
    )
    return None if row is None else Record(**dict(row))


async def move_village(*, citizen_id: str, village_code: str, at: datetime) -> None:
    await (
        Citizen.update({Citizen.village: village_code, Citizen.updated_at: at})
        .where(Citizen.id == citizen_id)
        .run()
    )


async def phones_without_hash(*, after: str | None, limit: int) -> list[tuple[str, str]]:
    """(id, encrypted phone) of citizens whose phone has no lookup hash yet (bound before the
    hash was kept), by id after ``after``, row-locked for the caller's transaction."""
    rows = await db.fetch(
        "SELECT id::text AS id, phone_enc FROM citizen WHERE phone_enc IS NOT NULL"
        " AND phone_hash IS NULL AND ($1::uuid IS NULL OR id > $1::uuid)"
        " ORDER BY id LIMIT $2 FOR UPDATE",
        after,
        limit,
    )
    return [(str(r["id"]), str(r["phone_enc"])) for r in rows]


async def set_phone_hashes(*, ids: list[str], hashes: list[str]) -> None:
    """Keep each citizen's phone lookup hash (one statement for the batch)."""
    await db.execute(
        "UPDATE citizen SET phone_hash = v.hash FROM unnest($1::uuid[], $2::text[]) AS v(id, hash)"
        " WHERE citizen.id = v.id",
        ids,
        hashes,
    )
