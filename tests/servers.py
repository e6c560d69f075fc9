"""The real app under uvicorn in a child process with settings of a test's own (production
mode, a metrics token …), for tests that cannot share the session's dev-mode ``api_server``.

(An in-process ``AsyncTestClient`` would rebind the suite's database engine in its lifespan.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx

from backend.devservices import free_port
from backend.fakes.platform_server import FakePlatform
from backend.platform.config import parse_secrets
from backend.settings import Settings
from tests.conftest import ROOT, RUN_ID, _wait_http

PRODUCTION = {
    "JIUJINBAN_DEV": "0",
    "SECRET_KEY": "s" * 40,
    "AUDIT_KEY": "a" * 40,
    "WECHAT_SECRET": "w" * 40,
    "FIELD_KEYS": "k9:MDEyMzQ1Njc4OWFiY2RlZg==",
    "COOKIE_SECURE": "0",
}
"""Production mode with stand-in secrets (the test server speaks plain HTTP)."""


@asynccontextmanager
async def app_server(test_env: dict[str, str], **extra: str) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    env = {**os.environ, **test_env, **extra, "PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--workers", "1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/healthz", proc, 180)
        async with httpx.AsyncClient(base_url=base, timeout=10.0) as client:
            yield client
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def logged_server(env: dict[str, str], *, log_name: str) -> Iterator[str]:
    """The app under uvicorn with ``env``, its output in ``test-artifacts/<log_name>-<run>.log``;
    yields its base URL."""
    port = free_port()
    log_path = ROOT / "test-artifacts" / f"{log_name}-{RUN_ID}.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--workers", "1", "--port", str(port)],
            env={**os.environ, **env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_http(base + "/healthz", proc, timeout_s=120.0)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def township_platform(settings: Settings) -> Iterator[FakePlatform]:
    """The external platform a township is pointed at (saving its address never connects)."""
    app_id, secret = next(iter(parse_secrets(settings.platform_secrets).items()))
    fake = FakePlatform(app_id=app_id, secret=secret)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
