"""A citizen binds the phone number WeChat vouches for (``getPhoneNumber``)."""

from __future__ import annotations

import re

import structlog

from backend import clock, db
from backend.errors import InvalidInput, NotFound, ServiceUnavailable
from backend.identity import texts
from backend.identity.ids import is_uuid
from backend.identity.masking import mask_phone
from backend.identity.sealed import PHONE_LOOKUP, phone_context
from backend.identity.service import CitizenProfile, get_citizen_profile
from backend.identity.store import citizens
from backend.security.fieldcrypt import FieldCipher
from backend.wechat.ports import WeChatCodeInvalid, WeChatError, WeChatGateway

log = structlog.get_logger(__name__)

_PHONE = re.compile(r"\d{5,20}")


async def bind_phone(
    *, citizen_id: str, code: str, gateway: WeChatGateway, cipher: FieldCipher
) -> CitizenProfile:
    """Store the phone number behind a ``getPhoneNumber`` code, encrypted, with its mask."""
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    code = code.strip()
    if not code:
        raise InvalidInput(texts.PHONE_CODE_INVALID, code="phone_code_invalid")
    try:
        info = await gateway.get_phone_number(code)
    except WeChatCodeInvalid as exc:
        raise InvalidInput(texts.PHONE_CODE_INVALID, code="phone_code_invalid") from exc
    except WeChatError as exc:
        if exc.permanent:
            raise InvalidInput(texts.PHONE_CODE_INVALID, code="phone_code_invalid") from exc
        log.warning("wechat_phone_unavailable", errcode=exc.errcode)
        raise ServiceUnavailable(texts.WECHAT_UNAVAILABLE, code="wechat_unavailable") from exc
    phone = info.pure_phone_number.strip()
    if not _PHONE.fullmatch(phone):
        log.warning("wechat_phone_malformed", citizen_id=citizen_id)
        raise ServiceUnavailable(texts.WECHAT_UNAVAILABLE, code="wechat_unavailable")
    async with db.engine().transaction():
        updated = await citizens.set_phone(
            citizen_id=citizen_id,
            sealed=cipher.encrypt(phone, context=phone_context(citizen_id)),
            masked=mask_phone(phone),
            lookup=cipher.lookup_hash(phone, context=PHONE_LOOKUP),
            at=clock.now_utc(),
        )
    if not updated:
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    return await get_citizen_profile(citizen_id=citizen_id)
