"""A worker whose Redis is restarted under it carries on by itself.

arq lets the first Redis error escape its polling loop (a ``WATCH`` on a dropped connection, a
refused reconnect), and the worker process used to exit mid-job. ``backend.outbox.arqworker``
makes it wait and carry on; this runs a real ``jiujinban worker`` against a Redis of the test's
own, SIGKILLs that Redis while messages are being sent, starts an empty one on the same port, and
expects the same worker process to deliver everything — the rows whose jobs vanished through the
sweeper, new rows through the new Redis.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from backend.devservices import free_port
from backend.fakes.wechat_server import FakeWeChat
from backend.outbox.doorbell import ArqDoorbell
from backend.settings import Settings
from bench import notify_load
from tests.conftest import ROOT
from tests.workers.conftest import STARTUP_S, arq_redis, wait_until

pytestmark = pytest.mark.workers

BEFORE = 12
AFTER = 3


class OwnRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is needed on PATH"
        self.proc = subprocess.Popen(
            [
                *(binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + STARTUP_S
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    pass
                assert self.proc.poll() is None, f"redis-server exited with {self.proc.returncode}"
                assert time.monotonic() < deadline, "redis-server not answering"
                time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def _ring(url: str, settings: Settings, ids: list[int]) -> None:
    client = arq_redis(url)
    try:
        await notify_load.ring(ArqDoorbell(client, queue_name=settings.arq_queue), ids)
    finally:
        await client.aclose()


@pytest.mark.timeout(600)
async def test_a_worker_rides_out_a_redis_restart_and_delivers_everything(
    wechat: FakeWeChat,
    own_redis: OwnRedis,
    test_env: dict[str, str],
    settings: Settings,
    tmp_path: Path,
):
    env = {
        **os.environ,
        **test_env,
        "REDIS_URL": own_redis.url,
        "LOG_LEVEL": "INFO",
        "NOTIFY_SEND_RATE": "4",  # the first messages are still being sent when Redis dies
        "JOB_TIMEOUT_SECONDS": "20",
        "OUTBOX_LEASE_SECONDS": "25",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        await wait_until(
            lambda: (
                "worker_started" in log.read_text(errors="replace") or worker.poll() is not None
            ),
            timeout_s=STARTUP_S,
            what="the worker's start",
        )
        tag = f"R{int(time.time()) % 100000:05d}"
        await _ring(own_redis.url, settings, await notify_load.seed_messages(BEFORE, tag=tag))
        await wait_until(
            lambda: (
                len(notify_load.reached(wechat.messages(), tag)) > 0 or worker.poll() is not None
            ),
            timeout_s=STARTUP_S,
            what="the first message at WeChat",
        )

        own_redis.kill()
        await asyncio.sleep(2)
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        own_redis.start()  # empty: every queued job is gone

        later = f"{tag}L"
        await _ring(own_redis.url, settings, await notify_load.seed_messages(AFTER, tag=later))
        await wait_until(
            lambda: (
                len(notify_load.reached(wechat.messages(), tag)) == BEFORE + AFTER
                or worker.poll() is not None
            ),
            timeout_s=240,  # liveness, not speed
            what="every message at WeChat",
            every_s=0.1,
        )
        assert worker.poll() is None, (
            f"the worker exited with {worker.returncode}:\n"
            + log.read_text(errors="replace")[-3000:]
        )
        assert notify_load.reached(wechat.messages(), later) == {
            f"{later}{n:06d}" for n in range(1, AFTER + 1)
        }
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
