"""A bare WeChat account joins the citizen who already holds the verified identity.

A citizen may sign in with a second WeChat app (the H5 after the mini-program, say) whose account
WeChat could not link by unionid: a second, empty citizen row is created. When that empty
citizen binds an identity whose number another citizen with WeChat accounts holds, and the
verification service confirms name and number (and the holder is bound under the same name),
the new account moves to the holder and the empty row is removed; its tokens stop working. An
unverified claim never moves anything: the holder's cases stay theirs (409 as before).

Name and number printed on an ID card prove that the two belong together, not that the caller is
their holder: a join also needs the holder's consent, a one-time SMS code sent to the phone
already confirmed on the holder's record (``require_holder_code``). A holder without one is
joined by no one (409 ``id_number_taken``): they use the WeChat account they registered with or
go to a service counter. After a join the holder gets a message (``AccountJoined``).
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from backend import clock
from backend.errors import Conflict
from backend.identity import phone_sms, sessions, takeover, texts
from backend.identity.events import ACCOUNT_JOINED_EVENT, account_joined_payload
from backend.identity.masking import mask_phone
from backend.identity.ports import TextSender
from backend.identity.sealed import PHONE_LOOKUP, phone_context
from backend.identity.store import accounts, citizens, deletion_requests, identities
from backend.outbox.service import Doorbell, publish, unit_of_work
from backend.security.fieldcrypt import FieldCipher

log = structlog.get_logger(__name__)


async def may_join(*, bare_id: str, holder: identities.Holder, name: str) -> bool:
    """Whether the bare citizen's accounts can join ``holder`` (before any write)."""
    if not holder.has_wechat or holder.name != name:
        return False
    mine = await accounts.appids_of(citizen_id=bare_id)
    theirs = await accounts.appids_of(citizen_id=holder.id)
    return bool(mine) and not (mine & theirs)  # one account per app and citizen


@dataclass(frozen=True, slots=True)
class JoinSms:
    """What sending and checking the holder's join code needs (the SMS code machinery)."""

    sender: TextSender | None
    secret_key: str
    limits: phone_sms.CodeLimits
    doorbell: Doorbell | None = None
    """Rung after a join commits, for the holder's message (the sweeper finds it otherwise)."""


async def require_holder_code(
    *,
    bare_id: str,
    holder_id: str,
    code: str | None,
    cipher: FieldCipher,
    sms: JoinSms | None,
) -> None:
    """Returns only when ``code`` is the holder's live join code for ``bare_id`` (now used up).

    No confirmed phone on the holder's record: 409 ``id_number_taken``. No code given: a code is
    sent to that phone and the answer is 409 ``account_join_code_sent`` with the phone masked.
    A wrong code: 422 ``sms_code_invalid``; an expired or worn-out one: 422 ``sms_code_expired``.
    """
    sealed = await citizens.sealed_phone(citizen_id=holder_id)
    if not sealed or sms is None:
        log.info("wechat_account_join_refused", citizen_id=holder_id, joining=bare_id)
        raise Conflict(texts.JOIN_NO_PHONE, code="id_number_taken")
    phone = cipher.decrypt(sealed, context=phone_context(holder_id))
    if code is None:
        sent = await phone_sms.send_join_code(
            holder_id=holder_id,
            bare_id=bare_id,
            phone=phone,
            sender=sms.sender,
            cipher=cipher,
            secret_key=sms.secret_key,
            limits=sms.limits,
        )
        log.info("wechat_account_join_code_sent", citizen_id=holder_id, joining=bare_id)
        raise Conflict(
            texts.JOIN_CODE_SENT.format(phone=sent.phone_masked),
            code="account_join_code_sent",
            extra={"phone_masked": sent.phone_masked},
        )
    await phone_sms.use_join_code(
        holder_id=holder_id,
        bare_id=bare_id,
        phone=phone,
        code=code,
        cipher=cipher,
        secret_key=sms.secret_key,
        max_tries=sms.limits.max_tries,
    )


async def join(
    *,
    bare_id: str,
    holder_id: str,
    lookup: str,
    cipher: FieldCipher,
    verify_reference: str | None,
    doorbell: Doorbell | None = None,
) -> bool:
    """Move the bare citizen's accounts (and whatever else it holds) into the holder and delete
    the bare row; False when either changed meanwhile (nothing is written then)."""
    now = clock.now_utc()
    async with unit_of_work(doorbell):
        first, second = sorted((bare_id, holder_id))  # one lock order for every caller
        await identities.bound(citizen_id=first, lock=True)
        await identities.bound(citizen_id=second, lock=True)
        bare = await identities.bound(citizen_id=bare_id)
        holder = await identities.bound(citizen_id=holder_id)
        if bare is None or holder is None or bare.identity_bound:
            return False
        if holder.id_number_hash != lookup:
            return False
        await _move_phone(bare_id, holder_id, cipher)
        await accounts.move(from_citizen=bare_id, into_citizen=holder_id)
        await deletion_requests.move(from_citizen=bare_id, into_citizen=holder_id)
        await takeover.merge(bare_id, holder_id)
        if not holder.identity_verified:
            await identities.change_identity(
                citizen_id=holder_id,
                change=identities.IdentityChange(
                    at=now, verified=True, verify_reference=verify_reference
                ),
            )
        await sessions.revoke_all(kind="citizen", account_id=bare_id)
        await citizens.delete(citizen_id=bare_id)
        await publish(
            kind=ACCOUNT_JOINED_EVENT,
            payload=account_joined_payload(citizen_id=holder_id, joined_id=bare_id),
            dedup_key=f"account-joined:{bare_id}",
        )
    log.info("wechat_account_joined", citizen_id=holder_id, joined=bare_id)
    return True


async def _move_phone(from_id: str, into_id: str, cipher: FieldCipher) -> None:
    sealed = await citizens.sealed_phone(citizen_id=from_id)
    if not sealed or not await identities.lacks_phone(citizen_id=into_id):
        return
    phone = cipher.decrypt(sealed, context=phone_context(from_id))
    await citizens.set_phone(
        citizen_id=into_id,
        sealed=cipher.encrypt(phone, context=phone_context(into_id)),
        masked=mask_phone(phone),
        lookup=cipher.lookup_hash(phone, context=PHONE_LOOKUP),
    )
