"""A township's platform address is checked when an administrator saves it (SSRF), outside dev
mode: metadata and loopback addresses never, private ones only inside OUTBOUND_ALLOW_NETWORKS.

The app runs under uvicorn with production settings; saving an address never connects to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from backend.devservices import free_port
from backend.platform.tables import TownshipPlatform
from tests.api.test_login import assert_problem
from tests.conftest import ROOT, _wait_http
from tests.platform.conftest import TOWNSHIP, staff_headers

pytestmark = pytest.mark.api

PROD = {
    "JIUJINBAN_DEV": "0",
    "SECRET_KEY": "s" * 40,
    "AUDIT_KEY": "a" * 40,
    "WECHAT_SECRET": "w" * 40,
    "FIELD_KEYS": "k9:MDEyMzQ1Njc4OWFiY2RlZg==",
    "COOKIE_SECURE": "0",
}

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def prod_client(test_env: dict[str, str]) -> Client:
    @asynccontextmanager
    async def _client(**extra: str) -> AsyncIterator[httpx.AsyncClient]:
        port = free_port()
        env = {**os.environ, **test_env, **PROD, **extra, "PORT": str(port)}
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
            proc.wait(10)

    return _client


async def test_platform_address_is_checked_when_saved(
    prod_client: Client, small_catalogue: object, platform_account: tuple[str, str]
) -> None:
    app_id = platform_account[0]
    path = f"/api/v1/platform/townships/{TOWNSHIP}"
    async with prod_client() as api:
        admin = await staff_headers(api, role="admin", username="ssrf-admin")
        for url in (
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://100.100.100.200/",
            "http://127.0.0.1:6379/",
            "http://metadata.google.internal/",
            "http://[::ffff:127.0.0.1]/",
        ):
            body = {"base_url": url, "app_id": app_id}
            problem = assert_problem(
                await api.put(path, json=body, headers=admin), 422, "outbound_url_forbidden"
            )
            assert "不允许" in problem["detail"], url
        private = {"base_url": "https://10.20.1.5:8443/yc/", "app_id": app_id}
        assert_problem(
            await api.put(path, json=private, headers=admin), 422, "outbound_url_private"
        )
        assert await TownshipPlatform.count().run() == 0  # nothing was saved

    async with prod_client(OUTBOUND_ALLOW_NETWORKS="10.20.0.0/16") as api:
        admin = await staff_headers(api, role="admin", username="ssrf-admin2")
        saved = await api.put(path, json=private, headers=admin)
        assert saved.status_code == 200, saved.text
        still = {"base_url": "http://169.254.169.254/", "app_id": app_id}
        assert_problem(
            await api.put(path, json=still, headers=admin), 422, "outbound_url_forbidden"
        )
    assert await TownshipPlatform.count().run() == 1
