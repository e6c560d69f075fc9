"""``api-kill``: the API process SIGKILLed mid-request under load, again and again.

``serve`` runs two uvicorn worker processes, as in production. Citizens submit cases
continuously, retrying as the mini-program does (``bench.faults.client``): a request cut by
the kill comes back as a network failure and is sent again with the same ``Idempotency-Key``.
Submissions go in waves, one per kill; each kill comes mid-wave, once a submission is in
flight, and SIGKILLs one worker process (uvicorn's master starts a new one); the next wave
starts once the replacement serves; every ``WHOLE_EVERY``-th kill (full form) SIGKILLs the whole of
``serve``, master and workers, and the scenario starts it again on the same port, as a
process manager would.

Counted from PostgreSQL afterwards: every acknowledged case present (lost) and forwarded
(done); cases per citizen (duplicated: each citizen submits once); every case of these
citizens whole — its submit event, its forward outbox row, all its materials with each upload
claimed by it — no upload claimed by a case that does not exist or does not list it, and no
idempotency key left without its answer (the key is claimed in the create's own transaction,
so a killed request leaves nothing that would hold its retry up). ``recover_s``: from the
last kill until every acknowledged case was forwarded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
from collections.abc import Callable
from functools import partial
from typing import Final

import psutil
from rich.console import Console

from bench.faults.base import FaultEnv, Outcome, Scenario, Size
from bench.faults.case_checks import drain, unfinished, wholeness
from bench.faults.client import ONE_ADDRESS, Filed, Seen, file_paced
from bench.faults.common import Api, case_counts, prepare_submissions, start_api, start_worker

console = Console(stderr=True)
WHOLE_EVERY: Final = 10
"""Every 10th kill of the full form takes the whole of ``serve`` down (20 kills: 2 of them)."""
RATE_PER_S: Final = 25.0
"""Submissions started per second within a wave (full form: 21 waves of about 48)."""
SHORT_SEND_S: Final = 6.0
"""The short form's pace: its 60 submissions at 10 a second."""
GIVE_UP_S: Final = 120.0
IN_FLIGHT_WAIT_S: Final = 3.0
WORKER_BACK_S: Final = 120.0


def _workers(api: Api) -> list[psutil.Process]:
    """uvicorn's worker processes under ``serve``'s master (multiprocessing children that
    serve requests, not its resource tracker)."""
    try:
        kids = psutil.Process(api.proc.pid).children()
    except psutil.NoSuchProcess:
        return []
    found = []
    for kid in kids:
        with contextlib.suppress(psutil.Error):
            if "resource_tracker" not in " ".join(kid.cmdline()):
                found.append(kid)
    return found


def _app_starts_reach(fenv: FaultEnv, count: int) -> bool:
    """Whether ``serve``'s processes have logged ``app_started`` ``count`` times in all."""
    try:
        return (
            fenv.supervisor.log_path("api").read_text(errors="replace").count('"app_started"')
            >= count
        )
    except OSError:
        return False


