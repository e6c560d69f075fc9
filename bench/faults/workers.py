"""Workers SIGKILLed at random: while they forward cases, and while they send WeChat messages.

``worker-kill-forward``: ``size.cases`` citizens' submissions go through the real API (``serve``)
at a pace that keeps forwarding going across every kill; one ``jiujinban worker`` at a time runs
the ``case.forward`` outbox jobs (the demo's townships have no external platform, so a forwarded
case goes to the built-in township queue: ``submitted`` → ``queued`` with a ``forward`` event,
in one transaction with the outbox row's lease). ``size.kills`` times the worker is SIGKILLed at
a random moment (within ``MAX_AFTER_FORWARDING_S``) after it was seen forwarding, and the next
one started at once (``bench.notify_load.kill_while_sending``). Counted from PostgreSQL: every
acknowledged case queued with exactly one ``forward`` event, one case per citizen, no outbox row
left pending; recover time from the last kill until that was so.

``worker-kill-send``: ``bench.notify.kills`` as ``make bench`` runs it — ``size.cases`` case
events, each becoming one WeChat subscribe message, ``size.kills`` kills while sending. After
each kill, before the next worker starts, the messages left ``sending`` (WeChat may have taken
them, our ``delivered`` was not committed) are counted: those are the messages in flight at the
kill, and each may reach WeChat once more per kill it was in flight at — the allowed duplicates.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from backend.fakes.wechat_server import FakeWeChat
from bench import notify, notify_load
from bench.citizens import Fakes
from bench.faults.base import FaultEnv, Outcome, Scenario, Size
from bench.faults.common import prepare_submissions, start_api
from bench.faults.flow import DRAINED_SQL, Progress, Submitted, SyncDb, forwarding, submit_paced

MAX_AFTER_FORWARDING_S = 0.5
SUBMIT_RATE = 20.0
"""Submissions per second while a chunk is being sent."""
KILL_TIMEOUT_S = 900.0
SHORT_SEND_RATE = 10.0
"""``NOTIFY_SEND_RATE`` of the short ``worker-kill-send`` (60 messages last ~6 s, across 3 kills);
the full one uses ``bench.notify.KILL_SEND_RATE`` as ``make bench`` does."""
KILL_ENV = {"JOB_TIMEOUT_SECONDS": "10", "OUTBOX_LEASE_SECONDS": "12"}
"""A row a killed worker had claimed comes back 12 s after it was claimed (the recover time is
mostly this lease; a forward or a send to the local fake takes milliseconds)."""

FORWARDED_SQL = "SELECT count(*) FROM case_event WHERE action = 'forward'"
SENDING_SQL = "SELECT case_number, attempts FROM message WHERE status = 'sending'"


async def kill_forward(fenv: FaultEnv, size: Size) -> list[Outcome]:
    """The submissions go in ``size.kills`` chunks: chunk ``j`` only once ``j`` workers were
    killed, so every worker's short life has fresh cases to forward whatever the machine's
    load makes its start-up take."""
    title = SCENARIOS[0].title
    say = Progress("worker-kill-forward")
    env = {**fenv.env, **KILL_ENV}
    seen = Submitted()
    submitting = threading.Event()
    submitting.set()
    abort = threading.Event()  # the submissions failed: end the kill loop too
    kill_times: list[float] = []
    drained_at: list[float] = []
    count = Counter[str]()
    conn: dict[str, SyncDb] = {}

    def spawn() -> subprocess.Popen[bytes]:
        count["workers"] += 1
        return fenv.supervisor.spawn(
            [*fenv.cli, "worker"], env=env, name=f"worker-{count['workers']}"
        )

    def killed() -> None:
        kill_times.append(time.monotonic())
        forwarded = int(conn["db"].value(FORWARDED_SQL))
        say(f"kill {len(kill_times)}: {forwarded} of {len(seen.numbers)} cases forwarded so far")

    def kills() -> notify_load.KillRun:
        db = conn["db"] = SyncDb(fenv.database_url)

        def finished() -> bool:
            if abort.is_set():
                return True
            if submitting.is_set() or drained_at:
                return bool(drained_at)
            if db.value(DRAINED_SQL, seen.acknowledged):
                drained_at.append(time.monotonic())
                return True
            return False

        try:
            return notify_load.kill_while_sending(
                spawn=spawn,
                stop=fenv.supervisor.stop,
                sent=lambda: int(db.value(FORWARDED_SQL)),
                finished=finished,
                kills=size.kills,
                seed=int.from_bytes(os.urandom(4), "big"),
                timeout_s=KILL_TIMEOUT_S,
                max_after_sending_s=MAX_AFTER_FORWARDING_S,
                after_kill=killed,
            )
        finally:
            db.close()

    async def gate(k: int) -> None:
        chunk = k * size.kills // size.cases
        while len(kill_times) < chunk:
            if killer.done():
                raise RuntimeError("the kill loop ended before every submission was sent")
            await asyncio.sleep(0.05)

    # The first worker starts with the API and while the citizens are prepared (nothing to
    # forward yet): on a loaded machine a start-up takes many seconds.
    killer = asyncio.create_task(asyncio.to_thread(kills))
    try:
        api = await asyncio.to_thread(start_api, fenv, env=env)
        say(f"API up; {size.cases} citizens log in, bind and upload …")
        subs = await prepare_submissions(api.url, size.cases)
        say(
            f"submitting in {size.kills} chunks at {SUBMIT_RATE:g}/s, a worker SIGKILLed after "
            "each chunk while it forwards …"
        )
        await submit_paced(api.url, subs, rate=SUBMIT_RATE, seen=seen, gate=gate)
    except BaseException:
        abort.set()
        raise
    finally:
        submitting.clear()
    say(f"{len(seen.numbers)} submissions acknowledged; waiting for the backlog …")
    try:
        run = await killer
    except BaseException:
        abort.set()
        raise
    say("drained" if drained_at else "not drained")
    problems = _answer_problems(seen)
    if run.kills < size.kills:
        problems.append(f"only {run.kills} of {size.kills} kills: forwarding ended before")
    got = await forwarding(fenv.database_url, seen.acknowledged, [s.citizen.id for s in subs])
    last_kill = kill_times[-1] if kill_times else None
    return [
        Outcome(
            scenario=title,
            sent=len(seen.numbers),
            done=got.queued_once + len(got.forwarded_twice),
            lost=len(got.missing),
            duplicated=got.duplicated,
            recover_s=(drained_at[0] - last_kill) if drained_at and last_kill else None,
            detail=(
                f"{run.kills} kills, {run.workers_started} workers; answers "
                f"{dict(seen.statuses)}; outbox {got.outbox}"
            ),
            problems=tuple(problems),
        )
    ]


def _answer_problems(seen: Submitted) -> list[str]:
    problems = []
    if errors := seen.server_errors():
        problems.append(f"the API answered {errors} to submissions")
    if seen.given_up:
        problems.append(f"{len(seen.given_up)} submissions never acknowledged: {seen.given_up[:3]}")
    return problems


async def kill_send(fenv: FaultEnv, size: Size) -> list[Outcome]:
    title = SCENARIOS[1].title
    fakes: Fakes = fenv.extra["fakes"]
    wechat: FakeWeChat = fakes.wechat
    send_rate = SHORT_SEND_RATE if size.short else float(notify.KILL_SEND_RATE)
    env = {**fenv.env, **KILL_ENV, "LOG_LEVEL": "INFO", "NOTIFY_SEND_RATE": str(send_rate)}
    say = Progress("worker-kill-send")
    cuts = Counter[str]()
    """Per case number: sends cut between WeChat's answer and our commit (one receipt each)."""
    counted: set[tuple[str, int]] = set()
    """(case number, attempt) of the rows left ``sending`` already looked at."""
    per_kill: list[tuple[int, int]] = []
    last_kill: list[datetime] = []
    holder: dict[str, SyncDb] = {}
    abort = threading.Event()

    def after_kill() -> None:
        """Between a kill and the next start: which sends did this kill cut?

        A row left ``sending`` at attempt ``a`` was cut after WeChat took it when WeChat has
        more receipts of it than the cuts already counted (each earlier cut left one receipt,
        and no attempt was committed ``delivered``). A row seen at an earlier kill with the same
        attempt was not run again since, and is not counted twice."""
        if abort.is_set():
            raise RuntimeError("interrupted")
        last_kill[:] = [datetime.now(UTC)]
        db = holder.get("db") or holder.setdefault("db", SyncDb(fenv.database_url))
        left = {(str(r[0]), int(r[1])) for r in db.rows(SENDING_SQL)}
        receipts = Counter(notify_load.case_number_of(m) for m in wechat.messages())
        new = 0
        for number, attempt in sorted(left - counted):
            counted.add((number, attempt))
            if receipts[number] > cuts[number]:
                cuts[number] += 1
                new += 1
        per_kill.append((len(left), new))
        say(
            f"kill {len(per_kill)}: {len(left)} messages left sending, "
            f"{new} cut after WeChat took them"
        )

    def kills() -> notify.Kills:
        try:
            return notify.kills(
                workers=notify._Workers(fenv.supervisor, fenv.cli, env, "kills"),
                wechat=wechat,
                database_url=fenv.database_url,
                redis_url=fenv.redis_url,
                queue=fenv.env["ARQ_QUEUE"],
                events=size.cases,
                kills=size.kills,
                send_rate=send_rate,
                load_average=lambda: [round(x, 2) for x in os.getloadavg()],
                progress=say,
                after_kill=after_kill,
            )
        finally:
            if "db" in holder:
                holder["db"].close()

    try:
        result = await asyncio.to_thread(kills)
    except BaseException:
        abort.set()  # the kill loop ends at its next kill
        raise
    received = wechat.messages()
    over = {n: c for n, c in result.duplicates.items() if c - 1 > cuts[n]}
    problems = []
    if result.unexplained:
        problems.append(f"duplicates of messages begun only once: {result.unexplained[:5]}")
    if over:
        problems.append(f"more duplicates than cut sends for {dict(list(over.items())[:5])}")
    if result.kills < size.kills:
        problems.append(f"only {result.kills} of {size.kills} kills: sending ended before")
    recover = None
    if last_kill and received:
        last = max(datetime.fromisoformat(str(m["at"])) for m in received)
        recover = max(0.0, (last - last_kill[0]).total_seconds())
    extra = sum(c - 1 for c in result.duplicates.values())
    return [
        Outcome(
            scenario=title,
            sent=result.events,
            done=result.reached,
            lost=result.events - result.reached,
            duplicated=extra,
            allowed_duplicates=sum(cuts.values()),
            recover_s=recover,
            detail=(
                f"{result.kills} kills, {result.workers_started} workers, send rate "
                f"{send_rate:g}/s; (left sending, cut after WeChat took them) at the kills "
                f"{per_kill}; "
                f"{result.begun_again} messages begun again; duplicates {result.duplicates}"
            ),
            problems=tuple(problems),
        )
    ]


SCENARIOS = [
    Scenario("worker-kill-forward", "workers SIGKILLed while forwarding cases", kill_forward),
    Scenario("worker-kill-send", "workers SIGKILLed while sending WeChat messages", kill_send),
]
