"""The app under uvicorn for the conformance run, with every rate limit out of reach.

A real server in a child process rather than the app in-process: the test process keeps its
own database engine for the seeded world (an in-process app would rebind it in its lifespan,
see tests/servers.py), the requests go through the real middleware stack exactly as the
mini-program's do, and the generator (this process) and the server each get a core.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.fakes.platform_server import FakePlatform
from backend.fakes.sms_server import FakeSms
from backend.settings import Settings
from tests.access.conftest import HIGH_LIMITS, SMS_SECRET
from tests.servers import logged_server, township_platform


@pytest.fixture(scope="package")
def conformance_sms() -> Iterator[FakeSms]:
    """The SMS gateway of the conformance run's app (phone codes are sent through it)."""
    with FakeSms(secret=SMS_SECRET) as fake:
        yield fake


@pytest.fixture(scope="package")
def conformance_server(
    test_env: dict[str, str], database: None, conformance_sms: FakeSms
) -> Iterator[str]:
    sms = {"SMS_URL": conformance_sms.url, "SMS_SECRET": SMS_SECRET}
    with logged_server({**test_env, **HIGH_LIMITS, **sms}, log_name="schemathesis-server") as base:
        yield base


@pytest.fixture(scope="package")
def conformance_platform(settings: Settings) -> Iterator[FakePlatform]:
    with township_platform(settings) as fake:
        yield fake
