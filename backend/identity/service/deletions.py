"""Deletion requests, the administrator's side: list them, approve or refuse with a reason.

A decision is one unit of work: the request changes state, the audit chain records it (the
request's id, the reason and the request's state before and after, no personal data) and an
outbox event ``privacy.deletion_decided`` tells the citizen (``notifications.privacy``). For an
approval, that handler then schedules ``privacy.erase`` (``identity.erasure``)
``DELETION_NOTICE_SECONDS`` later, so the outcome is told while the citizen's WeChat binding and
inbox still exist. A request is approved only when none of the person's cases is still open:
erasing would stop a case halfway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, TypeAlias

from backend import clock
from backend.audit.service import Actor, AuditLog
from backend.errors import Conflict, InvalidInput, NotFound
from backend.identity import texts
from backend.identity.erasure import kept_cases
from backend.identity.events import DECIDED_EVENT as DECIDED_EVENT
from backend.identity.events import deletion_decided_payload
from backend.identity.ids import is_uuid
from backend.identity.store import deletion_requests
from backend.identity.store.deletion_requests import RequestRow as RequestRow
from backend.identity.store.deletion_requests import Status as Status
from backend.outbox.service import Doorbell, publish, unit_of_work
from backend.textrules import has_hidden_chars

Outcome: TypeAlias = Literal["approved", "refused"]
STATUSES: Final[tuple[Status, ...]] = ("pending", "approved", "refused", "completed")
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    status: Outcome


def _audit_reason(note: str, outcome: Outcome, at: datetime) -> str:
    """The note and the request before and after, as the other administrators' changes."""
    return json.dumps(
        {
            "note": note,
            "before": {"status": "pending"},
            "after": {"status": outcome, "handled_at": at.isoformat()},
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


async def list_requests(
    *, status: str | None, page: int, page_size: int
) -> tuple[list[RequestRow], int]:
    if status is not None and status not in STATUSES:
        raise InvalidInput(texts.DELETION_STATUS_UNKNOWN, code="status_invalid")
    return await deletion_requests.page(
        status=status, limit=page_size, offset=(page - 1) * page_size
    )


async def get_request(*, request_id: str) -> RequestRow:
    """One request as the administrators' list shows it (``deletion_request_not_found``)."""
    found = await deletion_requests.one(request_id=request_id) if is_uuid(request_id) else None
    if found is None:
        raise NotFound(texts.DELETION_NOT_FOUND, code="deletion_request_not_found")
    return found


async def decide(
    *,
    request_id: str,
    approve: bool,
    reason: str,
    staff_id: str,
    audit: AuditLog,
    doorbell: Doorbell | None,
    notice_s: int,
) -> Decision:
    """Approve or refuse a pending request, with a reason (shown to the citizen)."""
    clean = reason.strip()[:MAX_REASON]
    if not clean:
        raise InvalidInput(texts.DELETION_REASON_REQUIRED, code="reason_required")
    if not is_uuid(request_id):
        raise NotFound(texts.DELETION_NOT_FOUND, code="deletion_request_not_found")
    if has_hidden_chars(clean, multiline=True):
        raise InvalidInput(texts.HIDDEN_CHARS.format(label="理由"), code="validation_failed")
    outcome: Outcome = "approved" if approve else "refused"
    at = clock.now_utc()
    async with unit_of_work(doorbell):
        citizen_id = await deletion_requests.lock_pending(request_id=request_id)
        if citizen_id is None:
            raise NotFound(texts.DELETION_NOT_FOUND, code="deletion_request_not_found")
        if approve and any(not k.closed for k in await kept_cases(citizen_id)):
            raise Conflict(texts.DELETION_OPEN_CASES, code="deletion_open_cases")
        await deletion_requests.mark_decided(
            request_id=request_id,
            outcome=outcome,
            at=at,
            staff_id=staff_id,
            note=clean,
        )
        await audit.record(
            actor=Actor("staff", staff_id),
            action=f"privacy_deletion_{outcome}",
            subject_kind="deletion_request",
            subject_id=request_id,
            reason=_audit_reason(clean, outcome, at),
        )
        await publish(
            kind=DECIDED_EVENT,
            payload=deletion_decided_payload(
                request_id=request_id,
                citizen_id=citizen_id,
                outcome=outcome,
                erase_after_s=notice_s,
            ),
            dedup_key=f"deletion-decided:{request_id}",
        )
    return Decision(request_id, outcome)
