"""The SQL of a deletion's part in the cases context: restricting files, purging expired ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from backend import db


@dataclass(frozen=True, slots=True)
class FileOfApplicant:
    id: int
    number: str
    mandate_id: str | None
    status: str


async def files_of(citizen_id: str) -> list[FileOfApplicant]:
    """Every case file naming the citizen as applicant, oldest first."""
    rows = await db.fetch(
        "SELECT id, number, mandate_id, status FROM case_record WHERE applicant = $1::uuid"
        " ORDER BY id",
        citizen_id,
    )
    return [FileOfApplicant(r["id"], r["number"], r["mandate_id"], r["status"]) for r in rows]


async def restrict_files_of(citizen_id: str) -> None:
    await db.execute(
        "UPDATE case_record SET restricted_at = now() WHERE applicant = $1::uuid"
        " AND restricted_at IS NULL",
        citizen_id,
    )


@dataclass(frozen=True, slots=True)
class ExpiredFile:
    id: int
    number: str


async def lock_expired(cutoff: datetime) -> list[ExpiredFile]:
    """Restricted root files closed before ``cutoff``, locked (in the caller's transaction)."""
    rows = await db.fetch(
        "SELECT id, number FROM case_record WHERE parent IS NULL"
        " AND restricted_at IS NOT NULL AND closed_at IS NOT NULL AND closed_at < $1"
        " FOR UPDATE",
        cutoff,
    )
    return [ExpiredFile(r["id"], r["number"]) for r in rows]


_PURGE: Final[tuple[str, ...]] = tuple(
    f'DELETE FROM {table} WHERE "case" = ANY($1::bigint[])'  # noqa: S608 - table names are constants
    for table in (
        "follow_up",
        "platform_callback",
        "platform_push",
        "evaluation",
        "callback_call",
        "escalation",
        "case_urge",
        "handover_line",
        "citizen_handover",
        "case_supplement",
        "case_later_item",
        "notice",
        "case_material",
        "case_event",
    )
)
"""Everything recorded about a case, in every context, that must go before the case row."""


async def purge(root_ids: list[int]) -> None:
    """Delete the files (children with their bundle) and everything recorded about them, then
    the applicant records that are restricted and no longer named by any file."""
    all_ids = [
        int(r["id"])
        for r in await db.fetch(
            "SELECT id FROM case_record WHERE id = ANY($1::bigint[]) OR parent = ANY($1::bigint[])",
            root_ids,
        )
    ]
    for statement in _PURGE:
        await db.execute(statement, all_ids)
    await db.execute(
        "DELETE FROM upload WHERE attached_kind = 'case' AND attached_id IN"
        " (SELECT number FROM case_record WHERE id = ANY($1::bigint[]))",
        all_ids,
    )
    await db.execute("DELETE FROM case_record WHERE parent = ANY($1::bigint[])", root_ids)
    applicants = await db.fetch(
        "DELETE FROM case_record WHERE id = ANY($1::bigint[]) RETURNING applicant", root_ids
    )
    await db.execute(
        "DELETE FROM citizen z WHERE z.id = ANY($1::uuid[]) AND z.restricted_at IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM case_record c WHERE c.applicant = z.id)",
        [str(a["applicant"]) for a in applicants],
    )
