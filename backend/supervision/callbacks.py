"""电话回访: each week a random sample of the cases closed the week before, per township,
for the supervisors to call the citizen back (reached? satisfied 1–5? how many trips?).

The sample is drawn once per (week, township): a transaction-scoped advisory lock serialises
draws of one week, and a township that already has calls for the week is left alone, so the
Monday cron, a second worker and ``jiujinban supervision sample`` all find the same sample.
The draw itself uses the operating system's randomness, so nobody can tell in advance which
cases will be called.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from backend.cases.store import oversight
from backend.cases.store.oversight import CallRow
from backend.clock import SHANGHAI, now_utc
from backend.errors import InvalidInput, NotFound
from backend.supervision import store, texts
from backend.supervision.scope import Scope

CLOSED_SERVED: Final = ("delivered", "denied", "rejected")
"""Closed cases someone worked on (a withdrawn case had no service to ask about)."""
NOTE_MAX: Final = 1000

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_week(today: date) -> date:
    """The Monday of the week before ``today``'s."""
    return monday_of(today) - timedelta(days=7)


def parse_week(raw: str) -> date:
    """``2026-W48`` (ISO week) or any date of the week (``2026-11-23``) → its Monday."""
    text = raw.strip()
    found = _WEEK.match(text)
    try:
        if found:
            return date.fromisocalendar(int(found[1]), int(found[2]), 1)
        return monday_of(date.fromisoformat(text))
    except ValueError as exc:
        raise InvalidInput(texts.WEEK_INVALID, code="week_invalid") from exc


@dataclass
class Sampled:
    week: date
    drawn: dict[str, int] = field(default_factory=dict)  # township → calls drawn by this run

    @property
    def total(self) -> int:
        return sum(self.drawn.values())


async def sample(*, week: date, size: int) -> Sampled:
    """Draw the week's sample (``size`` per township); in the caller's transaction."""
    done = Sampled(monday_of(week))
    if size <= 0:
        return done
    start = datetime.combine(done.week, time(0), SHANGHAI)
    await store.lock_sample_week(done.week)
    already = await store.townships_drawn(done.week)
    by_township = await oversight.closed_cases_by_township(
        start=start, end=start + timedelta(days=7), statuses=CLOSED_SERVED
    )
    draw = random.SystemRandom()
    for township, ids in sorted(by_township.items()):
        if township in already:
            continue
        for case_id in sorted(draw.sample(ids, min(size, len(ids)))):
            if await store.insert_call(week=done.week, case_id=case_id, township=township):
                done.drawn[township] = done.drawn.get(township, 0) + 1
    return done


async def listed(
    *, scope: Scope, week: date, page: int, page_size: int
) -> tuple[list[CallRow], int]:
    """The week's sample in the scope: calls still to make first, then by case number."""
    return await oversight.calls_page(
        week=monday_of(week), township=scope.township, page=page, page_size=page_size
    )


async def get(*, call_id: int, scope: Scope) -> CallRow:
    found = await oversight.call(call_id)
    if found is None or not scope.sees(found.township):
        raise NotFound(texts.CALL_NOT_FOUND, code="callback_not_found")
    return found


async def record(
    *,
    call_id: int,
    scope: Scope,
    reached: bool,
    satisfied: int | None,
    trips: int | None,
    note: str,
) -> None:
    """What the call found; recording again (a second try to reach them) replaces it."""
    await get(call_id=call_id, scope=scope)
    if not reached and (satisfied is not None or trips is not None):
        raise InvalidInput(texts.SATISFIED_WHEN_REACHED, code="callback_not_reached")
    if satisfied is not None and not 1 <= satisfied <= 5:
        raise InvalidInput(texts.SATISFIED_RANGE, code="satisfied_invalid")
    if trips is not None and not 0 <= trips <= 99:
        raise InvalidInput(texts.TRIPS_RANGE, code="trips_invalid")
    text = note.strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            texts.NOTE_TOO_LONG.format(label="备注", limit=NOTE_MAX), code="field_too_long"
        )
    await store.record_call(
        call_id=call_id,
        at=now_utc(),
        by=scope.staff_id,
        reached=reached,
        satisfied=satisfied,
        trips=trips,
        note=text,
    )
