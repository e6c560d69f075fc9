"""A citizen asks for their personal information to be deleted (PIPL art. 47).

The request is recorded for the administrator, who carries it out; the answer says at once what
will be deleted and what the law still requires to be kept, and for how long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog

from backend import db
from backend.errors import NotFound
from backend.identity import texts
from backend.identity.ids import is_uuid
from backend.identity.tables import Citizen, DeletionRequest

log = structlog.get_logger(__name__)

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Retention:
    """How long what must be kept is kept (from settings: ``RETENTION_*``)."""

    case_years: int
    audit_years: int


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
    """Record the request (one pending per citizen: asking again answers the same request)."""
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    async with db.engine().transaction():
        if not await Citizen.exists().where(Citizen.id == citizen_id).run():
            raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
        rows = await DeletionRequest.raw(
            "INSERT INTO deletion_request (id, citizen, status, reason, requested_at, note)"
            " VALUES (gen_random_uuid(), {}, 'pending', {}, now(), '')"
            " ON CONFLICT (citizen) WHERE status = 'pending' DO NOTHING"
            " RETURNING id, status, requested_at",
            citizen_id,
            reason.strip()[:MAX_REASON],
        ).run()
        already = not rows
        if already:
            rows = await DeletionRequest.raw(
                "SELECT id, status, requested_at FROM deletion_request"
                " WHERE citizen = {} AND status = 'pending'",
                citizen_id,
            ).run()
    row = rows[0]
    if not already:
        log.info("deletion_requested", citizen_id=citizen_id, request_id=str(row["id"]))
    return DeletionReceipt(
        id=str(row["id"]),
        status=row["status"],
        requested_at=row["requested_at"],
        already_requested=already,
        deleted=texts.DELETED_ITEMS,
        kept=what_is_kept(retention),
    )
