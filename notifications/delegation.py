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
from backend.errors import NotFound
from backend.outbox.runner import HandlerContext
from notifications import texts
from notifications.tables import StaffNotice

log = structlog.get_logger(__name__)

MANDATE_REVOKED: Final = "mandate.revoked"
TAKEOVER_REFUSED: Final = "citizen.takeover_refused"

_INSERT = (
    "INSERT INTO staff_notice (key, staff, township, kind, case_number, text, created_at)"
    " VALUES ({}, {}::uuid, NULL, {}, NULL, {}, now()) ON CONFLICT (key) DO NOTHING"
)


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
    rows = await StaffNotice.raw(
        "SELECT m.item_codes, m.bundle_code, c.name FROM mandate m"
        " JOIN citizen c ON c.id = m.citizen WHERE m.id = {}::uuid",
        str(payload["mandate_id"]),
    ).run()
    if not rows:
        log.warning("mandate_revoked_unknown", mandate_id=payload["mandate_id"])
        return
    mandate = rows[0]
    text = texts.MANDATE_REVOKED.format(
        name=mandate["name"] or texts.SOMEONE, scope=await _scope(mandate)
    )
    await StaffNotice.raw(
        _INSERT,
        f"mandate-revoked:{payload['mandate_id']}",
        str(payload["agent_id"]),
        "mandate_revoked",
        text,
    ).run()


async def on_takeover_refused(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    rows = await StaffNotice.raw(
        "SELECT name, id_number_masked FROM citizen WHERE id = {}::uuid",
        str(payload["citizen_id"]),
    ).run()
    person = rows[0] if rows else {"name": None, "id_number_masked": None}
    text = texts.TAKEOVER_REFUSED.format(
        name=person["name"] or texts.SOMEONE,
        id_masked=person["id_number_masked"] or "",
        why=texts.TAKEOVER_WHY.get(str(payload.get("reason")), ""),
    )
    await StaffNotice.raw(
        _INSERT,
        f"takeover-refused:{ctx.event_id}",
        str(payload["agent_id"]),
        "takeover_refused",
        text,
    ).run()


HANDLERS: Final = {MANDATE_REVOKED: on_mandate_revoked, TAKEOVER_REFUSED: on_takeover_refused}
