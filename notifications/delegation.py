"""Bell notices for agents about their mandates and registrations.

- ``mandate.revoked``: the citizen revoked a mandate in the mini-program. The agent hears of it
  (they may no longer act for the citizen, and must hand back what they hold). The citizen
  acted themselves and saw the result on the spot, so no message goes to them.
- ``citizen.takeover_refused``: a WeChat account could not take over a record the agent
  registered (another name, no or failed verification). The agent hears why, to check with the
  villager. The person who tried got the reason in the 409 answer at once; the registered
  record has no WeChat to write to.

Each notice is keyed by its event, so running a handler twice writes it once.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend.catalogue import service as catalogue
from backend.delegation.events import REVOKED_EVENT as MANDATE_REVOKED
from backend.delegation.events import TAKEOVER_REFUSED_EVENT as TAKEOVER_REFUSED
from backend.delegation.events import read_mandate_revoked, read_takeover_refused
from backend.delegation.store import notices as mandates
from backend.delegation.store.notices import MandateNotice
from backend.errors import NotFound
from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from notifications import store, texts

log = structlog.get_logger(__name__)


async def _scope(mandate: MandateNotice) -> str:
    try:
        if mandate.bundle_code:
            return (await catalogue.get_bundle(code=mandate.bundle_code)).spec.name
        return "、".join([(await catalogue.get_item(code=c)).spec.name for c in mandate.item_codes])
    except NotFound:
        return mandate.bundle_code or "、".join(mandate.item_codes)


async def on_mandate_revoked(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    event = read_mandate_revoked(payload)
    mandate = await mandates.mandate(event.mandate_id)
    person = await people.person(mandate.citizen_id) if mandate is not None else None
    if mandate is None or person is None:
        log.warning("mandate_revoked_unknown", mandate_id=event.mandate_id)
        return
    text = texts.MANDATE_REVOKED.format(
        name=person.name or texts.SOMEONE, scope=await _scope(mandate)
    )
    await store.add_notice(
        key=f"mandate-revoked:{event.mandate_id}",
        kind="mandate_revoked",
        staff=event.agent_id,
        text=text,
    )


async def on_takeover_refused(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    event = read_takeover_refused(payload)
    person = await people.person(event.citizen_id)
    text = texts.TAKEOVER_REFUSED.format(
        name=(person.name if person else None) or texts.SOMEONE,
        id_masked=(person.id_number_masked if person else None) or "",
        why=texts.TAKEOVER_WHY.get(event.reason, ""),
    )
    await store.add_notice(
        key=f"takeover-refused:{ctx.event_id}",
        kind="takeover_refused",
        staff=event.agent_id,
        text=text,
    )


HANDLERS: Final = {MANDATE_REVOKED: on_mandate_revoked, TAKEOVER_REFUSED: on_takeover_refused}
