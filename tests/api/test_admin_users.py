"""Staff accounts created by an administrator, with Idempotency-Key."""

import pytest

from backend.identity.tables import StaffUser
from tests.api.test_login import assert_problem
from tests.factories import DEFAULT_PASSWORD, make_area, make_department, make_staff

pytestmark = pytest.mark.api


@pytest.fixture
async def admin(api) -> dict[str, str]:
    await make_staff(role="admin", username="admin")
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": "admin", "password": DEFAULT_PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_create_is_idempotent_per_key(api, admin):
    await make_area("330109110001")
    body = {
        "username": "agent-x",
        "password": "long-enough-pw",
        "role": "agent",
        "area_code": "330109110001",
    }
    first = await api.post(
        "/api/v1/admin/users", json=body, headers={**admin, "Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201, first.text
    replay = await api.post(
        "/api/v1/admin/users",
        json=dict(reversed(body.items())),
        headers={**admin, "Idempotency-Key": "k-1"},
    )
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert await StaffUser.count().where(StaffUser.username == "agent-x").run() == 1

    other = await api.post(
        "/api/v1/admin/users",
        json={**body, "username": "agent-y"},
        headers={**admin, "Idempotency-Key": "k-1"},
    )
    assert_problem(other, 422, "idempotency_key_reused")
    assert await StaffUser.count().where(StaffUser.username == "agent-y").run() == 0


async def test_without_a_key_a_duplicate_is_a_conflict(api, admin):
    await make_area("330109110")
    body = {
        "username": "window-z",
        "password": "long-enough-pw",
        "role": "window",
        "area_code": "330109110",
    }
    assert (await api.post("/api/v1/admin/users", json=body, headers=admin)).status_code == 201
    assert_problem(
        await api.post("/api/v1/admin/users", json=body, headers=admin), 409, "username_taken"
    )


async def test_every_rule_broken_is_named_at_once_and_nothing_is_created(api, admin):
    await make_area("330109110001")
    await make_department("MZ")
    before = await StaffUser.count().run()
    response = await api.post(
        "/api/v1/admin/users",
        json={
            "username": "X",
            "password": "short",
            "role": "approver",
            "area_code": "330109110001",
        },
        headers={**admin, "Idempotency-Key": "k-bad"},
    )
    detail = assert_problem(response, 422, "staff_invalid")["detail"]
    for fragment in ("用户名", "密码", "部门"):
        assert fragment in detail
    assert await StaffUser.count().run() == before
    # A failed request does not burn its key: the corrected request goes through.
    fixed = await api.post(
        "/api/v1/admin/users",
        json={
            "username": "approver-mz2",
            "password": "long-enough-pw",
            "role": "approver",
            "area_code": "330109",
            "department_code": "MZ",
        },
        headers={**admin, "Idempotency-Key": "k-bad"},
    )
    assert fixed.status_code == 201, fixed.text


async def test_list_is_paginated(api, admin):
    page = await api.get("/api/v1/admin/users", params={"page_size": 1}, headers=admin)
    assert page.status_code == 200
    assert page.json()["total"] >= 1
    assert len(page.json()["items"]) == 1
