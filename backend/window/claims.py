"""Claims on queued cases: a clerk takes the most urgent unclaimed case; a claim lapses.

Two clerks (or two requests of one clerk) never get the same case: candidates are locked with
``FOR UPDATE SKIP LOCKED`` so concurrent claimers pass each other by, and the claim row itself
is the arbiter — ``INSERT … ON CONFLICT ("case") DO UPDATE … WHERE`` the old claim has lapsed,
so a claim committed by another transaction after our snapshot is never overwritten.
A lapsed claim is ignored everywhere; any action by its holder refreshes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from backend.clock import now_utc
from backend.errors import Conflict
from backend.window import texts
from backend.window.tables import Claim

DEFAULT_LAPSE_S: Final = 900
MAX_ATTEMPTS: Final = 25

QUEUE_ORDER: Final = "c.deadline NULLS LAST, c.created_at, c.id"
"""Most urgent first: the earliest deadline, then the oldest case."""

QUEUED_IN_TOWNSHIP: Final = (
    "c.township = {} AND c.status = 'queued' AND c.parent IS NULL"
    ' AND NOT EXISTS (SELECT 1 FROM platform_push pp WHERE pp."case" = c.id'
    " AND pp.pushed_at IS NOT NULL)"
)
"""What the front desk works: queued cases and bundles (as their parent) of one township —
not those pushed to an external one-window platform, which that platform works."""


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

    Runs in the caller's transaction; the candidate's row lock is held until it commits.
    """
    moment = now or now_utc()
    skipped: list[int] = []
    for _ in range(MAX_ATTEMPTS):
        # The fragments are constants of this module; every value is a bound parameter.
        rows = await Claim.raw(
            "SELECT c.id, c.number FROM case_record c WHERE "  # noqa: S608
            + QUEUED_IN_TOWNSHIP
            + ' AND NOT EXISTS (SELECT 1 FROM claim k WHERE k."case" = c.id AND k.expires_at > {})'
            " AND NOT (c.id = ANY({}::bigint[]))"
            " ORDER BY " + QUEUE_ORDER + " LIMIT 1 FOR UPDATE OF c SKIP LOCKED",
            township_code,
            moment,
            skipped,
        ).run()
        if not rows:
            return None
        case_id = int(rows[0]["id"])
        taken = await Claim.raw(
            'INSERT INTO claim ("case", staff, claimed_at, expires_at) VALUES ({}, {}, {}, {})'
            ' ON CONFLICT ("case") DO UPDATE SET staff = EXCLUDED.staff,'
            " claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at"
            " WHERE claim.expires_at <= EXCLUDED.claimed_at RETURNING id",
            case_id,
            staff_id,
            moment,
            moment + timedelta(seconds=lapse_s),
        ).run()
        if taken:
            return str(rows[0]["number"])
        skipped.append(case_id)  # claimed by a transaction that committed after our snapshot
    return None


async def live_claim(case_id: int, *, now: datetime | None = None) -> ClaimInfo | None:
    rows = await Claim.raw(
        "SELECT k.staff, k.claimed_at, k.expires_at, s.display_name FROM claim k"
        ' JOIN staff_user s ON s.id = k.staff WHERE k."case" = {} AND k.expires_at > {}',
        case_id,
        now or now_utc(),
    ).run()
    if not rows:
        return None
    row = rows[0]
    return ClaimInfo(str(row["staff"]), row["display_name"], row["claimed_at"], row["expires_at"])


async def check_free_for(case_id: int, *, staff_id: str) -> None:
    """409 when another clerk holds a live claim on the case."""
    claim = await live_claim(case_id)
    if claim is not None and claim.staff_id != staff_id:
        raise Conflict(
            texts.CLAIMED_BY_OTHER.format(name=claim.staff_name or "其他工作人员"),
            code="case_claimed",
        )


async def touch(case_id: int, *, staff_id: str, lapse_s: int) -> None:
    """The holder acted on the case: their live claim runs ``lapse_s`` from now again."""
    now = now_utc()
    await (
        Claim.update({Claim.expires_at: now + timedelta(seconds=lapse_s)})
        .where((Claim.case == case_id) & (Claim.staff == staff_id) & (Claim.expires_at > now))
        .run()
    )


async def drop(case_id: int) -> None:
    """The case left the queue: its claim has nothing left to protect."""
    await Claim.delete().where(Claim.case == case_id).run()


async def release(case_id: int, *, staff_id: str) -> None:
    """Give a claimed case back to the queue; 409 when the caller holds no live claim on it."""
    released = (
        await Claim.delete()
        .where((Claim.case == case_id) & (Claim.staff == staff_id) & (Claim.expires_at > now_utc()))
        .returning(Claim.id)
        .run()
    )
    if not released:
        raise Conflict(texts.NOT_CLAIMED, code="case_not_claimed")


def claimed(row: dict[str, Any]) -> ClaimInfo | None:
    """The live claim joined onto a listed row (``claimed_by``…), if any."""
    if row.get("claimed_by") is None:
        return None
    return ClaimInfo(
        str(row["claimed_by"]), row["claimed_by_name"], row["claimed_at"], row["claimed_until"]
    )
