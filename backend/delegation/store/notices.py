"""What notifications read of a mandate when they write a message or notice about it.

The outbox payloads of delegation's events carry ids only (``backend.delegation.events``); the
scope and dates a message names are read here when it is written. Names of people are read
through identity's store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend import db


@dataclass(frozen=True, slots=True)
class MandateNotice:
    """A mandate as a message about it names it: whose, for what, until when."""

    id: str
    agent_id: str
    citizen_id: str
    item_codes: list[str]
    bundle_code: str | None
    expires_on: date
    status: str


async def mandate(mandate_id: str, *, pending_only: bool = False) -> MandateNotice | None:
    """The mandate ``mandate_id`` (only while it awaits the citizen, with ``pending_only``)."""
    row = await db.fetchrow(
        "SELECT id::text AS id, agent::text AS agent_id, citizen::text AS citizen_id,"
        " item_codes, bundle_code, expires_on, status FROM mandate"
        " WHERE id = $1::uuid AND (NOT $2::boolean OR status = 'pending')",
        mandate_id,
        pending_only,
    )
    if row is None:
        return None
    return MandateNotice(
        id=row["id"],
        agent_id=row["agent_id"],
        citizen_id=row["citizen_id"],
        item_codes=list(row["item_codes"] or []),
        bundle_code=row["bundle_code"],
        expires_on=row["expires_on"],
        status=row["status"],
    )
