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
from typing import Any, Final

from backend.clock import SHANGHAI, now_utc
from backend.errors import InvalidInput, NotFound
from backend.supervision import texts
from backend.supervision.scope import Scope
from backend.supervision.tables import CallbackCall

CLOSED_SERVED: Final = ("delivered", "denied", "rejected")
"""Closed cases someone worked on (a withdrawn case had no service to ask about)."""
NOTE_MAX: Final = 1000

_LOCK = "SELECT pg_advisory_xact_lock(hashtext({}))"
_CLOSED = (
    "SELECT c.id, c.township FROM case_record c WHERE c.parent IS NULL"
    " AND c.restricted_at IS NULL"
    " AND c.closed_at >= {} AND c.closed_at < {} AND c.status = ANY({})"
    " AND c.township IS NOT NULL ORDER BY c.township, c.id"
)
_DRAWN = "SELECT DISTINCT township FROM callback_call WHERE week = {}"
_INSERT = (
    'INSERT INTO callback_call (week, "case", township, drawn_at, note)'
    " VALUES ({}, {}, {}, now(), '') ON CONFLICT (week, \"case\") DO NOTHING RETURNING id"
)
_SELECT = (
    "SELECT k.id, k.week, k.township, k.drawn_at, k.called_at, k.reached, k.satisfied,"
    " k.trips, k.note, c.number, c.status, c.closed_at, c.channel, a.name AS citizen_name,"
    " a.phone_masked, COALESCE(i.name, c.item_code, c.bundle_code, '') AS item,"
    " t.name AS township_name, s.display_name AS called_by_name"
    ' FROM callback_call k JOIN case_record c ON c.id = k."case"'
    " JOIN citizen a ON a.id = c.applicant LEFT JOIN item_version i ON i.id = c.item_version"
    " LEFT JOIN area t ON t.code = k.township LEFT JOIN staff_user s ON s.id = k.called_by"
)
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
    await CallbackCall.raw(_LOCK, f"callback-sample:{done.week.isoformat()}").run()
    already = {r["township"] for r in await CallbackCall.raw(_DRAWN, done.week).run()}
    by_township: dict[str, list[int]] = {}
    for row in await CallbackCall.raw(
        _CLOSED, start, start + timedelta(days=7), list(CLOSED_SERVED)
    ).run():
        by_township.setdefault(row["township"], []).append(int(row["id"]))
    draw = random.SystemRandom()
    for township, ids in sorted(by_township.items()):
        if township in already:
            continue
        for case_id in sorted(draw.sample(ids, min(size, len(ids)))):
            if await CallbackCall.raw(_INSERT, done.week, case_id, township).run():
                done.drawn[township] = done.drawn.get(township, 0) + 1
    return done


async def listed(
    *, scope: Scope, week: date, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """The week's sample in the scope: calls still to make first, then by case number."""
    where = " WHERE k.week = {} AND ({}::text IS NULL OR k.township = {}::text)"
    args = (monday_of(week), scope.township, scope.township)
    total = await CallbackCall.raw(
        "SELECT count(*) AS n FROM callback_call k" + where,  # noqa: S608 - fixed fragments
        *args,
    ).run()
    rows = await CallbackCall.raw(
        _SELECT + where + " ORDER BY (k.called_at IS NULL) DESC, c.number"
        f" LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}",
        *args,
    ).run()
    return [dict(r) for r in rows], int(total[0]["n"])


async def get(*, call_id: int, scope: Scope) -> dict[str, Any]:
    rows = await CallbackCall.raw(_SELECT + " WHERE k.id = {}", call_id).run()
    if not rows or not scope.sees(rows[0]["township"]):
        raise NotFound(texts.CALL_NOT_FOUND, code="callback_not_found")
    return dict(rows[0])


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
    await (
        CallbackCall.update(
            {
                CallbackCall.called_at: now_utc(),
                CallbackCall.called_by: scope.staff_id,
                CallbackCall.reached: reached,
                CallbackCall.satisfied: satisfied,
                CallbackCall.trips: trips,
                CallbackCall.note: text,
            }
        )
        .where(CallbackCall.id == call_id)
        .run()
    )
