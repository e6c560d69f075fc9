"""A citizen binds their real name, ID number and village (实名绑定).

The identity-verification interface is called before the write transaction opens:
nothing waits on the network while holding row locks. A verification service that is down
leaves the binding unverified instead of failing it; a mismatch changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import structlog
from asyncpg.exceptions import UniqueViolationError

from backend import clock, db
from backend.errors import Conflict, InvalidInput, NotFound
from backend.identity import takeover, texts
from backend.identity.idnumber import IdNumber, parse_id_number
from backend.identity.ids import is_uuid
from backend.identity.ports import IdentityVerifier, IdentityVerifyUnavailable
from backend.identity.sealed import (
    ID_NUMBER_LOOKUP,
    PHONE_LOOKUP,
    id_number_context,
    phone_context,
)
from backend.identity.service import CitizenProfile, account_merge, get_citizen_profile
from backend.identity.store import areas, citizens, deletion_requests, identities
from backend.security.fieldcrypt import FieldCipher

log = structlog.get_logger(__name__)

Verification = Literal["verified", "unavailable", "disabled"]
"""After binding: verified (now or before); the service could not answer; none configured."""

NOTES: dict[Verification, str] = {
    "verified": texts.VERIFIED,
    "unavailable": texts.VERIFY_UNAVAILABLE,
    "disabled": texts.VERIFY_DISABLED,
}

_DOTS = str.maketrans({"•": "·", "・": "·", "･": "·", "‧": "·"})
_NAME = re.compile(
    r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
    r"(?:·?[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f])+"
)
NAME_MIN, NAME_MAX = 2, 30
CONSENT_MAX = 32


@dataclass(frozen=True, slots=True)
class BindOutcome:
    profile: CitizenProfile
    verification: Verification
    joined: bool = False
    """The account joined the citizen who already held this verified identity: ``profile`` is
    theirs and the caller needs a new token (``account_merge``)."""

    @property
    def note(self) -> str:
        return NOTES[self.verification]


@dataclass(frozen=True, slots=True)
class _Identity:
    name: str
    id_number: IdNumber
    village_code: str
    consent_version: str


def normalise_name(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().translate(_DOTS)


def name_ok(name: str) -> bool:
    return NAME_MIN <= len(name) <= NAME_MAX and _NAME.fullmatch(name) is not None


async def _validate(
    *, name: str, id_number: str, village_code: str, consent_version: str, today: dt.date
) -> _Identity:
    """Every field checked; all problems reported in one 422."""
    problems: list[dict[str, str]] = []
    clean_name = normalise_name(name)
    if not name_ok(clean_name):
        problems.append({"field": "name", "message": texts.NAME_INVALID})
    parsed: IdNumber | None = None
    try:
        parsed = parse_id_number(id_number, today=today)
    except InvalidInput as exc:
        problems.append({"field": "id_number", "message": exc.detail})
    village = village_code.strip()
    level = await areas.level_of(area_code=village)
    if level is None:
        problems.append({"field": "village_code", "message": texts.VILLAGE_UNKNOWN})
    elif level != "village":
        problems.append({"field": "village_code", "message": texts.VILLAGE_NOT_VILLAGE})
    consent = consent_version.strip()
    if not consent or len(consent) > CONSENT_MAX:
        problems.append({"field": "consent_version", "message": texts.CONSENT_MISSING})
    if problems:
        fields = {p["field"] for p in problems}
        if fields == {"id_number"}:
            raise InvalidInput(
                problems[0]["message"], code="id_number_invalid", extra={"errors": problems}
            )
        raise InvalidInput(
            texts.IDENTITY_INVALID.format(problems="；".join(p["message"] for p in problems)),
            code="id_number_invalid" if "id_number" in fields else "identity_invalid",
            extra={"errors": problems},
        )
    assert parsed is not None
    return _Identity(clean_name, parsed, village, consent)


async def _current(citizen_id: str) -> identities.Bound:
    row = await identities.bound(citizen_id=citizen_id)
    if row is None:
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    return row


def _locked(row: identities.Bound, lookup: str, name: str) -> bool:
    """A verified identity keeps its name and number."""
    return row.identity_verified and (row.id_number_hash != lookup or row.name != name)


async def bind_identity(
    *,
    citizen_id: str,
    name: str,
    id_number: str,
    village_code: str,
    consent_version: str,
    cipher: FieldCipher,
    verifier: IdentityVerifier | None,
    join_code: str | None = None,
    join_sms: account_merge.JoinSms | None = None,
    today: dt.date | None = None,
) -> BindOutcome:
    """Bind (or re-bind) a citizen's real name, ID number and village; verify when possible.

    The pair is verified *before* anyone else's record is looked at, so the answer to a pair
    that fails verification (422 ``identity_not_matched``) is the same whether or not the number
    is registered. Only a verified pair learns that the number belongs to another WeChat account
    (409 ``id_number_taken``, naming no one) or takes over a record registered without WeChat.
    A verified pair bound by a citizen who has nothing yet but a WeChat account (no identity,
    hence no case) whose app the holder has no account of joins the holder instead: the account
    moves there and the empty citizen is removed (``account_merge``) — but only with the
    holder's one-time SMS code (``join_code``; without it a code is sent to the holder's phone
    and the answer is 409 ``account_join_code_sent``; a holder without a phone: 409
    ``id_number_taken``).
    A pair that could not be verified (no verifier, or the service down) and whose number is
    registered gets one answer, whoever holds it and whatever name they hold it under: 409
    ``identity_needs_verification`` (docs/personal-data.md). The same number again is
    idempotent; another number, or another name, only while not yet verified (409
    ``identity_locked`` after).
    """
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    wanted = await _validate(
        name=name,
        id_number=id_number,
        village_code=village_code,
        consent_version=consent_version,
        today=today or clock.today(),
    )
    lookup = cipher.lookup_hash(wanted.id_number.value, context=ID_NUMBER_LOOKUP)
    current = await _current(citizen_id)
    if _locked(current, lookup, wanted.name):
        raise Conflict(texts.IDENTITY_LOCKED, code="identity_locked")
    if current.identity_verified:
        verification: Verification = "verified"  # the same name and number as verified before
        reference: str | None = None
    else:
        verification, reference = await _verify(wanted, citizen_id=citizen_id, verifier=verifier)
    holder = await identities.holder_of(lookup=lookup, besides=citizen_id)
    if (
        holder is not None
        and verification == "verified"
        and not current.identity_bound
        and await account_merge.may_join(bare_id=citizen_id, holder=holder, name=wanted.name)
    ):
        await account_merge.require_holder_code(
            bare_id=citizen_id, holder_id=holder.id, code=join_code, cipher=cipher, sms=join_sms
        )
        if await account_merge.join(
            bare_id=citizen_id,
            holder_id=holder.id,
            lookup=lookup,
            cipher=cipher,
            verify_reference=reference,
            doorbell=join_sms.doorbell if join_sms is not None else None,
        ):
            log.info("identity_bound", citizen_id=holder.id, verification=verification, joined=True)
            return BindOutcome(await get_citizen_profile(citizen_id=holder.id), verification, True)
    takeover_from: str | None = None
    if holder is not None:
        await _may_take(holder, wanted, citizen_id=citizen_id, verification=verification)
        takeover_from = holder.id
    try:
        await _store(
            citizen_id, wanted, lookup, cipher, verification, reference, takeover_from=takeover_from
        )
    except UniqueViolationError as exc:  # another account bound it meanwhile
        raise Conflict(texts.ID_TAKEN, code="id_number_taken") from exc
    log.info("identity_bound", citizen_id=citizen_id, verification=verification)
    return BindOutcome(await get_citizen_profile(citizen_id=citizen_id), verification)


async def _verify(
    wanted: _Identity, *, citizen_id: str, verifier: IdentityVerifier | None
) -> tuple[Verification, str | None]:
    """The pair at the verification service; a mismatch is 422 before any holder is looked at."""
    if verifier is None:
        return "disabled", None
    try:
        result = await verifier.verify(wanted.name, wanted.id_number.value)
    except IdentityVerifyUnavailable:
        log.warning("identity_verify_unavailable", citizen_id=citizen_id)
        return "unavailable", None
    if not result.matched:
        log.info("identity_not_matched", citizen_id=citizen_id)
        raise InvalidInput(texts.IDENTITY_NOT_MATCHED, code="identity_not_matched")
    return "verified", result.reference


async def _may_take(
    holder: identities.Holder, wanted: _Identity, *, citizen_id: str, verification: Verification
) -> None:
    """Whether this account may take the registered record over; raises when it may not.

    An unverified pair gets one answer whoever holds the number (the agent who registered a
    record without WeChat is still told why, out of band). A verified pair may learn more.
    """
    registered_offline = not holder.has_wechat
    if verification != "verified":
        if registered_offline:
            reason = "not_verified" if verification == "disabled" else "verify_unavailable"
            await takeover.refused(holder.id, citizen_id, reason)
        raise Conflict(texts.NEEDS_VERIFICATION, code="identity_needs_verification")
    if not registered_offline:
        raise Conflict(texts.ID_TAKEN, code="id_number_taken")
    if holder.name != wanted.name:
        await takeover.refused(holder.id, citizen_id, "name_mismatch")
        raise Conflict(
            texts.TAKEOVER_REFUSED["name_mismatch"],
            code="takeover_refused",
            extra={"reason": "name_mismatch"},
        )


async def _store(
    citizen_id: str,
    wanted: _Identity,
    lookup: str,
    cipher: FieldCipher,
    verification: Verification,
    reference: str | None,
    *,
    takeover_from: str | None = None,
) -> None:
    now = clock.now_utc()
    async with db.engine().transaction():
        if takeover_from is not None:
            await _take_over(takeover_from, citizen_id, lookup, wanted.name, cipher)
        row = await identities.bound(citizen_id=citizen_id, lock=True)
        if row is None:
            raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
        if _locked(row, lookup, wanted.name):  # verified meanwhile with other data
            raise Conflict(texts.IDENTITY_LOCKED, code="identity_locked")
        number = wanted.id_number
        verify = verification == "verified" and not row.identity_verified
        change = identities.IdentityChange(
            at=now,
            number=None
            if row.id_number_hash == lookup
            else identities.SealedNumber(
                enc=cipher.encrypt(number.value, context=id_number_context(citizen_id)),
                lookup=lookup,
                masked=number.masked,
                birth_year=number.birth_year,
                sex=number.sex,
            ),
            name=None if row.name == wanted.name else wanted.name,
            village=None if row.village == wanted.village_code else wanted.village_code,
            consent_version=None
            if row.consent_version == wanted.consent_version
            else wanted.consent_version,
            bind=not row.identity_bound,
            verified=verify,
            verify_reference=reference if verify else None,
        )
        if change != identities.IdentityChange(at=now):
            await identities.change_identity(citizen_id=citizen_id, change=change)


async def _take_over(
    from_id: str, into_id: str, lookup: str, name: str, cipher: FieldCipher
) -> None:
    """Move the registered record into this account; in the caller's transaction."""
    row = await identities.lock_registered(citizen_id=from_id)
    if row is None or row.has_wechat or row.id_number_hash != lookup:
        raise Conflict(texts.ID_TAKEN, code="id_number_taken")  # changed meanwhile
    if row.name != name:
        raise Conflict(texts.TAKEOVER_REFUSED["name_mismatch"], code="takeover_refused")
    await identities.release_number(citizen_id=from_id)
    if row.phone_enc and await identities.lacks_phone(citizen_id=into_id):
        phone = cipher.decrypt(row.phone_enc, context=phone_context(from_id))
        await citizens.set_phone(
            citizen_id=into_id,
            sealed=cipher.encrypt(phone, context=phone_context(into_id)),
            masked=row.phone_masked,
            lookup=cipher.lookup_hash(phone, context=PHONE_LOOKUP),
        )
    await deletion_requests.move(from_citizen=from_id, into_citizen=into_id)
    await takeover.merge(from_id, into_id)
    await citizens.delete(citizen_id=from_id)
    log.info("identity_taken_over", citizen_id=into_id, registered=from_id)
