"""A bare WeChat account joins the citizen who already holds the verified identity.

A citizen may sign in with a second WeChat app (the H5 after the mini-program, say) whose account
WeChat could not link by unionid: a second, empty citizen row is created. When that empty
citizen binds an identity whose number another citizen with WeChat accounts holds, and the
verification service confirms name and number (and the holder is bound under the same name),
the new account moves to the holder and the empty row is removed; its tokens stop working. An
unverified claim never moves anything: the holder's cases stay theirs (409 as before).
"""

from __future__ import annotations

import structlog

from backend import clock, db
from backend.identity import sessions, takeover
from backend.identity.masking import mask_phone
from backend.identity.sealed import PHONE_LOOKUP, phone_context
from backend.identity.store import accounts, citizens, deletion_requests, identities
from backend.security.fieldcrypt import FieldCipher

log = structlog.get_logger(__name__)


async def may_join(*, bare_id: str, holder: identities.Holder, name: str) -> bool:
    """Whether the bare citizen's accounts can join ``holder`` (before any write)."""
    if not holder.has_wechat or holder.name != name:
        return False
    mine = await accounts.appids_of(citizen_id=bare_id)
    theirs = await accounts.appids_of(citizen_id=holder.id)
    return bool(mine) and not (mine & theirs)  # one account per app and citizen


async def join(
    *,
    bare_id: str,
    holder_id: str,
    lookup: str,
    cipher: FieldCipher,
    verify_reference: str | None,
) -> bool:
    """Move the bare citizen's accounts (and whatever else it holds) into the holder and delete
    the bare row; False when either changed meanwhile (nothing is written then)."""
    now = clock.now_utc()
    async with db.engine().transaction():
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
