"""``jiujinban demo generate``: a synthetic case history over the demo district, in bulk.

Every case walks the real state machine's paths — submission by one of the channels the item
allows (mini-program, window walk-in, village agent, bank outlet, self-service terminal),
forwarding, supplements before or after acceptance, rejections, withdrawals, transfers to a
back office, approval or denial, the result issued and delivered at the window, by mail or
through the agent, ratings (some bad). Steps are dated on working days of the workdays
calendar; a history that would run past now stops there, so recent cases are still open.
Visits the applicant makes in person (a walk-in, a supplement handed in at a window, a pickup
at a window) carry ``data.in_person`` as the real window paths write it.

Rows go in with ``COPY`` (asyncpg ``copy_records_to_table``), a batch per transaction. A sample
of the stored histories is then replayed through ``backend.cases.states.decide``; any illegal
step stops the command. Generated case numbers carry the case id (``XS<date><id:09>``), so they
never collide with numbers the live sequence hands out.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg

from backend import db
from backend.cases.states import Action, NotAllowed, Status, clock_kind, decide
from backend.cases.store import bulk
from backend.catalogue.store import latest as catalogue_latest
from backend.clock import SHANGHAI
from backend.geo.store import imports as geo_imports
from backend.identity.store import bulk as identity_bulk
from backend.workdays.calendar import WorkingCalendar

BATCH: Final = 25_000
SAMPLE: Final = 200
CHANNELS: Final = {  # channel -> (weight, filed_by_kind, item channel that allows it)
    "miniprogram": (40, "self", "online"),
    "window": (30, "window", "window"),
    "agent": (15, "agent", "agent"),
    "bank": (8, "bank", "bank"),
    "self_service": (7, "self", "self_service"),
}
SCORES: Final = (5,) * 70 + (4,) * 18 + (3,) * 6 + (2,) * 3 + (1,) * 3
IN_PERSON: Final = '{"in_person": true}'
EMPTY: Final = "{}"

Progress = Callable[[str, int, int], None]


class GenerationError(Exception):
    """A generated history the state machine refuses, or nothing to generate from."""


@dataclass(frozen=True, slots=True)
class ItemInfo:
    code: str
    version: int
    department: str
    lowest_level: str
    committed_days: int
    channels: tuple[str, ...]  # case channels this item can be filed through
    weights: tuple[int, ...]
    delivery: tuple[str, ...]


@dataclass(slots=True)
class Report:
    cases: int = 0
    events: int = 0
    evaluations: int = 0
    citizens: int = 0
    checked: int = 0
    first_id: int = 0
    last_id: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class Days:
    """Working days as indexes, for quick arithmetic: ``at(i)`` is the i-th working day."""

    def __init__(self, calendar: WorkingCalendar, first: dt.date, last: dt.date) -> None:
        days = []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        self.days = days
        self.ordinals = [d.toordinal() for d in days]
        self.midnight = [
            dt.datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).astimezone(dt.UTC) for d in days
        ]

    def index(self, day: dt.date) -> int:
        """The first working day on or after ``day``."""
        return bisect_left(self.ordinals, day.toordinal())


@dataclass(slots=True)
class _History:
    """One case's planned actions: (day index, seconds, action, data, role). Where each leads
    is the state machine's to decide (:meth:`Generator.batch`)."""

    steps: list[tuple[int, int, Action, str, str]] = field(default_factory=list)


async def _load() -> tuple[list[ItemInfo], list[tuple[str, str, int]]]:
    items = []
    for r in await catalogue_latest.latest_versions():
        if not r.personal:
            continue
        allowed = set(r.channels) | {"window"}
        picks = [
            (channel, weight)
            for channel, (weight, _, needs) in CHANNELS.items()
            if needs in allowed and (channel != "agent" or r.delegable)
        ]
        items.append(
            ItemInfo(
                r.item_code,
                r.version_id,
                r.department_code,
                r.lowest_level,
                r.committed_days,
                tuple(c for c, _ in picks),
                tuple(w for _, w in picks),
                r.delivery_methods or ("window",),
            )
        )
    villages = await geo_imports.villages()
    if not items or not villages:
        raise GenerationError("no items or villages: load the demo data first (demo load)")
    return items, [(v.code, v.township_code, v.population) for v in villages]


