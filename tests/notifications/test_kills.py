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
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

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
def _workers(env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in started:
            _stop(proc)


def _spawn(env: dict[str, str], started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(proc)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _all_done(timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        left = await OutboxEvent.count().where(OutboxEvent.status != "done").run()
        if left == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("outbox rows left undone")


async def test_every_message_reaches_wechat_through_kills_and_duplicates_are_only_resends(
    wechat: FakeWeChat, doorbell: ArqDoorbell, test_env: dict[str, str], settings: Settings
):
    tag = f"K{int(time.time()) % 100000:05d}"
    await notify_load.ring(doorbell, await notify_load.seed_case_events(EVENTS, tag=tag))
    # Handler timeouts well above a send's, so only the kills interrupt a send.
    env = _env(test_env, NOTIFY_SEND_RATE="40", JOB_TIMEOUT_SECONDS="10", OUTBOX_LEASE_SECONDS="12")

    def finished() -> bool:
        return len(notify_load.reached(wechat.messages(), tag)) == EVENTS

    with _workers(env) as started:
        run = await asyncio.to_thread(
            notify_load.kill_while_sending,
            spawn=lambda: _spawn(env, started),
            stop=_stop,
            sent=lambda: int(wechat.stats()["messages"]),
            finished=finished,
            kills=KILLS,
            seed=7,
            timeout_s=100,
            after_kill=lambda: notify_load.forget_dead_jobs(settings.redis_url, settings.arq_queue),
        )
        await _all_done()

    assert run.kills == KILLS, run
    assert len(notify_load.reached(wechat.messages(), tag)) == EVENTS
    rows = await Message.select(Message.case_number, Message.status, Message.attempts).run()
    assert len(rows) == EVENTS and {r["status"] for r in rows} == {"delivered"}
    twice = notify_load.duplicates(wechat.messages(), tag)
    begun_again = {r["case_number"] for r in rows if r["attempts"] > 1}
    assert set(twice) <= begun_again, (twice, begun_again)
    assert all(count <= 1 + KILLS for count in twice.values())
    print(f"\n{EVENTS} events, {run.kills} kills: {len(twice)} duplicates {twice}")


async def test_ten_workers_starting_together_fetch_the_access_token_once(
    wechat: FakeWeChat, doorbell: ArqDoorbell, test_env: dict[str, str], settings: Settings
):
    tag = f"T{int(time.time()) % 100000:05d}"
    outbox = await notify_load.seed_messages(10, tag=tag)
    # No token anywhere: WeChat forgets the ones it issued, Redis forgets the cached one.
    wechat.invalidate_tokens()
    wechat.reset()
    wechat.set_delay(0.3, TOKEN_PATH)  # a slow fetch: the others must wait for it, not fetch too
    cache = redis.Redis.from_url(settings.redis_url)
    try:
        for key in cache.scan_iter(match=f"{settings.redis_prefix}:wechat*"):
            cache.delete(key)
    finally:
        cache.close()
    await notify_load.ring(doorbell, outbox)
    env = _env(test_env, WORKER_MAX_JOBS="1")

    with _workers(env) as started:
        for _ in range(10):
            _spawn(env, started)
        deadline = time.monotonic() + 90
        while len(notify_load.reached(wechat.messages(), tag)) < 10:
            assert time.monotonic() < deadline, wechat.stats()
            assert all(p.poll() is None for p in started), "a worker died"
            await asyncio.sleep(0.1)

    wechat.set_delay(0, TOKEN_PATH)
    assert wechat.token_fetches == 1
    assert notify_load.duplicates(wechat.messages(), tag) == {}
