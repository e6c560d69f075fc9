"""A citizen confirms a phone number with an SMS code (the H5 has no getPhoneNumber button).

``send_phone_code`` sends a 6-digit code through the SMS gateway; ``verify_phone_code`` checks it
and keeps the number as ``POST /me/phone`` does (sealed, lookup hash, mask). Codes live five
minutes, work once and allow five wrong tries; at most one is sent per minute and five a day to
a citizen, and the same to a number. PostgreSQL keeps only the number's lookup hash and an HMAC
of the code (with ``SECRET_KEY``); neither the number nor the code is ever logged.

``send_join_code`` / ``use_join_code``: the same machinery, keyed to the citizen who holds an
identity, proves that they let a bare WeChat account join them (``account_merge``); such a code
is hashed with both accounts, so it works for nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import structlog

from backend import clock, db
from backend.errors import InvalidInput, NotFound, RateLimited, ServiceUnavailable
from backend.identity import texts
from backend.identity.ids import is_uuid
from backend.identity.masking import mask_phone
from backend.identity.ports import TextSender, TextUnavailable
from backend.identity.sealed import PHONE_LOOKUP, phone_context
from backend.identity.service import CitizenProfile, get_citizen_profile
from backend.identity.store import citizens, phone_codes
from backend.security.fieldcrypt import FieldCipher

log = structlog.get_logger(__name__)

CODE_TTL: Final = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class CodeLimits:
    """``SMS_CODE_PER_MINUTE``, ``SMS_CODE_PER_DAY`` (each per citizen and per number) and
    ``SMS_CODE_MAX_TRIES``."""

    per_minute: int = 1
    per_day: int = 5
    max_tries: int = 5


_MINUTE: Final = timedelta(minutes=1)
_DAY: Final = timedelta(days=1)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits only: "８" must not make a new number
_CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True, slots=True)
class CodeSent:
    phone_masked: str
    expires_in: int


def mainland_mobile(raw: str) -> str:
    """The 11-digit mainland mobile number in ``raw`` (spaces, dashes, +86 allowed)."""
    phone = re.sub(r"[\s-]", "", raw)
    phone = phone.removeprefix("+86").removeprefix("0086")
    if not _MOBILE.fullmatch(phone):
        raise InvalidInput(texts.MOBILE_INVALID, code="phone_invalid")
    return phone


def _code_hash(secret_key: str, subject: str, phone_hash: str, code: str) -> str:
    key = hashlib.sha256(b"phone-code:" + secret_key.encode()).digest()
    message = f"{subject}\n{phone_hash}\n{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _wait(sent: list[datetime], *, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until one more send fits in ``window`` (0: it fits now); ``sent`` newest first."""
    recent = [at for at in sent if at > now - window]
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[limit - 1] + window - now).total_seconds()))


def _limited(sent: phone_codes.Sent, now: datetime, limits: CodeLimits) -> None:
    waits = []
    for times in (sent.by_citizen, sent.to_phone):
        waits.append(("day", _wait(times, limit=limits.per_day, window=_DAY, now=now)))
        waits.append(("minute", _wait(times, limit=limits.per_minute, window=_MINUTE, now=now)))
    kind, seconds = max(waits, key=lambda w: w[1])
    if seconds <= 0:
        return
    detail = texts.SMS_DAILY_LIMIT if kind == "day" else texts.SMS_TOO_SOON.format(seconds=seconds)
    raise RateLimited(detail, code="sms_rate_limited", retry_after_s=seconds)


