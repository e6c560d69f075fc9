"""A citizen asks for their personal information to be deleted (PIPL art. 47).

The request is recorded for the administrator, who carries it out; the answer says at once what
will be deleted and what the law still requires to be kept, and for how long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import structlog

from backend import db
from backend.errors import Conflict, NotFound
from backend.identity import texts
from backend.identity.ids import is_uuid
from backend.identity.store import citizens, deletion_requests

if TYPE_CHECKING:
    from backend.settings import Settings

log = structlog.get_logger(__name__)

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Retention:
    """How long what must be kept is kept (from settings: ``RETENTION_*``)."""

    case_years: int
    audit_years: int

    @classmethod
    def of(cls, settings: Settings) -> Retention:
        return cls(
            case_years=settings.retention_case_years, audit_years=settings.retention_audit_years
        )


@dataclass(frozen=True, slots=True)
class Kept:
    data: str
    retention: str
    basis: str


@dataclass(frozen=True, slots=True)
class DeletionReceipt:
    id: str
    status: Literal["pending"]
    requested_at: datetime
    already_requested: bool
    deleted: tuple[str, ...]
    kept: tuple[Kept, ...]

    @property
    def detail(self) -> str:
        return texts.DELETION_ALREADY_PENDING if self.already_requested else texts.DELETION_RECEIVED


def what_is_kept(retention: Retention) -> tuple[Kept, ...]:
    return (
        Kept(texts.KEPT_CASES, texts.years(retention.case_years), texts.KEPT_CASES_BASIS),
        Kept(texts.KEPT_AUDIT, texts.years(retention.audit_years), texts.KEPT_AUDIT_BASIS),
        Kept(texts.KEPT_REQUEST, texts.years(retention.audit_years), texts.KEPT_REQUEST_BASIS),
    )


async def request_deletion(
    *, citizen_id: str, reason: str, retention: Retention
) -> DeletionReceipt:
    """Record the request (one pending per citizen: asking again answers the same request;
    once one is approved, a new one is refused until the erasure is done)."""
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    async with db.engine().transaction():
        if not await citizens.any_with_id(citizen_id=citizen_id):
            raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
        current = await deletion_requests.lock_open(citizen_id=citizen_id)
        if current is not None and current.status == "approved":
            raise Conflict(texts.DELETION_ALREADY_APPROVED, code="deletion_request_exists")
        row = await deletion_requests.add_pending(
            citizen_id=citizen_id, reason=reason.strip()[:MAX_REASON]
        )
        already = row is None
        if row is None:
            row = await deletion_requests.pending_of(citizen_id=citizen_id)
    assert row is not None
    if not already:
        log.info("deletion_requested", citizen_id=citizen_id, request_id=row.id)
    return DeletionReceipt(
        id=row.id,
        status=row.status,
        requested_at=row.requested_at,
        already_requested=already,
        deleted=texts.DELETED_ITEMS,
        kept=what_is_kept(retention),
    )
