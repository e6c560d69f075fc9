"""Staff accounts created by an administrator, with Idempotency-Key."""

import json

import pytest

from backend.audit.tables import AuditEvent
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


async def test_common_and_username_passwords_are_refused_in_chinese(api, admin):
    await make_area("330109110")
    for password, fragment in (
        ("password1234", "常见"),
        ("short-pw", "至少 12 位"),
        ("window-same-name", "用户名相同"),
    ):
        response = await api.post(
            "/api/v1/admin/users",
            json={
                "username": "window-same-name",
                "password": password,
                "role": "window",
                "area_code": "330109110",
            },
            headers=admin,
        )
        assert fragment in assert_problem(response, 422, "staff_invalid")["detail"]
    assert await StaffUser.count().where(StaffUser.username == "window-same-name").run() == 0


async def test_list_filters_by_role_area_and_state_in_sql(api, admin):
    await make_staff(role="window", username="window-a1", area_code="330109110")
    gone = await make_staff(role="window", username="window-b1", area_code="330109105")
    await make_staff(role="agent", username="agent-a1", area_code="330109110001")
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == gone.id).run()

    async def names(**params: str) -> list[str]:
        response = await api.get("/api/v1/admin/users", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [item["username"] for item in response.json()["items"]]

    assert await names(role="window") == ["window-a1", "window-b1"]
    assert await names(area="330109110") == ["agent-a1", "window-a1"]
    assert await names(state="disabled") == ["window-b1"]
    assert await names(role="window", state="active") == ["window-a1"]
    for wrong in ({"state": "asleep"}, {"role": "mayor"}, {"area": "33010x"}):
        assert_problem(
            await api.get("/api/v1/admin/users", params=wrong, headers=admin),
            422,
            "validation_failed",
        )


async def _login(api, username: str, password: str = DEFAULT_PASSWORD):
    return await api.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": password}
    )


async def test_disable_and_enable_are_audited_with_before_and_after(api, admin):
    clerk = await make_staff(role="window", username="window-leaving")
    token = (await _login(api, "window-leaving")).json()["access_token"]
    clerk_auth = {"Authorization": f"Bearer {token}"}
    refused = await api.post(f"/api/v1/admin/users/{clerk.id}/disable", json={}, headers=admin)
    assert refused.status_code in {400, 422}
    assert (await api.get("/api/v1/staff/me", headers=clerk_auth)).status_code == 200
    disabled = await api.post(
        f"/api/v1/admin/users/{clerk.id}/disable", json={"reason": "调离本镇"}, headers=admin
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    assert_problem(await api.get("/api/v1/staff/me", headers=clerk_auth), 401, "account_inactive")
    assert_problem(await _login(api, "window-leaving"), 401, "credentials_invalid")

    enabled = await api.post(
        f"/api/v1/admin/users/{clerk.id}/enable", json={"reason": "调回"}, headers=admin
    )
    assert enabled.json()["active"] is True
    # The old token stays dead: disabling moved the account's token version on.
    assert_problem(await api.get("/api/v1/staff/me", headers=clerk_auth), 401, "token_revoked")
    assert (await _login(api, "window-leaving")).status_code == 200

    rows = (
        await AuditEvent.select()
        .where(AuditEvent.subject_id == clerk.id)
        .order_by(AuditEvent.id)
        .run()
    )
    assert [r["action"] for r in rows] == ["staff_disable", "staff_enable"]
    first = json.loads(rows[0]["reason"])
    assert first["note"] == "调离本镇"
    assert first["before"]["active"] is True and first["after"]["active"] is False
    assert first["after"]["token_version"] == first["before"]["token_version"] + 1


async def test_an_admin_cannot_disable_themselves(api, admin):
    me = (await api.get("/api/v1/staff/me", headers=admin)).json()
    assert_problem(
        await api.post(
            f"/api/v1/admin/users/{me['id']}/disable", json={"reason": "试试"}, headers=admin
        ),
        409,
        "cannot_disable_self",
    )


async def test_unlock_clears_every_lock_of_the_account(api, admin, settings):
    clerk = await make_staff(role="window", username="window-locked")
    for _ in range(settings.login_max_failures):
        await _login(api, "window-locked", "wrong-password-again")
    assert_problem(await _login(api, "window-locked"), 429, "login_locked")
    locked = await api.get("/api/v1/admin/users", params={"state": "locked"}, headers=admin)
    assert [i["username"] for i in locked.json()["items"]] == ["window-locked"]
    unlocked = await api.post(
        f"/api/v1/admin/users/{clerk.id}/unlock", json={"reason": "本人来电确认"}, headers=admin
    )
    assert unlocked.json()["locked"] is False
    assert (await _login(api, "window-locked")).status_code == 200


async def test_a_reset_password_must_be_changed_before_anything_else(api, admin):
    clerk = await make_staff(role="window", username="window-forgot")
    old = (await _login(api, "window-forgot")).json()["access_token"]
    reset = await api.post(
        f"/api/v1/admin/users/{clerk.id}/reset-password",
        json={"reason": "本人忘记密码"},
        headers=admin,
    )
    assert reset.status_code == 200, reset.text
    assert reset.headers["cache-control"] == "no-store"
    temporary = reset.json()["temporary_password"]
    assert reset.json()["staff"]["password_change_required"] is True
    assert_problem(
        await api.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {old}"}),
        401,
        "token_revoked",
    )
    assert_problem(await _login(api, "window-forgot"), 401, "credentials_invalid")

    login = await _login(api, "window-forgot", temporary)
    assert login.json()["password_change_required"] is True
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await api.get("/api/v1/staff/me", headers=auth)).status_code == 200
    assert_problem(
        await api.get("/api/v1/staff/notices", headers=auth), 403, "password_change_required"
    )
    changed = await api.post(
        "/api/v1/staff/me/password",
        json={"current_password": temporary, "new_password": "orchid-ledger-cobalt-71"},
        headers=auth,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["password_change_required"] is False
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert (await api.get("/api/v1/staff/notices", headers=fresh)).status_code == 200
    actions = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.reason)
        .where(AuditEvent.subject_id == clerk.id)
        .order_by(AuditEvent.id)
        .run()
    )
    assert [a["action"] for a in actions] == ["staff_reset_password", "staff_change_password"]
    assert all(temporary not in a["reason"] for a in actions)


async def test_only_administrators_change_accounts(api, admin):
    clerk = await make_staff(role="window", username="window-peer")
    other = await make_staff(role="supervisor", username="supervisor-x")
    token = (await _login(api, "supervisor-x")).json()["access_token"]
    for action in ("disable", "enable", "unlock", "reset-password"):
        assert_problem(
            await api.post(
                f"/api/v1/admin/users/{clerk.id}/{action}",
                json={"reason": "越权"},
                headers={"Authorization": f"Bearer {token}"},
            ),
            403,
            "not_allowed",
        )
    assert other.active
    assert_problem(
        await api.post(
            "/api/v1/admin/users/00000000-0000-0000-0000-000000000000/disable",
            json={"reason": "无此人"},
            headers=admin,
        ),
        404,
        "staff_not_found",
    )
