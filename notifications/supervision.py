"""Bell notices for supervisors: an overdue case escalated to them, a bad rating to follow up.

The supervision package publishes ``supervision.escalated`` and ``supervision.follow_up_opened``
outbox events (backend never writes the portal's notices itself); this handler gives each active
supervisor of the event's area (a township's, or the district's) a notice of their own, keyed by
the event and the supervisor, so running it twice writes each notice once. Per person rather than
per area: notices kept under a township's code are also shown to its window desk.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from backend.identity.store import notices as people
from backend.outbox.runner import HandlerContext
from notifications import store

log = structlog.get_logger(__name__)

ESCALATED: Final = "supervision.escalated"
FOLLOW_UP_OPENED: Final = "supervision.follow_up_opened"


async def _notify(*, key: str, kind: str, payload: dict[str, Any]) -> None:
    supervisors = await people.active_supervisors(str(payload["area"]))
    if not supervisors:
        log.warning("supervision_notice_nobody", area=payload["area"], key=key)
    for staff_id in supervisors:
        await store.add_notice(
            key=f"{key}:{staff_id}",
            kind=kind,
            staff=staff_id,
            case_number=payload.get("case_number"),
            text=str(payload["text"]),
        )


async def on_escalated(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    await _notify(key=f"escalated:{payload['escalation_id']}", kind="escalated", payload=payload)


async def on_follow_up_opened(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    await _notify(key=f"follow-up:{payload['follow_up_id']}", kind="follow_up", payload=payload)


HANDLERS: Final = {ESCALATED: on_escalated, FOLLOW_UP_OPENED: on_follow_up_opened}
