"""The audit-log viewer: who read which full ID numbers and material files, for whom and why.

Read-only over ``audit_event`` (written only by ``backend.audit.service.AuditLog``; its chain is
checked by ``jiujinban audit verify``). For administrators and the district's supervisors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from backend.audit.service import (
    EXPORT_PERSONAL_DATA,
    READ_FORM_FIELD,
    READ_ID_NUMBER,
    READ_MATERIAL,
)
from backend.audit.tables import AuditEvent
from backend.clock import SHANGHAI
from backend.errors import InvalidInput
from backend.supervision import texts

ACTIONS: Final = (READ_ID_NUMBER, READ_MATERIAL, EXPORT_PERSONAL_DATA, READ_FORM_FIELD)

_SELECT = (
    "SELECT e.id, e.at, e.actor_kind, e.actor_id, e.on_behalf_of::text AS on_behalf_of,"
    " e.action, e.subject_kind, e.subject_id, e.reason,"
    " COALESCE(s.display_name, ac.name) AS actor_name, s.username AS actor_username,"
    " cz.name AS citizen_name"
    " FROM audit_event e"
    " LEFT JOIN staff_user s ON e.actor_kind = 'staff' AND s.id::text = e.actor_id"
    " LEFT JOIN citizen ac ON e.actor_kind = 'citizen' AND ac.id::text = e.actor_id"
    " LEFT JOIN citizen cz ON cz.id::text = COALESCE(e.on_behalf_of::text,"
    " CASE WHEN e.subject_kind = 'citizen' THEN e.subject_id END)"
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None  # a staff id or username, or a citizen id
    citizen: str | None = None  # the citizen read about (or on whose behalf)
    start: date | None = None  # Asia/Shanghai days, both included
    end: date | None = None
    action: str | None = None


async def _actor_ids(actor: str) -> list[str]:
    found = await AuditEvent.raw(
        "SELECT id::text AS id FROM staff_user WHERE username = {} OR id::text = {}", actor, actor
    ).run()
    return [r["id"] for r in found] or [actor]


async def _where(f: AuditFilter) -> tuple[str, list[Any]]:
    parts: list[str] = []
    args: list[Any] = []
    if f.actor:
        parts.append("e.actor_id = ANY({})")
        args.append(await _actor_ids(f.actor.strip()))
    if f.citizen:
        try:
            citizen = str(uuid.UUID(f.citizen.strip()))
        except ValueError as exc:
            raise InvalidInput("citizen 须为群众编号。", code="citizen_invalid") from exc
        parts.append(
            "(e.on_behalf_of = {}::uuid OR (e.subject_kind = 'citizen' AND e.subject_id = {}))"
        )
        args += [citizen, citizen]
    if f.start and f.end and f.start > f.end:
        raise InvalidInput(texts.DATE_RANGE_INVALID, code="date_range_invalid")
    if f.start:
        parts.append("e.at >= {}")
        args.append(datetime.combine(f.start, time(0), SHANGHAI))
    if f.end:
        parts.append("e.at < {}")
        args.append(datetime.combine(f.end + timedelta(days=1), time(0), SHANGHAI))
    if f.action:
        if f.action not in ACTIONS:
            raise InvalidInput(texts.AUDIT_ACTION_INVALID, code="audit_action_invalid")
        parts.append("e.action = {}")
        args.append(f.action)
    return (" WHERE " + " AND ".join(parts)) if parts else "", args


async def entries(
    *, where: AuditFilter, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """Audit entries matching the filter, newest first."""
    clause, args = await _where(where)
    total = await AuditEvent.raw(
        "SELECT count(*) AS n FROM audit_event e" + clause,  # noqa: S608 - fixed fragments
        *args,
    ).run()
    rows = await AuditEvent.raw(
        _SELECT + clause + " ORDER BY e.id DESC"
        f" LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}",
        *args,
    ).run()
    return [dict(r) for r in rows], int(total[0]["n"])
