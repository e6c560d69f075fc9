"""Claims on queued cases: a clerk takes the most urgent unclaimed case; a claim lapses.

Two clerks (or two requests of one clerk) never get the same case: candidates are locked with
``FOR UPDATE SKIP LOCKED`` so concurrent claimers pass each other by, and the claim row itself
is the arbiter (``store.take_claim``). A lapsed claim is ignored everywhere; any action by its
holder refreshes it. Everything here runs in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from backend.cases.store import queue
from backend.cases.store.queue import Line
from backend.clock import now_utc
from backend.errors import Conflict
from backend.identity.store import clerks
from backend.window import store, texts

MAX_ATTEMPTS: Final = 25


@dataclass(frozen=True, slots=True)
class ClaimInfo:
    staff_id: str
    staff_name: str | None
    claimed_at: datetime
    expires_at: datetime


async def claim_next(
    *, staff_id: str, township_code: str, lapse_s: int, now: datetime | None = None
) -> str | None:
    """Claim the most urgent unclaimed queued case of the township; its number, or None.

    The candidate's row lock is held until the caller's transaction commits.
    """
    moment = now or now_utc()
    skipped: list[int] = []
    for _ in range(MAX_ATTEMPTS):
        found = await queue.next_unclaimed(township_code=township_code, now=moment, skipped=skipped)
        if found is None:
            return None
        case_id, number = found
        taken = await store.take_claim(
            case_id=case_id,
            staff_id=staff_id,
            now=moment,
            expires_at=moment + timedelta(seconds=lapse_s),
        )
        if taken:
            return number
        skipped.append(case_id)  # claimed by a transaction that committed after our snapshot
    return None


async def check_free_for(case_id: int, *, staff_id: str) -> None:
    """409 when another clerk holds a live claim on the case."""
    claim = await store.live_claim(case_id, now=now_utc())
    if claim is not None and claim.staff_id != staff_id:
        name = (await clerks.staff_names({claim.staff_id})).get(claim.staff_id)
        raise Conflict(
            texts.CLAIMED_BY_OTHER.format(name=name or "其他工作人员"), code="case_claimed"
        )


async def touch(case_id: int, *, staff_id: str, lapse_s: int) -> None:
    """The holder acted on the case: their live claim runs ``lapse_s`` from now again."""
    now = now_utc()
    await store.extend_claim(
        case_id=case_id, staff_id=staff_id, now=now, until=now + timedelta(seconds=lapse_s)
    )


async def drop(case_id: int) -> None:
    """The case left the queue: its claim has nothing left to protect."""
    await store.drop_claim(case_id)


async def release(case_id: int, *, staff_id: str) -> None:
    """Give a claimed case back to the queue; 409 when the caller holds no live claim on it."""
    if not await store.release_claim(case_id=case_id, staff_id=staff_id, now=now_utc()):
        raise Conflict(texts.NOT_CLAIMED, code="case_not_claimed")


def claimed(line: Line) -> ClaimInfo | None:
    """The live claim joined onto a listed line, if any."""
    if line.claimed_by is None or line.claimed_at is None or line.claimed_until is None:
        return None
    return ClaimInfo(line.claimed_by, line.claimed_by_name, line.claimed_at, line.claimed_until)
