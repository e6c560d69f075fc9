"""The external services slow (2 s), failing (5xx) and down (connection refused): the backlog
drains after recovery, with nothing lost and nothing sent twice.

One scenario per service — WeChat, the external one-window platform, SMS — each with three rows,
one per fault, run one after the other against one ``jiujinban worker``:

1. the fault starts (the fake answers 2 s late, answers every request with a 5xx, or stops
   listening);
2. ``size.cases`` items of work are written as the domain writes them, with their outbox rows,
   and the doorbell rung (``bench.faults.external_work``);
3. the fault is held (``Pace.hold_s``) so that sends fail and are retried with back-off;
4. the fake recovers; ``recover_s`` runs from here until no outbox row written since step 2 is
   still pending.

Counted from the fake's own records (what reached the service, per case number; a second copy
is a duplicate) and from PostgreSQL (the message ``delivered``, the case ``queued`` after the
platform took it; the attempts of each send). A send attempted more often than the outbox's
back-off allows in the time it took is a problem: the retry policy must not hammer a service
that is down. No process is killed here, so no duplicate is allowed.

The short form gives the worker ``OUTBOX_BACKOFF_SECONDS=1`` (the full form keeps the default,
5 s) and holds each fault 4 s instead of 30 s: the same story — first attempt, retries backing
off, recovery, the next retry draining the backlog — within a minute per scenario.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from backend import db
from backend.fakes.platform_server import FakePlatform
from backend.fakes.sms_server import FakeSms
from backend.security.fieldcrypt import FieldCipher
from backend.settings import load_settings
from bench.faults.base import FaultEnv, Outcome, Scenario, Size
from bench.faults.common import start_worker
from bench.faults.external_work import (
    SLOW_S,
    Fault,
    PlatformWork,
    SmsWork,
    Tally,
    WeChatWork,
)

FAULTS: tuple[Fault, ...] = ("slow", "failing", "down")
LABELS: dict[Fault, str] = {
    "slow": f"slow ({SLOW_S:g} s)",
    "failing": "failing (5xx)",
    "down": "down (refused)",
}
POLL_S = 0.2
PLATFORM_APP_ID = "xs-yichuang-faults"


@dataclass(frozen=True)
class Pace:
    hold_s: float
    """How long a fault lasts once the row's work is written."""
    backoff_s: float
    """The worker's ``OUTBOX_BACKOFF_SECONDS``: the first retry's delay, doubled each time."""
    drain_timeout_s: float
    """How long after recovery the backlog may take before the row is a problem."""


def pace_of(size: Size) -> Pace:
    if size.short:
        return Pace(hold_s=4.0, backoff_s=1.0, drain_timeout_s=40.0)
    return Pace(hold_s=30.0, backoff_s=5.0, drain_timeout_s=600.0)


class Work(Protocol):
    title: str

    def fail(self, fault: Fault) -> None: ...

    def recover(self) -> None: ...

    async def push(self, tag: str, n: int) -> None: ...

    def tally(self, tag: str) -> Tally: ...

    async def attempts(self, tag: str) -> list[int]: ...

    async def recorded(self, tag: str) -> set[str]: ...


def allowed_attempts(seconds: float, backoff_s: float) -> int:
    """The most attempts the outbox's back-off permits within ``seconds``.

    Attempt ``k + 1`` comes at least ``0.8 · base · 2^(k-1)`` s after attempt ``k`` (the jitter
    is ±20 %), so ``k`` attempts take at least ``0.8 · base · (2^(k-1) - 1)`` s.
    """
    k = 1
    while 0.8 * backoff_s * (2**k - 1) <= seconds:
        k += 1
    return k


async def _db_now() -> object:
    row = await db.fetchrow("SELECT now() AS now")
    assert row is not None
    return row["now"]


async def _outbox_left(since: object) -> tuple[int, int]:
    """(pending, dead) outbox rows written since ``since`` (work scheduled for much later, such
    as a reminder, is not this row's backlog)."""
    row = await db.fetchrow(
        "SELECT count(*) FILTER (WHERE status = 'pending'"
        " AND due_at < now() + interval '10 minutes') AS pending,"
        " count(*) FILTER (WHERE status = 'dead') AS dead"
        " FROM outbox_event WHERE created_at >= $1",
        since,
    )
    assert row is not None
    return int(row["pending"]), int(row["dead"])


async def _wait_drained(
    since: object, timeout_s: float, alive: Callable[[], None]
) -> tuple[float | None, int]:
    """When (monotonic) no row written since ``since`` is pending any more; None on timeout.
    Returns the pending count last seen, too."""
    deadline = time.monotonic() + timeout_s
    while True:
        pending, _dead = await _outbox_left(since)
        if pending == 0:
            return time.monotonic(), 0
        if time.monotonic() > deadline:
            return None, pending
        alive()
        await asyncio.sleep(POLL_S)


