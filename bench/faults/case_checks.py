"""What PostgreSQL says about the cases a fault scenario's citizens submitted: present,
forwarded, and whole (nothing half-written).

A submission writes, in one transaction: the case row, its materials (each claiming its upload:
``upload.attached_kind = 'case'``, ``attached_id`` = the case number), the ``submit`` event of
its timeline, the ``forward:<number>`` outbox row, and the answer stored under its
``Idempotency-Key``. A process killed in the middle must leave all of it or none of it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence, Sized
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

DRAIN_TIMEOUT_S: Final = 120.0

FORWARDED: Final = """
SELECT c.number FROM case_record c
JOIN outbox_event o ON o.dedup_key = 'forward:' || c.number AND o.status = 'done'
WHERE c.number = ANY($1::text[])
"""


async def present_and_forwarded(database_url: str, numbers: list[str]) -> tuple[set[str], set[str]]:
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        present = {
            r["number"]
            for r in await conn.fetch(
                "SELECT number FROM case_record WHERE number = ANY($1::text[])", numbers
            )
        }
        forwarded = {r["number"] for r in await conn.fetch(FORWARDED, numbers)}
    finally:
        await conn.close()
    return present, forwarded


async def drain(database_url: str, numbers: list[str]) -> tuple[set[str], set[str], float | None]:
    """Wait until every case of ``numbers`` is forwarded to its township's queue (its outbox row
    done); (present, forwarded, monotonic time it happened or None after the timeout)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while True:
        present, forwarded = await present_and_forwarded(database_url, numbers)
        if len(forwarded) == len(numbers):
            return present, forwarded, time.monotonic()
        if time.monotonic() > deadline:
            return present, forwarded, None
        await asyncio.sleep(0.25)


def unfinished(
    filed: Sequence[Any],
    numbers: Sized,
    forwarded: Sized,
    drained_at: float | None,
    *,
    give_up_s: float,
    after: str,
) -> list[str]:
    """What a scenario that files cases reports when its work did not finish: submissions never
    acknowledged (``filed`` items whose ``number`` is None), acknowledged cases never forwarded
    (``drained_at`` None: :func:`drain` timed out) ``after`` the fault."""
    problems = []
    unserved = sum(1 for f in filed if f.number is None)
    if unserved:
        problems.append(f"{unserved} submissions were never acknowledged in {give_up_s:.0f} s")
    if drained_at is None:
        problems.append(
            f"{len(numbers) - len(forwarded)} acknowledged cases not forwarded "
            f"{DRAIN_TIMEOUT_S:.0f} s after {after}"
        )
    return problems


WHOLE: Final[dict[str, str]] = {
    "without its submit event": """
        SELECT count(*) FROM case_record c WHERE c.applicant = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM case_event e WHERE e."case" = c.id AND e.action = 'submit')
    """,
    "without its forward outbox row": """
        SELECT count(*) FROM case_record c WHERE c.applicant = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM outbox_event o WHERE o.dedup_key = 'forward:' || c.number)
    """,
    "without its materials": """
        SELECT count(*) FROM case_record c WHERE c.applicant = ANY($1::uuid[])
        AND (SELECT count(*) FROM case_material m WHERE m."case" = c.id AND m.source = 'upload')
            <> $2
    """,
    "with a material whose upload it does not hold": """
        SELECT count(*) FROM case_record c JOIN case_material m ON m."case" = c.id
        LEFT JOIN upload u ON u.id = m.upload_id
        WHERE c.applicant = ANY($1::uuid[]) AND m.source = 'upload'
        AND (u.id IS NULL OR u.attached_kind IS DISTINCT FROM 'case'
             OR u.attached_id IS DISTINCT FROM c.number)
    """,
}
ORPHANS: Final[dict[str, str]] = {
    "uploads claimed by a case that does not exist or is another's": """
        SELECT count(*) FROM upload u WHERE u.owner_id = ANY($1::text[])
        AND u.attached_kind = 'case' AND NOT EXISTS (
            SELECT 1 FROM case_record c
            WHERE c.number = u.attached_id AND c.applicant::text = u.owner_id)
    """,
    "uploads claimed by a case that does not list them": """
        SELECT count(*) FROM upload u WHERE u.owner_id = ANY($1::text[])
        AND u.attached_kind = 'case' AND NOT EXISTS (
            SELECT 1 FROM case_record c JOIN case_material m ON m."case" = c.id
            WHERE c.number = u.attached_id AND m.upload_id = u.id)
    """,
    "idempotency keys left without an answer": """
        SELECT count(*) FROM idempotency_key WHERE response_status IS NULL
    """,
}


@dataclass(frozen=True)
class Wholeness:
    cases: int
    broken: dict[str, int]
    """What is wrong (a sentence) → how many rows; empty when every case is whole."""


async def wholeness(database_url: str, citizen_ids: list[str], materials: int) -> Wholeness:
    """Every case of these citizens whole, every upload of theirs claimed exactly by the case
    that lists it, no idempotency key left half-way."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        cases = int(
            await conn.fetchval(
                "SELECT count(*) FROM case_record WHERE applicant = ANY($1::uuid[])", citizen_ids
            )
        )
        broken: dict[str, int] = {}
        for what, sql in WHOLE.items():
            args: tuple[object, ...] = (citizen_ids, materials) if "$2" in sql else (citizen_ids,)
            if n := int(await conn.fetchval(sql, *args)):
                broken[f"cases {what}"] = n
        for what, sql in ORPHANS.items():
            args = (citizen_ids,) if "$1" in sql else ()
            if n := int(await conn.fetchval(sql, *args)):
                broken[what] = n
    finally:
        await conn.close()
    return Wholeness(cases, broken)
