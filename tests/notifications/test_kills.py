"""Workers killed while they send, and many workers starting together.

Real ``jiujinban worker`` processes against the session's PostgreSQL, Redis and fake WeChat.
Every message must reach WeChat; a duplicate may only come from a kill after WeChat took the
message and before ``delivered`` was committed, and such a message was begun twice. The full
figure (1,000 events, 20 kills) is ``make bench``'s (``bench/notify.py``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from backend.fakes.wechat_rules import TOKEN_PATH
from backend.fakes.wechat_server import FakeWeChat
from backend.outbox.doorbell import ArqDoorbell
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from bench import notify_load
from notifications.tables import Message
from tests.conftest import ROOT
from tests.workers.conftest import arq_redis

pytestmark = pytest.mark.workers

EVENTS = 200
KILLS = 5


@pytest.fixture
async def doorbell(settings: Settings) -> AsyncIterator[ArqDoorbell]:
    client = arq_redis(settings.redis_url)
    yield ArqDoorbell(client, queue_name=settings.arq_queue)
    await client.aclose()


def _env(test_env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**os.environ, **test_env, "LOG_LEVEL": "ERROR", **extra}


@contextmanager
def _workers(env: dict[str, str], logs: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """A way to start ``jiujinban worker`` processes (each logging to its own file under
    ``logs``); all of them are stopped on the way out, together, whatever happened."""
    started: list[subprocess.Popen[bytes]] = []

    def spawn() -> subprocess.Popen[bytes]:
        log = (logs / f"worker-{len(started) + 1}.log").open("wb")
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "worker"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()  # the child has its own copy
        started.append(proc)
        return proc

    try:
        yield spawn
    finally:
        _stop(*started)


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    """SIGTERM every live one at once, then wait; SIGKILL what has not exited in 20 s."""
    live = [p for p in procs if p.poll() is None]
    for proc in live:
        proc.terminate()
    deadline = time.monotonic() + 20
    for proc in live:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(logs: Path, lines: int = 20) -> str:
    """The end of each worker's log, for a failure message."""
    return "\n".join(
        f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        for path in sorted(logs.glob("worker-*.log"))
    )


async def _all_done(timeout_s: float = 300.0) -> None:  # liveness, not speed
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        left = await OutboxEvent.count().where(OutboxEvent.status != "done").run()
        if left == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("outbox rows left undone")


@pytest.mark.timeout(900)
async def test_every_message_reaches_wechat_through_kills_and_duplicates_are_only_resends(
    wechat: FakeWeChat, doorbell: ArqDoorbell, test_env: dict[str, str], tmp_path: Path
):
    tag = f"K{int(time.time()) % 100000:05d}"
    await notify_load.ring(doorbell, await notify_load.seed_case_events(EVENTS, tag=tag))
    # Handler timeouts well above a send's, so only the kills interrupt a send. At most 10 jobs
    # per worker: each kill leaves its started jobs in arq's queue, marked as started for half an
    # hour, and a worker reads only the 100 oldest due jobs per poll — 5 kills × 10 stay below
    # that (``notify_load.forget_dead_jobs`` says more).
    env = _env(
        test_env,
        NOTIFY_SEND_RATE="40",
        JOB_TIMEOUT_SECONDS="20",
        OUTBOX_LEASE_SECONDS="22",
        WORKER_MAX_JOBS="10",
    )

    def finished() -> bool:
        return len(notify_load.reached(wechat.messages(), tag)) == EVENTS

    # Nothing is done for the dead workers' jobs: a row claimed by one waits for its lease, a row
    # whose job arq had started but PostgreSQL not yet claimed gets a new job id from the
    # sweeper once it is 30 s overdue. The deadlines are for liveness, not speed.
    with _workers(env, tmp_path) as spawn:
        try:
            run = await asyncio.to_thread(
                notify_load.kill_while_sending,
                spawn=spawn,
                stop=_stop,
                sent=lambda: int(wechat.stats()["messages"]),
                finished=finished,
                kills=KILLS,
                seed=7,
                timeout_s=480,
            )
        except (TimeoutError, RuntimeError) as exc:
            raise AssertionError(f"{exc}: {wechat.stats()}\n{_tail(tmp_path)}") from exc
        await _all_done()

    assert run.kills == KILLS, run
    assert len(notify_load.reached(wechat.messages(), tag)) == EVENTS
    rows = await Message.select(Message.case_number, Message.status, Message.attempts).run()
    assert len(rows) == EVENTS and {r["status"] for r in rows} == {"delivered"}
    twice = notify_load.duplicates(wechat.messages(), tag)
    begun_again = {r["case_number"] for r in rows if r["attempts"] > 1}
    assert set(twice) <= begun_again, (twice, begun_again)
    assert all(count <= 1 + KILLS for count in twice.values())
    print(
        f"\n{EVENTS} events, {run.kills} kills, {run.seconds:.1f} s: "
        f"{len(twice)} duplicates {twice}"
    )


@pytest.mark.timeout(900)
async def test_ten_workers_starting_together_fetch_the_access_token_once(
    wechat: FakeWeChat,
    doorbell: ArqDoorbell,
    test_env: dict[str, str],
    settings: Settings,
    tmp_path: Path,
):
    tag = f"T{int(time.time()) % 100000:05d}"
    outbox = await notify_load.seed_messages(10, tag=tag)
    # No token anywhere: WeChat forgets the ones it issued, Redis forgets the cached one.
    wechat.invalidate_tokens()
    wechat.reset()
    cache = redis.Redis.from_url(settings.redis_url)
    try:
        for key in cache.scan_iter(match=f"{settings.redis_prefix}:wechat*"):
            cache.delete(key)
    finally:
        cache.close()
    await notify_load.ring(doorbell, outbox)
    env = _env(test_env, WORKER_MAX_JOBS="1")

    wechat.set_delay(0.3, TOKEN_PATH)  # a slow fetch: the others must wait for it, not fetch too
    try:
        with _workers(env, tmp_path) as spawn:
            workers = [spawn() for _ in range(10)]
            # Ten Python processes starting at once on a loaded machine can take minutes: this
            # deadline only says "something is stuck", it is not a figure.
            deadline = time.monotonic() + 480
            while len(notify_load.reached(wechat.messages(), tag)) < 10:
                died = [w.returncode for w in workers if w.poll() is not None]
                assert not died, f"a worker exited with {died}\n{_tail(tmp_path)}"
                assert time.monotonic() < deadline, f"{wechat.stats()}\n{_tail(tmp_path)}"
                await asyncio.sleep(0.2)
    finally:
        wechat.set_delay(0, TOKEN_PATH)

    assert wechat.token_fetches == 1
    assert notify_load.duplicates(wechat.messages(), tag) == {}
