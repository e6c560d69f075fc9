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

from backend import db
from backend.catalogue import service as catalogue
from backend.errors import NotFound
from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from notifications import store, texts

log = structlog.get_logger(__name__)

MANDATE_REVOKED: Final = "mandate.revoked"
TAKEOVER_REFUSED: Final = "citizen.takeover_refused"


async def _scope(mandate: dict[str, Any]) -> str:
    try:
        if mandate["bundle_code"]:
            return (await catalogue.get_bundle(code=mandate["bundle_code"])).spec.name
        return "、".join(
            [(await catalogue.get_item(code=c)).spec.name for c in mandate["item_codes"] or []]
        )
    except NotFound:
        return mandate["bundle_code"] or "、".join(mandate["item_codes"] or [])


async def on_mandate_revoked(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    rows = await db.fetch(
        "SELECT m.item_codes, m.bundle_code, c.name FROM mandate m"
        " JOIN citizen c ON c.id = m.citizen WHERE m.id = $1::uuid",
        str(payload["mandate_id"]),
    )
    if not rows:
        log.warning("mandate_revoked_unknown", mandate_id=payload["mandate_id"])
        return
    mandate = rows[0]
    text = texts.MANDATE_REVOKED.format(
        name=mandate["name"] or texts.SOMEONE, scope=await _scope(mandate)
    )
    await store.add_notice(
        key=f"mandate-revoked:{payload['mandate_id']}",
        kind="mandate_revoked",
        staff=str(payload["agent_id"]),
        text=text,
    )


async def on_takeover_refused(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    person = await people.person(str(payload["citizen_id"]))
    text = texts.TAKEOVER_REFUSED.format(
        name=(person.name if person else None) or texts.SOMEONE,
        id_masked=(person.id_number_masked if person else None) or "",
        why=texts.TAKEOVER_WHY.get(str(payload.get("reason")), ""),
    )
    await store.add_notice(
        key=f"takeover-refused:{ctx.event_id}",
        kind="takeover_refused",
        staff=str(payload["agent_id"]),
        text=text,
    )


HANDLERS: Final = {MANDATE_REVOKED: on_mandate_revoked, TAKEOVER_REFUSED: on_takeover_refused}