async def send_phone_code(
    *,
    citizen_id: str,
    phone: str,
    sender: TextSender | None,
    cipher: FieldCipher,
    secret_key: str,
    limits: CodeLimits,
) -> CodeSent:
    if not is_uuid(citizen_id) or not await citizens.exists(citizen_id=citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    number = mainland_mobile(phone)
    return await _send(
        citizen_id=citizen_id,
        number=number,
        subject=citizen_id,
        text=texts.SMS_CODE_TEXT,
        sender=sender,
        cipher=cipher,
        secret_key=secret_key,
        limits=limits,
    )


def _join_subject(holder_id: str, bare_id: str) -> str:
    """What a join code is hashed with: it works for this holder and this joining account only."""
    return f"{holder_id}\njoin\n{bare_id}"


async def send_join_code(
    *,
    holder_id: str,
    bare_id: str,
    phone: str,
    sender: TextSender | None,
    cipher: FieldCipher,
    secret_key: str,
    limits: CodeLimits,
) -> CodeSent:
    """A code to the holder's confirmed phone proving that the holder lets ``bare_id`` join
    (``account_merge``); counted against the holder's and that number's limits."""
    return await _send(
        citizen_id=holder_id,
        number=phone,
        subject=_join_subject(holder_id, bare_id),
        text=texts.JOIN_CODE_TEXT,
        sender=sender,
        cipher=cipher,
        secret_key=secret_key,
        limits=limits,
    )


async def use_join_code(
    *,
    holder_id: str,
    bare_id: str,
    phone: str,
    code: str,
    cipher: FieldCipher,
    secret_key: str,
    max_tries: int,
) -> None:
    """Use the holder's live join code for ``bare_id``; 422 when it is wrong or gone."""
    lookup = cipher.lookup_hash(phone, context=PHONE_LOOKUP)
    given = code.strip()
    now = clock.now_utc()
    async with db.engine().transaction():
        outcome = await _spend(
            citizen_id=holder_id,
            subject=_join_subject(holder_id, bare_id),
            lookup=lookup,
            given=given,
            secret_key=secret_key,
            max_tries=max_tries,
            now=now,
        )
    if outcome == "wrong":
        log.info("join_code_wrong", citizen_id=holder_id, joining=bare_id)
    _refuse(outcome)


async def _spend(
    *,
    citizen_id: str,
    subject: str,
    lookup: str,
    given: str,
    secret_key: str,
    max_tries: int,
    now: datetime,
) -> str:
    """Inside the caller's transaction: ``ok`` (the live code matched and is now used),
    ``wrong`` (one try counted) or ``expired`` (none live, or the last try spent)."""
    live = await phone_codes.latest(citizen_id=citizen_id, phone_hash=lookup)
    if live is None or live.expires_at <= now or live.attempts >= max_tries:
        return "expired"
    wanted = _code_hash(secret_key, subject, lookup, given)
    if _CODE.fullmatch(given) and hmac.compare_digest(wanted, live.code_hash):
        await phone_codes.use(code_id=live.id, at=now)
        return "ok"
    await phone_codes.wrong_try(code_id=live.id)
    return "wrong" if live.attempts + 1 < max_tries else "expired"


def _refuse(outcome: str) -> None:
    """The answer to a code that did not match (nothing changed), or nothing for ``ok``."""
    if outcome == "wrong":
        raise InvalidInput(texts.SMS_CODE_WRONG, code="sms_code_invalid")
    if outcome == "expired":
        raise InvalidInput(texts.SMS_CODE_EXPIRED, code="sms_code_expired")


async def _send(
    *,
    citizen_id: str,
    number: str,
    subject: str,
    text: str,
    sender: TextSender | None,
    cipher: FieldCipher,
    secret_key: str,
    limits: CodeLimits,
) -> CodeSent:
    if sender is None:
        raise ServiceUnavailable(texts.SMS_UNAVAILABLE, code="sms_unavailable")
    lookup = cipher.lookup_hash(number, context=PHONE_LOOKUP)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now_utc()
    async with db.engine().transaction():
        await phone_codes.lock_sending(citizen_id=citizen_id, phone_hash=lookup)
        sent = await phone_codes.sent_since(
            citizen_id=citizen_id, phone_hash=lookup, since=now - _DAY
        )
        _limited(sent, now, limits)
        code_id = await phone_codes.add(
            citizen_id=citizen_id,
            phone_hash=lookup,
            code_hash=_code_hash(secret_key, subject, lookup, code),
            now=now,
            expires_at=now + CODE_TTL,
        )
    try:
        await sender.send_to_number(phone=number, text=text.format(code=code))
    except TextUnavailable as exc:
        async with db.engine().transaction():
            await phone_codes.forget(code_id=code_id)
        log.warning("phone_code_not_sent", citizen_id=citizen_id, error=type(exc).__name__)
        raise ServiceUnavailable(texts.SMS_UNAVAILABLE, code="sms_unavailable") from exc
    log.info("phone_code_sent", citizen_id=citizen_id)
    return CodeSent(mask_phone(number), int(CODE_TTL.total_seconds()))


async def verify_phone_code(
    *,
    citizen_id: str,
    phone: str,
    code: str,
    cipher: FieldCipher,
    secret_key: str,
    max_tries: int,
) -> CitizenProfile:
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    number = mainland_mobile(phone)
    lookup = cipher.lookup_hash(number, context=PHONE_LOOKUP)
    given = code.strip()
    now = clock.now_utc()
    async with db.engine().transaction():
        outcome = await _spend(
            citizen_id=citizen_id,
            subject=citizen_id,
            lookup=lookup,
            given=given,
            secret_key=secret_key,
            max_tries=max_tries,
            now=now,
        )
        if outcome == "ok":
            updated = await citizens.set_phone(
                citizen_id=citizen_id,
                sealed=cipher.encrypt(number, context=phone_context(citizen_id)),
                masked=mask_phone(number),
                lookup=lookup,
                at=now,
            )
            if not updated:
                raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    _refuse(outcome)
    log.info("phone_confirmed_by_sms", citizen_id=citizen_id)
    return await get_citizen_profile(citizen_id=citizen_id)