async def _row(
    work: Work, fault: Fault, tag: str, size: Size, pace: Pace, alive: Callable[[], None]
) -> Outcome:
    n = size.cases
    title = f"{work.title} {LABELS[fault]}"
    since = await _db_now()
    work.fail(fault)
    try:
        await work.push(tag, n)
        pushed = time.monotonic()
        while time.monotonic() < pushed + pace.hold_s:
            alive()
            await asyncio.sleep(POLL_S)
        during = work.tally(tag)
    finally:
        work.recover()
    recovered = time.monotonic()
    drained_at, pending = await _wait_drained(since, pace.drain_timeout_s, alive)
    tally = work.tally(tag)
    recorded = await work.recorded(tag)
    attempts = await work.attempts(tag)
    _, dead = await _outbox_left(since)
    done = tally.reached & recorded
    most = max(attempts, default=0)
    allowed = allowed_attempts((drained_at or time.monotonic()) - pushed, pace.backoff_s)
    problems: list[str] = []
    if drained_at is None:
        problems.append(
            f"the backlog did not drain within {pace.drain_timeout_s:.0f} s of recovery"
            f" ({pending} outbox rows still pending)"
        )
    if dead:
        problems.append(f"{dead} outbox rows ran out of attempts (dead)")
    if unrecorded := tally.reached - recorded:
        problems.append(
            f"{len(unrecorded)} items reached {work.title} but PostgreSQL does not record them"
            " as done"
        )
    if most > allowed:
        problems.append(
            f"a send was attempted {most} times where the back-off allows {allowed}:"
            f" {work.title} was hammered"
        )
    detail = (
        f"fault held {pace.hold_s:.0f} s, {len(during.reached)}/{n} through during it;"
        f" attempts {sum(attempts)} (at most {most} per item, back-off allows {allowed});"
        f" {tally.requests} requests reached the fake"
    )
    return Outcome(
        scenario=title,
        sent=n,
        done=len(done),
        lost=n - len(done),
        duplicated=tally.duplicated,
        recover_s=None if drained_at is None else drained_at - recovered,
        detail=detail,
        problems=tuple(problems),
    )


async def _three_rows(
    fenv: FaultEnv,
    size: Size,
    *,
    name: str,
    letter: str,
    env: dict[str, str],
    prepare: Callable[[], Awaitable[Work]],
) -> list[Outcome]:
    """Prepare the work (in the scenario's database), start a worker, run the three faults."""
    pace = pace_of(size)
    env = {**env, "OUTBOX_BACKOFF_SECONDS": f"{pace.backoff_s:g}"}
    async with db.pool(fenv.database_url, max_size=4):
        work = await prepare()
        worker_name = f"{name}-worker"
        worker = start_worker(fenv, name=worker_name, env=env)

        def alive() -> None:
            fenv.supervisor.check_alive(worker, worker_name)

        rows = []
        for fault in FAULTS:
            tag = f"FX{letter}{fault[0].upper()}"
            rows.append(await _row(work, fault, tag, size, pace, alive))
        return rows


async def wechat(fenv: FaultEnv, size: Size) -> list[Outcome]:
    """Subscribe messages while the WeChat fake is slow, failing, down."""

    async def prepare() -> Work:
        return WeChatWork(fenv.extra["fakes"].wechat, fenv.redis_url, fenv.env["ARQ_QUEUE"])

    return await _three_rows(
        fenv, size, name="external-wechat", letter="W", env=fenv.env, prepare=prepare
    )


async def platform(fenv: FaultEnv, size: Size) -> list[Outcome]:
    """Cases forwarded to the external one-window platform while it is slow, failing, down."""
    fake = FakePlatform(app_id=PLATFORM_APP_ID, secret=secrets.token_urlsafe(32))
    fake.start()
    try:

        async def prepare() -> Work:
            work = PlatformWork(fake, fenv.redis_url, fenv.env["ARQ_QUEUE"])
            await work.configure()
            return work

        env = {**fenv.env, "PLATFORM_SECRETS": f"{fake.app_id}:{fake.secret}"}
        return await _three_rows(
            fenv, size, name="external-platform", letter="P", env=env, prepare=prepare
        )
    finally:
        fake.stop()


async def sms(fenv: FaultEnv, size: Size) -> list[Outcome]:
    """SMS to villagers without WeChat while the SMS gateway fake is slow, failing, down."""
    gateway: FakeSms = fenv.extra["sms"]
    env = {**fenv.env, "SMS_SECRET": gateway.secret}
    cipher = FieldCipher(load_settings(env).field_key_ring())  # the worker's keys

    async def prepare() -> Work:
        work = SmsWork(gateway, fenv.redis_url, fenv.env["ARQ_QUEUE"], cipher)
        await work.configure()
        return work

    return await _three_rows(fenv, size, name="external-sms", letter="S", env=env, prepare=prepare)


SCENARIOS: list[Scenario] = [
    Scenario("external-wechat", "WeChat fake slow, failing, down: backlog drains", wechat),
    Scenario("external-platform", "one-window platform slow, failing, down", platform),
    Scenario("external-sms", "SMS gateway slow, failing, down: backlog drains", sms),
]
