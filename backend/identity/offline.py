"""Citizens registered without WeChat — at a window walk-in or by a village agent.

The applicant is found by the ID number's keyed lookup hash, or registered without WeChat
(name, encrypted number, village — the same columns and crypto contexts as a WeChat binding,
so the citizen can later take the record over in the mini-program).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import structlog

from backend import clock
from backend.errors import Conflict, InvalidInput
from backend.identity import texts
from backend.identity.binding import name_ok, normalise_name
from backend.identity.idnumber import IdNumber, parse_id_number
from backend.identity.masking import mask_phone
from backend.identity.ports import IdentityVerifier, IdentityVerifyUnavailable
from backend.identity.sealed import (
    ID_NUMBER_LOOKUP,
    PHONE_LOOKUP,
    id_number_context,
    phone_context,
)
from backend.identity.store import areas, citizens, identities
from backend.security.fieldcrypt import FieldCipher

log = structlog.get_logger(__name__)

_PHONE = re.compile(r"\d{5,20}")
WINDOW_CONSENT = "window-paper"
"""Consent recorded on the paper form signed at the window (not the mini-program's notice)."""
AGENT_CONSENT = "agent-paper"
"""Consent recorded on the paper form an agent collected in the village."""


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str
    id_number: str
    village_code: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Checked:
    """An applicant whose fields passed the checks (the ID number parsed, the name cleaned)."""

    name: str
    number: IdNumber
    village: str
    phone: str | None


async def check(applicant: Applicant, *, fields: str = "applicant.") -> Checked:
    """Every field checked; all problems reported in one 422, each field named as the request
    names it (``applicant.id_number`` in a walk-in, ``id_number`` when an agent registers)."""
    problems: list[dict[str, str]] = []
    name = normalise_name(applicant.name)
    if not name_ok(name):
        problems.append({"field": fields + "name", "message": "姓名格式不正确"})
    number: IdNumber | None = None
    try:
        number = parse_id_number(applicant.id_number, today=clock.today())
    except InvalidInput as exc:
        problems.append({"field": fields + "id_number", "message": exc.detail})
    village = applicant.village_code.strip()
    if await areas.level_of(area_code=village) != "village":
        problems.append({"field": fields + "village_code", "message": "所在村（社区）不存在"})
    phone = (applicant.phone or "").strip() or None
    if phone is not None and not _PHONE.fullmatch(phone):
        problems.append({"field": fields + "phone", "message": texts.PHONE_INVALID})
    if problems:
        code = "id_number_invalid" if problems[0]["field"] == fields + "id_number" else None
        raise InvalidInput(
            texts.APPLICANT_INVALID.format(problems="；".join(p["message"] for p in problems)),
            code=code if len(problems) == 1 and code else "applicant_invalid",
            extra={"errors": problems},
        )
    assert number is not None
    return Checked(name, number, village, phone)


async def verify(checked: Checked, verifier: IdentityVerifier | None) -> bool:
    """True when the verification service matched the pair; False when it could not be asked
    (none configured, or down). A mismatch is 422 ``identity_not_matched`` — decided before any
    record is looked at, so it says nothing about who is registered."""
    if verifier is None:
        return False
    try:
        result = await verifier.verify(checked.name, checked.number.value)
    except IdentityVerifyUnavailable:
        log.warning("identity_verify_unavailable", during="offline_registration")
        return False
    if not result.matched:
        raise InvalidInput(texts.IDENTITY_NOT_MATCHED, code="identity_not_matched")
    return True


def lookup_of(checked: Checked, cipher: FieldCipher) -> str:
    return cipher.lookup_hash(checked.number.value, context=ID_NUMBER_LOOKUP)


async def holder_of(lookup: str) -> dict[str, Any] | None:
    """Who holds the number: id, name, village and its township, whether they have WeChat."""
    holder = await identities.number_holder(lookup=lookup)
    return None if holder is None else asdict(holder)


async def _holder(lookup: str, name: str) -> str | None:
    row = await identities.named_by_lookup(lookup=lookup)
    if row is None:
        return None
    if row.name != name:
        raise Conflict(texts.APPLICANT_NAME_MISMATCH, code="applicant_name_mismatch")
    return row.id


async def find_or_register(
    *, applicant: Applicant, cipher: FieldCipher, consent: str = WINDOW_CONSENT
) -> str:
    """The citizen with this ID number (the name must match), or a new one without WeChat.

    A single statement each: safe outside a transaction, and two walk-ins of one person at
    once end up with the same citizen (the unique lookup hash decides).
    """
    checked = await check(applicant)
    lookup = lookup_of(checked, cipher)
    found = await _holder(lookup, checked.name)
    if found is not None:
        return found
    created = await insert(checked, lookup, cipher, consent)
    if created is not None:
        return created
    found = await _holder(lookup, checked.name)  # registered meanwhile by another request
    assert found is not None
    return found


async def insert(checked: Checked, lookup: str, cipher: FieldCipher, consent: str) -> str | None:
    """A new citizen without WeChat; None when the number was registered meanwhile."""
    citizen_id = str(uuid.uuid4())
    now = clock.now_utc()
    phone_enc = (
        cipher.encrypt(checked.phone, context=phone_context(citizen_id)) if checked.phone else None
    )
    return await identities.register(
        new=identities.Registration(
            id=citizen_id,
            name=checked.name,
            village=checked.village or None,
            id_number_enc=cipher.encrypt(
                checked.number.value, context=id_number_context(citizen_id)
            ),
            lookup=lookup,
            id_number_masked=checked.number.masked,
            birth_year=checked.number.birth_year,
            sex=checked.number.sex,
            phone_enc=phone_enc,
            phone_masked=mask_phone(checked.phone) if checked.phone else None,
            phone_hash=(
                cipher.lookup_hash(checked.phone, context=PHONE_LOOKUP) if checked.phone else None
            ),
            consent_version=consent,
            at=now,
        )
    )


KIOSK_CONSENT = "kiosk-card"
"""Consent shown on a self-service terminal's screen before the card was read."""


async def find_or_register_card(
    *, name: str, id_number: str, village_code: str | None, cipher: FieldCipher
) -> tuple[str, str]:
    """The citizen whose ID card was read on a self-service terminal, or a new one without
    WeChat: their id and masked number. A bad number is 422 ``id_number_invalid``; a known
    number under another name is 409 ``applicant_name_mismatch`` (the card reader reads the
    name, so this only happens when the record is wrong)."""
    clean = normalise_name(name)
    number = parse_id_number(id_number, today=clock.today())
    if not name_ok(clean):
        raise InvalidInput("姓名格式不正确。", code="applicant_invalid")
    if village_code is not None and await areas.level_of(area_code=village_code) != "village":
        village_code = None
    checked = Checked(clean, number, village_code or "", None)
    lookup = lookup_of(checked, cipher)
    found = await _holder(lookup, clean)
    if found is None:
        found = await insert(checked, lookup, cipher, KIOSK_CONSENT)
    if found is None:
        found = await _holder(lookup, clean)  # registered meanwhile by another request
    assert found is not None
    return found, number.masked


async def move_village(*, citizen_id: str, village_code: str) -> None:
    """The citizen now lives in ``village_code`` (settled by the township's window staff)."""
    await citizens.move_village(
        citizen_id=citizen_id, village_code=village_code, at=clock.now_utc()
    )
