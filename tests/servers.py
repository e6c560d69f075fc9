"""The real app under uvicorn in a child process with settings of a test's own (production
mode, a metrics token …), for tests that cannot share the session's dev-mode ``api_server``.

(An in-process ``AsyncTestClient`` would rebind the suite's database engine in its lifespan.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from backend.devservices import free_port
from tests.conftest import ROOT, _wait_http

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
