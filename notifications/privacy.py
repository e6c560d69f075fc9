"""Telling a citizen what became of their deletion request (``privacy.deletion_decided``), and
that another WeChat account joined theirs (``identity.wechat_account_joined``).

The outcome goes to the citizen's inbox (read in the mini-program) in one transaction with,
for an approval, the ``privacy.erase`` event scheduled ``erase_after_s`` later: the citizen is
told while their account, WeChat binding and inbox still exist, and erasure removes the message
with the rest. Keyed on the request, so a rerun writes nothing twice.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend.identity.events import (
    ACCOUNT_JOINED_EVENT,
    DECIDED_EVENT,
    ERASE_EVENT,
    erase_payload,
    read_account_joined,
    read_deletion_decided,
)
from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from backend.outbox.service import publish, unit_of_work
from notifications import store, texts

log = structlog.get_logger(__name__)


async def on_deletion_decided(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    event = read_deletion_decided(payload)
    request_id, citizen_id, approved = event.request_id, event.citizen_id, event.approved
    async with unit_of_work(ctx.services.get("doorbell")):
        note = await people.deletion_note(request_id)
        if note is None:  # a rerun after the erasure: there is no one left to tell
            return
        body = (texts.DELETION_APPROVED if approved else texts.DELETION_REFUSED).format(reason=note)
        await store.add_message(
            store.NewMessage(
                key=f"deletion:{request_id}:{citizen_id}:inbox",
                event=DECIDED_EVENT,
                recipient_id=citizen_id,
                channel="inbox",
                title=texts.DELETION_TITLE,
                body=body,
                status="delivered",
                finished=True,
            )
        )
        if approved:
            await publish(
                kind=ERASE_EVENT,
                payload=erase_payload(request_id),
                dedup_key=f"erase:{request_id}",
                delay_s=float(event.erase_after_s),
            )
    log.info("deletion_outcome_told", request_id=request_id, approved=approved)


async def on_account_joined(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    """An inbox message to the holder: a new WeChat sign-in joined their account (keyed on the
    joined account, so a rerun writes nothing twice)."""
    event = read_account_joined(payload)
    async with unit_of_work(ctx.services.get("doorbell")):
        await store.add_message(
            store.NewMessage(
                key=f"account-joined:{event.joined_id}:{event.citizen_id}:inbox",
                event=ACCOUNT_JOINED_EVENT,
                recipient_id=event.citizen_id,
                channel="inbox",
                title=texts.ACCOUNT_JOINED_TITLE,
                body=texts.ACCOUNT_JOINED,
                status="delivered",
                finished=True,
            )
        )
    log.info("account_joined_told", citizen_id=event.citizen_id)


HANDLERS: Final = {DECIDED_EVENT: on_deletion_decided, ACCOUNT_JOINED_EVENT: on_account_joined}
