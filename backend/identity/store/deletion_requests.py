"""Deletion requests (``deletion_request``, PIPL art. 47)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, TypeAlias

import asyncpg

from backend import db
from backend.identity.tables import DeletionRequest

Status: TypeAlias = Literal["pending", "approved", "refused", "completed"]


@dataclass(frozen=True, slots=True)
class RequestRow:
    """A request as the administrators' list shows it (the citizen's name while it exists)."""

    id: str
    status: Status
    citizen_id: str | None
    name: str | None
    id_number_masked: str | None
    reason: str
    requested_at: datetime
    handled_at: datetime | None
    decision_reason: str
    completed_at: datetime | None
    cases: int
    citizen_exists: bool = True
    """The citizen's record is still there (False once erased, or if it is otherwise gone)."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A citizen's pending request."""

    id: str
    status: Literal["pending"]
    requested_at: datetime


_REQUEST_SQL: Final = (
    "SELECT d.id::text AS id, d.status, d.citizen::text AS citizen_id, c.name,"
    " c.id_number_masked, d.reason, d.requested_at, d.handled_at, d.note,"
    " d.completed_at, c.id IS NOT NULL AS citizen_exists,"
    " (SELECT count(*) FROM case_record k WHERE k.applicant = d.citizen"
    "  AND k.parent IS NULL) AS cases"
)


def _request(r: asyncpg.Record) -> RequestRow:
    return RequestRow(
        r["id"],
        r["status"],
        r["citizen_id"],
        r["name"],
        r["id_number_masked"],
        r["reason"],
        r["requested_at"],
        r["handled_at"],
        r["note"],
        r["completed_at"],
        int(r["cases"]),
        bool(r["citizen_exists"]),
    )


async def page(*, status: str | None, limit: int, offset: int) -> tuple[list[RequestRow], int]:
    """Requests oldest first, with the number of case files of each citizen; and the total."""
    rows = await db.fetch(
        _REQUEST_SQL + ", count(*) OVER () AS total"
        " FROM deletion_request d LEFT JOIN citizen c ON c.id = d.citizen"
        " WHERE ($1::text IS NULL OR d.status = $1)"
        " ORDER BY d.requested_at, d.id LIMIT $2 OFFSET $3",
        status,
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [_request(r) for r in rows], total


async def one(*, request_id: str) -> RequestRow | None:
    """The request ``request_id`` as the administrators' list shows it, or None."""
    row = await db.fetchrow(
        _REQUEST_SQL + " FROM deletion_request d LEFT JOIN citizen c ON c.id = d.citizen"
        " WHERE d.id = $1::uuid",
        request_id,
    )
    return None if row is None else _request(row)


async def lock_pending(*, request_id: str) -> str | None:
    """Lock the pending request ``request_id``; its citizen (None: no such pending request, or
    its citizen is gone)."""
    row = await db.fetchrow(
        "SELECT citizen::text AS citizen FROM deletion_request"
        " WHERE id = $1::uuid AND status = 'pending' FOR UPDATE",
        request_id,
    )
    return None if row is None else row["citizen"]


async def mark_decided(
    *, request_id: str, outcome: Status, at: datetime, staff_id: str, note: str
) -> None:
    await (
        DeletionRequest.update(
            {
                DeletionRequest.status: outcome,
                DeletionRequest.handled_at: at,
                DeletionRequest.handled_by: staff_id,
                DeletionRequest.note: note,
            }
        )
        .where(DeletionRequest.id == request_id)
        .run()
    )


async def add_pending(*, citizen_id: str, reason: str) -> Pending | None:
    """A new pending request of the citizen, or None when one is pending already."""
    row = await db.fetchrow(
        "INSERT INTO deletion_request (id, citizen, status, reason, requested_at, note)"
        " VALUES (gen_random_uuid(), $1::uuid, 'pending', $2, now(), '')"
        " ON CONFLICT (citizen) WHERE status = 'pending' DO NOTHING"
        " RETURNING id::text AS id, status, requested_at",
        citizen_id,
        reason,
    )
    return None if row is None else Pending(row["id"], row["status"], row["requested_at"])


@dataclass(frozen=True, slots=True)
class Open:
    """A citizen's request not yet settled: pending, or approved and awaiting its erasure."""

    id: str
    status: Literal["pending", "approved"]
    requested_at: datetime


async def lock_open(*, citizen_id: str) -> Open | None:
    """Lock and return the citizen's pending or approved request, if any. A decision being
    made holds the same row, so a new request waits for it and then sees its outcome."""
    row = await db.fetchrow(
        "SELECT id::text AS id, status, requested_at FROM deletion_request"
        " WHERE citizen = $1::uuid AND status IN ('pending', 'approved')"
        " ORDER BY requested_at DESC LIMIT 1 FOR UPDATE",
        citizen_id,
    )
    return None if row is None else Open(row["id"], row["status"], row["requested_at"])


async def pending_of(*, citizen_id: str) -> Pending | None:
    row = await db.fetchrow(
        "SELECT id::text AS id, status, requested_at FROM deletion_request"
        " WHERE citizen = $1::uuid AND status = 'pending'",
        citizen_id,
    )
    return None if row is None else Pending(row["id"], row["status"], row["requested_at"])


async def move(*, from_citizen: str, into_citizen: str) -> None:
    """The requests of a record taken over follow it into the account that took it."""
    await (
        DeletionRequest.update({DeletionRequest.citizen: into_citizen})
        .where(DeletionRequest.citizen == from_citizen)
        .run()
    )


@dataclass(frozen=True, slots=True)
class Approved:
    """An approved request awaiting its erasure (``citizen_id`` None once the citizen is gone)."""

    citizen_id: str | None


async def lock_approved(*, request_id: str) -> Approved | None:
    """Lock the approved request ``request_id``; None when there is no such approved request."""
    row = await db.fetchrow(
        "SELECT citizen::text AS citizen FROM deletion_request"
        " WHERE id::text = $1 AND status = 'approved' FOR UPDATE",
        request_id,
    )
    return None if row is None else Approved(row["citizen"])


async def mark_completed(*, request_id: str, at: datetime) -> None:
    await (
        DeletionRequest.update(
            {DeletionRequest.status: "completed", DeletionRequest.completed_at: at}
        )
        .where(DeletionRequest.id == request_id)
        .run()
    )


async def forget_citizen(*, citizen_id: str) -> None:
    """The citizen's requests stay as proof they were handled, without whom or why."""
    await (
        DeletionRequest.update({DeletionRequest.citizen: None, DeletionRequest.reason: ""})
        .where(DeletionRequest.citizen == citizen_id)
        .run()
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """A request as the citizen's own data export lists it."""

    id: str
    status: Status
    requested_at: datetime
    handled_at: datetime | None


async def of_citizen(*, citizen_id: str) -> list[Summary]:
    rows = await db.fetch(
        "SELECT id::text AS id, status, requested_at, handled_at FROM deletion_request"
        " WHERE citizen = $1::uuid ORDER BY requested_at",
        citizen_id,
    )
    return [Summary(r["id"], r["status"], r["requested_at"], r["handled_at"]) for r in rows]
