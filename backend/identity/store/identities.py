"""Bound identities: ID numbers (sealed, looked up by hash), bindings, takeovers, and citizens
registered without WeChat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from piccolo.columns import Column

from backend import db
from backend.identity.idnumber import Sex
from backend.identity.tables import Citizen


@dataclass(frozen=True, slots=True)
class Bound:
    """What a citizen has bound of their identity (the ID number only as its lookup hash)."""

    name: str | None
    village: str | None
    id_number_hash: str | None
    identity_bound: bool
    identity_verified: bool
    consent_version: str | None


_BOUND: Final = (
    "SELECT name, village, id_number_hash, identity_bound, identity_verified, consent_version"
    " FROM citizen WHERE id = $1::uuid"
)
_BOUND_LOCKED: Final = _BOUND + " FOR UPDATE"


async def bound(*, citizen_id: str, lock: bool = False) -> Bound | None:
    """The citizen's bound identity (``lock``: the row locked for the transaction), or None."""
    row = await db.fetchrow(_BOUND_LOCKED if lock else _BOUND, citizen_id)
    if row is None:
        return None
    return Bound(
        row["name"],
        row["village"],
        row["id_number_hash"],
        row["identity_bound"],
        row["identity_verified"],
        row["consent_version"],
    )


@dataclass(frozen=True, slots=True)
class Holder:
    """Another record holding an ID number (``has_wechat`` False: registered without WeChat)."""

    id: str
    has_wechat: bool
    name: str | None


async def holder_of(*, lookup: str, besides: str) -> Holder | None:
    """The record other than ``besides`` whose ID number has the lookup hash ``lookup``."""
    row = await db.fetchrow(
        "SELECT c.id::text AS id, c.name,"
        " (c.openid IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM wechat_account a WHERE a.citizen = c.id)) AS has_wechat"
        " FROM citizen c WHERE c.id_number_hash = $1 AND c.id <> $2::uuid LIMIT 1",
        lookup,
        besides,
    )
    return None if row is None else Holder(row["id"], bool(row["has_wechat"]), row["name"])


@dataclass(frozen=True, slots=True)
class SealedNumber:
    """An ID number as it is kept: encrypted, its lookup hash, masked, and what it tells."""

    enc: str
    lookup: str
    masked: str
    birth_year: int
    sex: str


@dataclass(frozen=True, slots=True)
class IdentityChange:
    """What a binding changes of a citizen; ``None`` fields stay as they are."""

    at: datetime
    number: SealedNumber | None = None
    name: str | None = None
    village: str | None = None
    consent_version: str | None = None
    bind: bool = False
    verify_reference: str | None = None
    verified: bool = False


async def change_identity(*, citizen_id: str, change: IdentityChange) -> None:
    values: dict[Column | str, Any] = {Citizen.updated_at: change.at}
    if change.number is not None:
        values[Citizen.id_number_enc] = change.number.enc
        values[Citizen.id_number_hash] = change.number.lookup
        values[Citizen.id_number_masked] = change.number.masked
        values[Citizen.birth_year] = change.number.birth_year
        values[Citizen.sex] = change.number.sex
    if change.name is not None:
        values[Citizen.name] = change.name
    if change.village is not None:
        values[Citizen.village] = change.village
    if change.consent_version is not None:
        values[Citizen.consent_version] = change.consent_version
        values[Citizen.consented_at] = change.at
    if change.bind:
        values[Citizen.identity_bound] = True
    if change.verified:
        values[Citizen.identity_verified] = True
        values[Citizen.verified_at] = change.at
        values[Citizen.verify_reference] = change.verify_reference
    await Citizen.update(values).where(Citizen.id == citizen_id).run()


@dataclass(frozen=True, slots=True)
class Registered:
    """A record registered without WeChat, as a takeover reads it."""

    has_wechat: bool
    name: str | None
    id_number_hash: str | None
    phone_enc: str | None
    phone_masked: str | None


async def lock_registered(*, citizen_id: str) -> Registered | None:
    row = await db.fetchrow(
        "SELECT c.name, c.id_number_hash, c.phone_enc, c.phone_masked,"
        " (c.openid IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM wechat_account a WHERE a.citizen = c.id)) AS has_wechat"
        " FROM citizen c WHERE c.id = $1::uuid FOR UPDATE",
        citizen_id,
    )
    if row is None:
        return None
    return Registered(
        bool(row["has_wechat"]),
        row["name"],
        row["id_number_hash"],
        row["phone_enc"],
        row["phone_masked"],
    )