async def _wait_for(check: Callable[[], bool], timeout_s: float) -> bool:
    """Poll ``check`` until it holds or ``timeout_s`` passed; whether it held."""
    deadline = time.monotonic() + timeout_s
    while not check():  # other processes' state: nothing to wait on but time
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def _kill_whole(fenv: FaultEnv, api: Api) -> Api:
    """SIGKILL ``serve`` and its workers at once, then start it again on the same port."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(api.proc.pid, signal.SIGKILL)
    await asyncio.to_thread(api.proc.wait)
    env = {**fenv.env, **ONE_ADDRESS}
    return await asyncio.to_thread(start_api, fenv, workers=2, port=api.port, name="api", env=env)


async def run(fenv: FaultEnv, size: Size) -> list[Outcome]:
    began = time.monotonic()

    def progress(what: str) -> None:
        console.print(f"  {time.monotonic() - began:5.1f} s  {what}")

    env = {**fenv.env, **ONE_ADDRESS}
    api, worker = await asyncio.gather(
        asyncio.to_thread(start_api, fenv, workers=2, env=env),
        asyncio.to_thread(start_worker, fenv),
    )
    progress("serve (2 processes) and a worker ready")
    submissions = await prepare_submissions(api.url, size.cases)
    progress(f"{len(submissions)} citizens with their materials uploaded")
    rate = len(submissions) / SHORT_SEND_S if size.short else RATE_PER_S
    seen = Seen()
    rng = random.Random(18)  # noqa: S311 - which worker to kill, not security
    kills = {"worker": 0, "serve": 0, "mid-request": 0}
    started = 2  # uvicorn worker processes that have logged app_started, once all are back
    waves = [submissions[w :: size.kills + 1] for w in range(size.kills + 1)]
    sending: list[asyncio.Task[list[Filed]]] = []
    last_kill = time.monotonic()
    for n, wave in enumerate(waves):
        sending.append(
            asyncio.create_task(
                file_paced(api.url, wave, seen, rate_per_s=rate, give_up_after_s=GIVE_UP_S)
            )
        )
        if n == size.kills:
            break
        await asyncio.sleep(len(wave) / rate / 2)  # mid-wave
        if await _wait_for(lambda: seen.in_flight > 0, IN_FLIGHT_WAIT_S):
            kills["mid-request"] += 1
        if not size.short and (n + 1) % WHOLE_EVERY == 0:
            api = await _kill_whole(fenv, api)
            kills["serve"] += 1
            started += 2
        else:
            workers = _workers(api)
            if workers:
                with contextlib.suppress(psutil.NoSuchProcess):
                    rng.choice(workers).kill()
                kills["worker"] += 1
                started += 1
        last_kill = time.monotonic()
        # the next wave once both worker processes serve again: a kill rate above the restart
        # rate (a new process takes tens of seconds to start on a loaded machine) would leave
        # none serving, which is not the fault this scenario is about
        if not await _wait_for(partial(_app_starts_reach, fenv, started), WORKER_BACK_S):
            break
    progress(f"{size.kills} kills done; waiting for the citizens' retries")
    filed = [f for wave in await asyncio.gather(*sending) for f in wave]
    numbers = [f.number for f in filed if f.number is not None]
    present, forwarded, drained_at = await drain(fenv.database_url, numbers)
    citizen_ids = [f.submission.citizen.id for f in filed]
    counts = await case_counts(fenv.database_url, citizen_ids)
    materials = len(submissions[0].body["materials"]) if submissions else 0
    whole = await wholeness(fenv.database_url, citizen_ids, materials)
    progress("counted")

    problems: list[str] = []
    errors = seen.errors()
    if errors:
        problems.append(
            "the API answered " + ", ".join(f"{label} ×{n}" for label, n in errors.most_common())
        )
    for what, n in whole.broken.items():
        problems.append(f"half-written: {n} {what}")
    problems += unfinished(
        filed, numbers, forwarded, drained_at, give_up_s=GIVE_UP_S, after="the last kill"
    )
    if kills["mid-request"] < size.kills:
        problems.append(
            f"only {kills['mid-request']} of {size.kills} kills found a request in flight"
        )
    if worker.poll() is not None:
        problems.append(f"the worker exited ({worker.returncode})")
    answers = seen.count()
    detail = (
        f"kills: {kills['worker']} uvicorn worker, {kills['serve']} whole serve, "
        f"{kills['mid-request']} with a request in flight; answers: "
        + ", ".join(f"{label} ×{n}" for label, n in answers.most_common())
        + f"; {sum(f.sends for f in filed)} sends for {len(filed)} submissions, "
        f"{seen.replayed} answered from the stored first answer; {whole.cases} cases checked whole"
    )
    return [
        Outcome(
            scenario="API process killed mid-request",
            sent=len(numbers),
            done=len(forwarded & present),
            lost=len(set(numbers) - present),
            duplicated=sum(n - 1 for n in counts.values() if n > 1),
            recover_s=None if drained_at is None else drained_at - last_kill,
            detail=detail,
            problems=tuple(problems),
        )
    ]


SCENARIOS = [
    Scenario(
        name="api-kill",
        title="API process SIGKILLed mid-request under load, restarted",
        run=run,
    )
]
