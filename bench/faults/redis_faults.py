"""Redis flushed, and Redis restarted, while cases are submitted and forwarded and WeChat
messages sent.

Each scenario runs a ``redis-server`` of its own (``--save '' --appendonly no``, on a free port,
started through the scenario's supervisor) and points the API and the workers at it
(``REDIS_URL``); the shared Redis is never touched. The flow: ``size.cases`` citizens' submissions
through the API at ``rate`` per second, and as many case events written as the domain writes
them (``bench.notify_load.seed_case_events``), each becoming one WeChat message, sent at the same
pace by two workers. In the middle of it:

- ``redis-flush``: ``FLUSHALL`` — every queued arq job, the doorbells just rung, the cached
  WeChat token and the send-rate counters vanish;
- ``redis-restart``: the server is SIGKILLed, stays away ``DOWN_S`` seconds, and a new one is
  started on the same port (empty: no persistence).

PostgreSQL is the source of truth: the outbox sweeper re-enqueues every due row whose job
vanished. Counted: every acknowledged case queued with one ``forward`` event and one case per
citizen; every case event's message at WeChat, and at WeChat once (no worker is killed, so no
send is cut: no duplicate is allowed); the API's answers while Redis was away (201, or a 503
with ``Retry-After``; never a 500); the workers and the API alive at the end, not restarted by
anyone. ``recover_s``: from the end of the fault (the flush; the new server answering) until the
backlog drained.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import redis

from backend import db
from backend.devservices import _redis_executable, free_port, redis_answers, redis_server_argv
from backend.fakes.wechat_server import FakeWeChat
from bench import notify_load
from bench.citizens import Fakes
from bench.faults.base import FaultEnv, Outcome, Scenario, Size
from bench.faults.common import prepare_submissions, start_api
from bench.faults.flow import (
    Progress,
    Submitted,
    forwarding,
    submit_paced,
    wait_drained,
    wait_logged,
)
from bench.processes import ChildFailed

WORKERS = 2
DOWN_S = 4.0
"""How long the restarted Redis stays away."""
FULL_RATE = 20.0
SHORT_RATE = 10.0
"""Submissions and WeChat sends per second: the flow lasts ``size.cases / rate`` seconds."""
SETTLE_TIMEOUT_S = 300.0


class OwnRedis:
    """A ``redis-server`` only this scenario uses, which it may flush, kill and start again."""

    def __init__(self, fenv: FaultEnv) -> None:
        self.fenv = fenv
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = fenv.run_dir / "redis"
        self.exe, _ = _redis_executable(fenv.env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout_s: float = 30.0) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        name = f"redis-{self.starts}"
        self.proc = self.fenv.supervisor.spawn(
            redis_server_argv(self.exe, self.port, Path(self.dir).resolve()),
            env=self.fenv.env,
            name=name,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.fenv.supervisor.check_alive(self.proc, name)
            if self.answers():
                return
            time.sleep(0.05)
        raise ChildFailed(f"{name} did not answer on port {self.port} within {timeout_s:.0f} s")

    def answers(self) -> bool:
        return redis_answers(self.url)

    def flushall(self) -> None:
        client = redis.Redis.from_url(self.url, socket_timeout=5)
        try:
            client.flushall()
        finally:
            client.close()  # type: ignore[no-untyped-call]

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.fenv.supervisor.stop(self.proc)  # reaped: forget it


Fault = Callable[[OwnRedis, Progress], Awaitable[None]]


async def _flush(own: OwnRedis, say: Progress) -> None:
    own.flushall()
    say("FLUSHALL")


async def _restart(own: OwnRedis, say: Progress) -> None:
    own.kill()
    say(f"Redis SIGKILLed; away for {DOWN_S:g} s")
    await asyncio.sleep(DOWN_S)
    await asyncio.to_thread(own.start)
    say("Redis started again on the same port (empty)")


async def _flow(
    fenv: FaultEnv, size: Size, *, name: str, title: str, fault: Fault
) -> list[Outcome]:
    say = Progress(name)
    fakes: Fakes = fenv.extra["fakes"]
    wechat: FakeWeChat = fakes.wechat
    rate = SHORT_RATE if size.short else FULL_RATE
    own = OwnRedis(fenv)
    own.start()
    env = {**fenv.env, "REDIS_URL": own.url, "LOG_LEVEL": "INFO", "NOTIFY_SEND_RATE": str(rate)}
    # The workers start while the API starts and the citizens are prepared (on a loaded machine
    # a start-up takes many seconds); they must be up before the flow begins.
    names = [f"worker-{n}" for n in range(1, WORKERS + 1)]
    workers = [fenv.supervisor.spawn([*fenv.cli, "worker"], env=env, name=n) for n in names]
    api = await asyncio.to_thread(start_api, fenv, env=env)
    say(f"own Redis on :{own.port}, API up; preparing {size.cases} citizens")
    subs = await prepare_submissions(api.url, size.cases)
    for name, proc in zip(names, workers, strict=True):
        await wait_logged(
            fenv.supervisor.log_path(name),
            "worker_started",
            functools.partial(fenv.supervisor.check_alive, proc, name),
        )
    tag = f"RF{secrets.token_hex(2).upper()}"
    wechat.reset()
    async with db.pool(fenv.database_url, max_size=2):
        await notify_load.seed_case_events(size.cases, tag=tag)
    seconds = size.cases / rate
    say(
        f"{size.cases} submissions and {size.cases} WeChat messages at {rate:g}/s "
        f"(~{seconds:.0f} s); the fault at {seconds / 2:.0f} s"
    )
    seen = Submitted()
    flowing = asyncio.create_task(submit_paced(api.url, subs, rate=rate, seen=seen))
    await asyncio.sleep(seconds / 2)
    await fault(own, say)
    fault_end = time.monotonic()
    await flowing
    say(f"{len(seen.numbers)} submissions acknowledged, answers {dict(seen.statuses)}")

    def alive() -> None:
        for n, proc in enumerate(workers, 1):
            fenv.supervisor.check_alive(proc, f"worker-{n}")

    problems: list[str] = []
    drained_at = None
    try:
        drained_at = await wait_drained(
            fenv.database_url, lambda: seen.acknowledged, timeout_s=SETTLE_TIMEOUT_S, alive=alive
        )
        while drained_at and len(notify_load.reached(wechat.messages(), tag)) < size.cases:
            if time.monotonic() - fault_end > SETTLE_TIMEOUT_S:
                drained_at = None
                break
            alive()
            await asyncio.sleep(0.1)
            drained_at = time.monotonic()
    except ChildFailed as exc:
        problems.append(f"a worker did not survive: {str(exc).splitlines()[0]}")
    say("drained" if drained_at else "NOT drained")
    problems += _liveness(fenv, api.url, api.proc, workers)
    if errors := seen.server_errors():
        problems.append(f"the API answered {errors} to submissions (a 503 is fair, a 500 is not)")
    if seen.given_up:
        problems.append(f"{len(seen.given_up)} submissions never acknowledged: {seen.given_up[:3]}")
    got = await forwarding(fenv.database_url, seen.acknowledged, [s.citizen.id for s in subs])
    # the workers and the API before their Redis (the run's cleanup would stop the newest child,
    # the restarted Redis, first, and a worker's shutdown would wait on it)
    await asyncio.to_thread(fenv.supervisor.stop_many, [*workers, api.proc])
    messages = wechat.messages()
    reached = notify_load.reached(messages, tag)
    twice = notify_load.duplicates(messages, tag)
    recover = None if drained_at is None else max(0.0, drained_at - fault_end)
    return [
        Outcome(
            scenario=f"{title} — cases",
            sent=len(seen.numbers),
            done=got.queued_once + len(got.forwarded_twice),
            lost=len(got.missing),
            duplicated=got.duplicated,
            recover_s=recover,
            detail=(
                f"answers {dict(seen.statuses)}; outbox {got.outbox}; the flow went on "
                f"{max(0.0, seen.finished_at - fault_end):.1f} s after the fault"
            ),
            problems=tuple(problems),
        ),
        Outcome(
            scenario=f"{title} — WeChat messages",
            sent=size.cases,
            done=len(reached),
            lost=size.cases - len(reached),
            duplicated=sum(c - 1 for c in twice.values()),
            recover_s=recover,
            detail=f"duplicates {twice}" if twice else "",
        ),
    ]


def _liveness(
    fenv: FaultEnv,
    api_url: str,
    api_proc: subprocess.Popen[bytes],
    workers: list[subprocess.Popen[bytes]],
) -> list[str]:
    """The processes the fault hit must still be the ones started, and the API ready."""
    problems = [
        f"worker-{n} exited with {proc.returncode}: it did not recover by itself"
        for n, proc in enumerate(workers, 1)
        if proc.poll() is not None
    ]
    if api_proc.poll() is not None:
        problems.append(f"the API exited with {api_proc.returncode}")
    else:
        try:
            ready = httpx.get(f"{api_url}/readyz", timeout=5).status_code
        except httpx.HTTPError as exc:
            ready = 0
            problems.append(f"/readyz did not answer after the fault: {exc}")
        if ready and ready != 200:
            problems.append(f"/readyz answered {ready} after the fault")
    return problems


async def redis_flush(fenv: FaultEnv, size: Size) -> list[Outcome]:
    return await _flow(fenv, size, name="redis-flush", title=SCENARIOS[0].title, fault=_flush)


async def redis_restart(fenv: FaultEnv, size: Size) -> list[Outcome]:
    return await _flow(fenv, size, name="redis-restart", title=SCENARIOS[1].title, fault=_restart)


SCENARIOS = [
    Scenario("redis-flush", "Redis FLUSHALL mid-flow", redis_flush),
    Scenario("redis-restart", "Redis SIGKILLed and restarted mid-flow", redis_restart),
]