async def release_number(*, citizen_id: str) -> None:
    """Free the record's ID number (its lookup hash is unique) before another takes it."""
    await Citizen.update({Citizen.id_number_hash: None}).where(Citizen.id == citizen_id).run()


async def lacks_phone(*, citizen_id: str) -> bool:
    """Whether the citizen exists and has no phone number kept."""
    row = await Citizen.select(Citizen.phone_enc).where(Citizen.id == citizen_id).first().run()
    return row is not None and not row["phone_enc"]


@dataclass(frozen=True, slots=True)
class SealedIdNumber:
    """A citizen's encrypted ID number (``value`` None: none bound)."""

    value: str | None


async def sealed_id_number(*, citizen_id: str) -> SealedIdNumber | None:
    """The citizen's encrypted ID number, or None when there is no such citizen."""
    row = await Citizen.select(Citizen.id_number_enc).where(Citizen.id == citizen_id).first().run()
    return None if row is None else SealedIdNumber(row["id_number_enc"])


async def id_by_lookup(*, lookup: str) -> str | None:
    """The citizen whose ID number has the lookup hash ``lookup``, or None."""
    row = await Citizen.select(Citizen.id).where(Citizen.id_number_hash == lookup).first().run()
    return None if row is None else str(row["id"])


@dataclass(frozen=True, slots=True)
class NumberHolder:
    """Who holds an ID number: their village and its township, whether they have WeChat."""

    id: str
    name: str | None
    village: str | None
    township: str | None
    has_wechat: bool


async def number_holder(*, lookup: str) -> NumberHolder | None:
    """The citizen whose ID number has the lookup hash ``lookup``, with where they live."""
    row = await db.fetchrow(
        "SELECT c.id::text AS id, c.name, c.village, v.parent AS township,"
        " (c.openid IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM wechat_account a WHERE a.citizen = c.id)) AS has_wechat"
        " FROM citizen c LEFT JOIN area v ON v.code = c.village WHERE c.id_number_hash = $1",
        lookup,
    )
    return None if row is None else NumberHolder(**dict(row))


@dataclass(frozen=True, slots=True)
class NamedId:
    id: str
    name: str | None


async def named_by_lookup(*, lookup: str) -> NamedId | None:
    """The id and name of the citizen whose ID number has the lookup hash ``lookup``."""
    row = await db.fetchrow(
        "SELECT id::text AS id, name FROM citizen WHERE id_number_hash = $1 LIMIT 1", lookup
    )
    return None if row is None else NamedId(row["id"], row["name"])


@dataclass(frozen=True, slots=True)
class Registration:
    """A citizen registered without WeChat (by a window clerk or an agent), as kept."""

    id: str
    name: str
    village: str
    id_number_enc: str
    lookup: str
    id_number_masked: str
    birth_year: int
    sex: Sex
    phone_enc: str | None
    phone_masked: str | None
    phone_hash: str | None
    consent_version: str
    at: datetime


async def register(*, new: Registration) -> str | None:
    """A new citizen without WeChat; None when the number was registered meanwhile."""
    row = await db.fetchrow(
        "INSERT INTO citizen (id, name, village, identity_bound, identity_verified,"
        " id_number_enc, id_number_hash, id_number_masked, birth_year, sex, phone_enc,"
        " phone_masked, phone_hash, consent_version, consented_at, created_at, updated_at)"
        " VALUES ($1::uuid, $2, $3, true, false, $4, $5, $6, $7, $8, $9, $10, $13, $11, $12,"
        " $12, $12)"
        " ON CONFLICT (id_number_hash) DO NOTHING RETURNING id::text AS id",
        new.id,
        new.name,
        new.village,
        new.id_number_enc,
        new.lookup,
        new.id_number_masked,
        new.birth_year,
        new.sex,
        new.phone_enc,
        new.phone_masked,
        new.consent_version,
        new.at,
        new.phone_hash,
    )
    return None if row is None else str(row["id"])
