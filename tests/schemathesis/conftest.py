"""The app under uvicorn for the conformance run, with every rate limit out of reach.

A real server in a child process rather than the app in-process: the test process keeps its
own database engine for the seeded world (an in-process app would rebind it in its lifespan,
see tests/servers.py), the requests go through the real middleware stack exactly as the
mini-program's do, and the generator (this process) and the server each get a core.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from backend.devservices import free_port
from backend.fakes.platform_server import FakePlatform
from backend.platform.config import parse_secrets
from backend.settings import Settings
from tests.access.conftest import HIGH_LIMITS
from tests.conftest import ROOT, RUN_ID, _wait_http


@pytest.fixture(scope="package")
def conformance_server(test_env: dict[str, str], database: None) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, **test_env, **HIGH_LIMITS, "PORT": str(port)}
    log_path = ROOT / "test-artifacts" / f"schemathesis-server-{RUN_ID}.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--workers", "1", "--port", str(port)],
            env=env,
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


@pytest.fixture(scope="package")
def conformance_platform(settings: Settings) -> Iterator[FakePlatform]:
    """The external platform a township is pointed at (saving its address never connects)."""
    app_id, secret = next(iter(parse_secrets(settings.platform_secrets).items()))
    fake = FakePlatform(app_id=app_id, secret=secret)
    fake.start()
    yield fake
    fake.stop()