def _simulate(
    rng: random.Random, item: ItemInfo, channel: str, start: int, seconds: int
) -> tuple[_History, int]:
    """The planned steps of one case from its submission day index; returns them and the
    working days spent paused after acceptance (they move the deadline on)."""
    h = _History()
    steps = h.steps
    filer = (
        "window" if channel == "window" else "agent" if channel in ("agent", "bank") else "citizen"
    )
    steps.append((start, seconds, Action.SUBMIT, EMPTY, filer))
    day, sec = start, seconds
    if channel == "window":  # a walk-in: filed, queued and accepted at the window at once
        steps.append((day, sec + 60, Action.FORWARD, IN_PERSON, "window"))
        steps.append((day, sec + 120, Action.ACCEPT, EMPTY, "window"))
        sec += 120
    else:
        sec = min(sec + rng.randint(60, 900), 86_000)
        steps.append((day, sec, Action.FORWARD, EMPTY, "system"))
        roll = rng.random()
        if roll < 0.02:
            day += rng.randint(0, 2)
            steps.append((day, 36_000, Action.WITHDRAW, EMPTY, "citizen"))
            return h, 0
        if roll < 0.10:  # 补正 before acceptance
            day += rng.randint(0, 1)
            steps.append(
                (
                    day,
                    37_000,
                    Action.REQUEST_SUPPLEMENT,
                    EMPTY,
                    "window",
                )
            )
            day += rng.randint(1, 5)
            at_window = channel != "agent" and rng.random() < 0.35
            steps.append(
                (day, 38_000, Action.SUPPLY, IN_PERSON if at_window else EMPTY,
                 "window" if at_window else filer)
            )  # fmt: skip
        if rng.random() < 0.035:
            day += rng.randint(0, 2)
            steps.append((day, 39_000, Action.REJECT, EMPTY, "window"))
            return h, 0
        day += rng.choice((0, 0, 0, 1, 1, 2))
        steps.append((day, 40_000, Action.ACCEPT, EMPTY, "window"))
    accepted = day
    state = Status.ACCEPTED
    if rng.random() < (0.6 if item.lowest_level == "district" else 0.15):
        steps.append((day, 41_000, Action.TRANSFER, EMPTY, "window"))
        state = Status.IN_REVIEW
    paused = 0
    if rng.random() < 0.04:  # 补正 after acceptance: the clock pauses
        day += rng.randint(0, 2)
        steps.append((day, 42_000, Action.REQUEST_SUPPLEMENT, EMPTY, "window"))
        wait = rng.randint(1, 6)
        paused = wait
        day += wait
        at_window = channel != "agent" and rng.random() < 0.35
        steps.append(
            (day, 43_000, Action.SUPPLY, IN_PERSON if at_window else EMPTY,
             "window" if at_window else filer)
        )  # fmt: skip
    limit = item.committed_days + paused
    if rng.random() < 0.06:
        decided = accepted + limit + rng.randint(1, 5)  # late
    else:
        decided = accepted + min(limit, round(limit * rng.betavariate(2, 3)))
    day = max(day, decided)
    approver = "approver" if state == Status.IN_REVIEW else "window"
    if rng.random() < 0.04:
        steps.append((day, 50_000, Action.DENY, EMPTY, approver))
        return h, paused
    steps.append((day, 50_000, Action.APPROVE, EMPTY, approver))
    day += rng.choice((0, 0, 1))
    steps.append((day, 52_000, Action.ISSUE_RESULT, EMPTY, "window"))
    day += rng.choice((0, 1, 1, 2, 3, 5))
    if channel == "agent" and "agent" in item.delivery:
        method = "agent"
    else:
        choices = [m for m in item.delivery if m != "agent"] or ["window"]
        method = "window" if rng.random() < 0.7 and "window" in choices else rng.choice(choices)
    data = (
        '{"method": "window", "tracking_no": null, "in_person": true}'
        if method == "window"
        else json.dumps({"method": method, "tracking_no": f"SF{rng.randint(10**9, 10**10)}"})
        if method == "mail"
        else '{"method": "agent"}'
    )
    steps.append((day, 54_000, Action.DELIVER, data, "window"))
    return h, paused


