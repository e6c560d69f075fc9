"""Cases written in bulk (the demo generator): ids taken from the sequence at once, cases, their
events and ratings COPYed in a batch per transaction, and the stored histories read back for the
generator's check. Every function runs on the one connection the caller holds, so the session's
``synchronous_commit`` setting applies to the whole load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import asyncpg

CASE_COLUMNS: Final = [
    "id", "number", "item_code", "item_version", "applicant", "filed_by_kind", "channel",
    "status", "resume_status", "township", "department", "form", "delivery_method",
    "delivery_address", "committed_days", "deadline", "accepted_at", "closed_at", "created_at",
    "updated_at", "filed_by_staff",
]  # fmt: skip
EVENT_COLUMNS: Final = [
    "case", "at", "action", "from_status", "to_status", "actor_kind", "actor_role", "channel",
    "note", "data",
]  # fmt: skip
EVALUATION_COLUMNS: Final = ["case", "citizen", "round", "score", "comment", "created_at"]


async def reserve_ids(conn: asyncpg.Connection, count: int) -> int:
    """Take ``count`` case ids from the sequence at once; returns the first."""
    last = await conn.fetchval(
        "SELECT setval('case_record_id_seq',"
        " greatest((SELECT coalesce(max(id), 0) FROM case_record),"
        " (SELECT last_value FROM case_record_id_seq)) + $1)",
        count,
    )
    return int(last) - count + 1


async def synchronous_commit(conn: asyncpg.Connection, *, on: bool) -> None:
    """Turn the session's ``synchronous_commit`` off for a bulk load, and on again after."""
    if on:
        await conn.execute("SET synchronous_commit = on")
    else:
        await conn.execute("SET synchronous_commit = off")


async def copy_batch(
    conn: asyncpg.Connection,
    *,
    cases: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
    ratings: list[tuple[Any, ...]],
) -> None:
    """COPY one batch of rows (in the column orders above) in one transaction."""
    async with conn.transaction():
        await conn.copy_records_to_table("case_record", records=cases, columns=CASE_COLUMNS)
        await conn.copy_records_to_table("case_event", records=events, columns=EVENT_COLUMNS)
        await conn.copy_records_to_table("evaluation", records=ratings, columns=EVALUATION_COLUMNS)


async def analyze(conn: asyncpg.Connection) -> None:
    """Fresh planner statistics after a bulk load."""
    await conn.execute("ANALYZE case_record")
    await conn.execute("ANALYZE case_event")


@dataclass(frozen=True, slots=True)
class Step:
    """One stored event of a case's history, as the state machine replays it."""

    case_id: int
    action: str
    from_status: str | None
    to_status: str


async def steps(conn: asyncpg.Connection, case_ids: list[int]) -> list[Step]:
    """The events of these cases, case by case in the order they were written."""
    rows = await conn.fetch(
        'SELECT "case", action, from_status, to_status FROM case_event'
        ' WHERE "case" = ANY($1::bigint[]) ORDER BY "case", id',
        case_ids,
    )
    return [Step(r["case"], r["action"], r["from_status"], r["to_status"]) for r in rows]


async def statuses(
    conn: asyncpg.Connection, case_ids: list[int]
) -> dict[int, tuple[str, str | None]]:
    """Each case's stored status and the status it resumes to."""
    rows = await conn.fetch(
        "SELECT id, status, resume_status FROM case_record WHERE id = ANY($1::bigint[])", case_ids
    )
    return {r["id"]: (r["status"], r["resume_status"]) for r in rows}
