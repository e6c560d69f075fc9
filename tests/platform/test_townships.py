"""Administrators point a township at an external platform; supervisors can look."""

from __future__ import annotations

import pytest

from backend.platform.tables import TownshipPlatform
from tests.api.test_login import assert_problem
from tests.platform.conftest import TOWNSHIP, staff_headers

pytestmark = pytest.mark.api


async def test_admin_configures_a_township(api, small_catalogue, platform):
    admin = await staff_headers(api, role="admin", username="pf-admin")
    body = {"base_url": platform.url, "app_id": platform.app_id}
    answer = await api.put(f"/api/v1/platform/townships/{TOWNSHIP}", json=body, headers=admin)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["township_code"] == TOWNSHIP and out["township_name"] == "益农镇"
    assert out["active"] and out["secret_configured"] and out["base_url"] == platform.url

    off = await api.put(
        f"/api/v1/platform/townships/{TOWNSHIP}", json={**body, "active": False}, headers=admin
    )
    assert off.status_code == 200 and off.json()["active"] is False
    assert await TownshipPlatform.count().run() == 1

    assert_problem(
        await api.put(
            f"/api/v1/platform/townships/{TOWNSHIP}",
            json={**body, "app_id": "no-secret-for-this"},
            headers=admin,
        ),
        422,
        "platform_secret_missing",
    )
    assert_problem(
        await api.put(
            f"/api/v1/platform/townships/{TOWNSHIP}",
            json={**body, "base_url": "ftp://example"},
            headers=admin,
        ),
        422,
        "validation_failed",  # the body's pattern: http:// or https://, no blanks
    )
    assert_problem(
        await api.put("/api/v1/platform/townships/330109110001", json=body, headers=admin),
        404,
        "township_not_found",
    )

    supervisor = await staff_headers(api, role="supervisor", username="pf-sup")
    listed = await api.get("/api/v1/platform/townships", headers=supervisor)
    assert listed.status_code == 200 and listed.json()["total"] == 1
    assert_problem(
        await api.put(f"/api/v1/platform/townships/{TOWNSHIP}", json=body, headers=supervisor),
        403,
        "not_allowed",
    )
    assert_problem(await api.get("/api/v1/platform/townships"), 401, "token_missing")
