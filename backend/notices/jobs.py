"""The ``case.notice`` handler: issue the notice a step calls for (idempotent, once per step)."""

from __future__ import annotations

from typing import Any, Final

from backend.cases.events import NOTICE_EVENT, read_notice_due
from backend.notices import service
from backend.outbox.runner import HandlerContext


async def on_notice_due(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    due = read_notice_due(payload)
    await service.issue_for_step(
        event_id=due.event_id,
        case_id=due.case_id,
        action=due.action,
        actor_role=due.actor_role,
        doorbell=ctx.services.get("doorbell"),
    )


HANDLERS: Final = {NOTICE_EVENT: on_notice_due}
