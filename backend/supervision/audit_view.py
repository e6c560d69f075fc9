"""The audit-log viewer: who read which full ID numbers and material files, for whom and why,
and what the administrators changed.

Read-only over ``audit_event`` (written only by ``backend.audit.service.AuditLog``; its chain is
checked by ``jiujinban audit verify``). For administrators and the district's supervisors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from backend.audit import store
from backend.audit.service import (
    EXPORT_PERSONAL_DATA,
    READ_FORM_FIELD,
    READ_ID_NUMBER,
    READ_MATERIAL,
)
from backend.audit.store import AuditEntry
from backend.clock import SHANGHAI
from backend.errors import InvalidInput
from backend.identity.service import get_staff_accounts
from backend.identity.store.oversight import staff_ids_named
from backend.supervision import texts

ACTIONS: Final = (READ_ID_NUMBER, READ_MATERIAL, EXPORT_PERSONAL_DATA, READ_FORM_FIELD)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None  # a staff id or username, or a citizen id
    citizen: str | None = None  # the citizen read about (or on whose behalf)
    start: date | None = None  # Asia/Shanghai days, both included
    end: date | None = None
    action: str | None = None


async def _actor_ids(actor: str) -> list[str]:
    return await staff_ids_named(actor) or [actor]


async def entries(*, where: AuditFilter, page: int, page_size: int) -> tuple[list[AuditEntry], int]:
    """Audit entries matching the filter, newest first."""
    f = where
    citizen = None
    if f.citizen:
        try:
            citizen = str(uuid.UUID(f.citizen.strip()))
        except ValueError as exc:
            raise InvalidInput("citizen 须为群众编号。", code="citizen_invalid") from exc
    if f.start and f.end and f.start > f.end:
        raise InvalidInput(texts.DATE_RANGE_INVALID, code="date_range_invalid")
    if f.action and f.action not in ACTIONS:
        raise InvalidInput(texts.AUDIT_ACTION_INVALID, code="audit_action_invalid")
    return await store.entries_page(
        actor_ids=await _actor_ids(f.actor.strip()) if f.actor else None,
        citizen=citizen,
        start=datetime.combine(f.start, time(0), SHANGHAI) if f.start else None,
        end=datetime.combine(f.end + timedelta(days=1), time(0), SHANGHAI) if f.end else None,
        action=f.action or None,
        page=page,
        page_size=page_size,
    )


async def staff_names(staff_ids: list[str]) -> dict[str, str]:
    """``username（display name）`` of the staff accounts among ``staff_ids`` (disabled ones too),
    by id, in one query: the staff subjects of a page of the log."""
    found = await get_staff_accounts(staff_ids=staff_ids)
    return {
        i: f"{a.username}（{a.display_name}）" if a.display_name else a.username
        for i, a in found.items()
    }
