"""A township's platform address is checked when an administrator saves it (SSRF), outside dev
mode: metadata and loopback addresses never, private ones only inside OUTBOUND_ALLOW_NETWORKS.

The app runs under uvicorn with production settings; saving an address never connects to it.
"""

from __future__ import annotations

import pytest

from backend.platform.tables import TownshipPlatform
from tests.api.test_login import assert_problem
from tests.platform.conftest import TOWNSHIP, staff_headers
from tests.servers import PRODUCTION, app_server

pytestmark = pytest.mark.api


async def test_platform_address_is_checked_when_saved(
    test_env: dict[str, str], small_catalogue: object, platform_account: tuple[str, str]
) -> None:
    app_id = platform_account[0]
    path = f"/api/v1/platform/townships/{TOWNSHIP}"
    async with app_server(test_env, **PRODUCTION) as api:
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

    async with app_server(test_env, **PRODUCTION, OUTBOUND_ALLOW_NETWORKS="10.20.0.0/16") as api:
        admin = await staff_headers(api, role="admin", username="ssrf-admin2")
        saved = await api.put(path, json=private, headers=admin)
        assert saved.status_code == 200, saved.text
        still = {"base_url": "http://169.254.169.254/", "app_id": app_id}
        assert_problem(
            await api.put(path, json=still, headers=admin), 422, "outbound_url_forbidden"
        )
    assert await TownshipPlatform.count().run() == 1