class Generator:
    def __init__(
        self,
        *,
        rng: random.Random,
        items: list[ItemInfo],
        villages: list[tuple[str, str, int]],
        days: Days,
        since: dt.date,
        now: dt.datetime,
        agents: dict[str, uuid.UUID] | None = None,
    ) -> None:
        self.rng = rng
        self.agents = agents or {}  # village -> the agent an agent filing there names as filer
        self.items = items
        self.item_weights = [3 if i.lowest_level != "district" else 1 for i in items]
        self.villages = villages
        self.days = days
        self.now = now
        self.first = days.index(since)
        self.last = days.index(now.astimezone(SHANGHAI).date()) - 1  # yesterday at the latest

    def citizens(self, count: int) -> list[tuple[uuid.UUID, str, str]]:
        weights = [v[2] for v in self.villages]
        picks = self.rng.choices(self.villages, weights=weights, k=count)
        return [(uuid.UUID(int=self.rng.getrandbits(128), version=4), v[0], v[1]) for v in picks]

    def batch(
        self, first_id: int, count: int, citizens: list[tuple[uuid.UUID, str, str]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rng, days = self.rng, self.days
        cases: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        ratings: list[tuple[Any, ...]] = []
        picked = rng.choices(self.items, weights=self.item_weights, k=count)
        for offset in range(count):
            case_id = first_id + offset
            item = picked[offset]
            citizen, village, township = citizens[rng.randrange(len(citizens))]
            channel = rng.choices(item.channels, weights=item.weights)[0]
            start = rng.randint(self.first, self.last)
            seconds = rng.randint(30_600, 61_200)  # 08:30–17:00 local
            history, paused = _simulate(rng, item, channel, start, seconds)
            status, resume = Status.SUBMITTED, None
            accepted_at = closed_at = deadline = None
            last_at = None
            previous = (-1, 0)
            for day, planned, action, data, role in history.steps:
                if day >= len(days.midnight):
                    break
                sec = planned if (day, planned) > previous else previous[1] + 60
                previous = (day, sec)
                at = days.midnight[day] + dt.timedelta(seconds=sec)
                if at > self.now:
                    break
                if action == Action.SUBMIT:
                    source, to = None, Status.SUBMITTED
                else:
                    source = status.value
                    try:
                        move = decide(status, action, resume_to=resume)
                    except NotAllowed as exc:
                        raise GenerationError(f"planned {action} from {status}: {exc}") from exc
                    to, resume = move.to, move.resume_to
                    if move.closes:
                        closed_at = at
                clocked = clock_kind(action.value, source, to.value)
                if clocked == "accept":
                    accepted_at = at
                    deadline = days.days[min(day + item.committed_days, len(days.days) - 1)]
                elif clocked in ("resume", "close") and accepted_at is not None:
                    accepted_day = days.index(accepted_at.astimezone(SHANGHAI).date())
                    limit = item.committed_days + paused
                    deadline = days.days[min(accepted_day + limit, len(days.days) - 1)]
                kind = "system" if role == "system" else "citizen" if role == "citizen" else "staff"
                events.append(
                    (case_id, at, action.value, source, to.value, kind, role,
                     "window" if kind == "staff" else channel, "", data)
                )  # fmt: skip
                status, last_at = to, at
            created = days.midnight[start] + dt.timedelta(seconds=seconds)
            local_day = created.astimezone(SHANGHAI)
            number = f"XS{local_day:%Y%m%d}{case_id:09d}"
            delivery = "agent" if channel == "agent" and "agent" in item.delivery else "window"
            cases.append(
                (case_id, number, item.code, item.version, citizen, CHANNELS[channel][1], channel,
                 status.value, resume.value if resume else None,
                 township if status != Status.SUBMITTED else None, item.department, "{}",
                 delivery, "", item.committed_days, deadline, accepted_at, closed_at, created,
                 last_at or created, self.agents.get(village) if channel == "agent" else None)
            )  # fmt: skip
            if closed_at is not None and status != Status.WITHDRAWN and rng.random() < 0.55:
                rated = closed_at + dt.timedelta(hours=rng.randint(1, 72))
                if rated <= self.now:
                    ratings.append((case_id, citizen, 1, rng.choice(SCORES), "", rated))
        return cases, events, ratings


async def check_sample(conn: asyncpg.Connection, ids: list[int]) -> int:
    """Replay the stored histories of ``ids`` through the state machine; raise on any refusal."""
    rows = await bulk.steps(conn, ids)
    finals = await bulk.statuses(conn, ids)
    walked: dict[int, tuple[Status, Status | None]] = {}
    for r in rows:
        case_id, action = r.case_id, Action(r.action)
        if action == Action.SUBMIT:
            if case_id in walked:
                raise GenerationError(f"case {case_id}: submitted twice")
            walked[case_id] = (Status.SUBMITTED, None)
            continue
        if case_id not in walked:
            raise GenerationError(f"case {case_id}: a step before its submission")
        status, resume = walked[case_id]
        if r.from_status != status.value:
            raise GenerationError(f"case {case_id}: {action} recorded from {r.from_status}")
        try:
            move = decide(status, action, resume_to=resume)
        except NotAllowed as exc:
            raise GenerationError(f"case {case_id}: {action} from {status}: {exc}") from exc
        if move.to.value != r.to_status:
            raise GenerationError(f"case {case_id}: {action} went to {r.to_status}")
        walked[case_id] = (move.to, move.resume_to)
    for case_id in ids:
        status_resume = walked.get(case_id)
        if status_resume is None:
            raise GenerationError(f"case {case_id}: no history")
        stored = finals[case_id]
        if (status_resume[0].value, status_resume[1].value if status_resume[1] else None) != (
            stored[0],
            stored[1],
        ):
            raise GenerationError(f"case {case_id}: history ends at {status_resume}, row {stored}")
    return len(ids)


async def generate(
    *,
    cases: int,
    seed: int,
    since: dt.date,
    calendar: WorkingCalendar,
    now: dt.datetime,
    progress: Progress | None = None,
) -> Report:
    """Write ``cases`` generated cases (with citizens, events and ratings); check a sample."""
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed
    report = Report()
    items, villages = await _load()
    async with db.connection() as conn:
        days = Days(calendar, since - dt.timedelta(days=7), now.date() + dt.timedelta(days=400))
        gen = Generator(
            rng=rng,
            items=items,
            villages=villages,
            days=days,
            since=since,
            now=now,
            agents=await identity_bulk.agents_by_village(conn),
        )
        if gen.last < gen.first:
            raise GenerationError("--since must be before yesterday")
        await bulk.synchronous_commit(conn, on=False)
        people = gen.citizens(max(50, min(cases // 6, 500_000)))
        async with conn.transaction():
            await identity_bulk.copy_citizens(
                conn, [(c, v) for c, v, _ in people], name="演示居民", identity_bound=True, at=now
            )
        report.citizens = len(people)
        first_id = await bulk.reserve_ids(conn, cases)
        report.first_id, report.last_id = first_id, first_id + cases - 1
        done = 0
        while done < cases:
            count = min(BATCH, cases - done)
            rows, events, ratings = gen.batch(first_id + done, count, people)
            await bulk.copy_batch(conn, cases=rows, events=events, ratings=ratings)
            for row in rows:
                report.by_status[row[7]] = report.by_status.get(row[7], 0) + 1
            done += count
            report.events += len(events)
            report.evaluations += len(ratings)
            if progress is not None:
                progress("cases", done, cases)
        report.cases = done
        await bulk.synchronous_commit(conn, on=True)
        await bulk.analyze(conn)
        sample = rng.sample(range(first_id, first_id + cases), min(SAMPLE, cases))
        report.checked = await check_sample(conn, sample)
    return report
