"""Logout, password changes and disabled accounts end every token and portal session at once."""

from __future__ import annotations

import re

import httpx
import pytest

from backend.audit.tables import AuditEvent
from backend.identity.tables import StaffUser
from tests.api.test_login import assert_problem
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.api

NEW_PASSWORD = "violet-harbour-lantern-93"


async def staff_token(api: httpx.AsyncClient, username: str, password: str = DEFAULT_PASSWORD):
    response = await api.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def portal_login(api_server: str, username: str, password: str = DEFAULT_PASSWORD) -> str:
    """Log in through the portal form; returns the session cookie's value."""
    async with httpx.AsyncClient(base_url=api_server) as browser:
        form = await browser.get("/portal/login")
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        assert csrf is not None
        done = await browser.post(
            "/portal/login",
            data={"username": username, "password": password, "_csrf_token": csrf.group(1)},
        )
        assert done.status_code == 303, done.text
        return str(browser.cookies["jjb_portal"])


async def portal_home(api_server: str, cookie: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api_server, cookies={"jjb_portal": cookie}) as browser:
        return await browser.get("/portal/")


async def test_bearer_logout_refuses_the_token_and_every_other_one(api):
    await make_staff(role="window", username="window-out")
    first = (await staff_token(api, "window-out"))["access_token"]
    second = (await staff_token(api, "window-out"))["access_token"]
    assert (await api.get("/api/v1/staff/me", headers=bearer(first))).status_code == 200

    assert (await api.post("/api/v1/auth/logout", headers=bearer(first))).status_code == 204
    for token in (first, second):
        assert_problem(
            await api.get("/api/v1/staff/me", headers=bearer(token)), 401, "token_revoked"
        )
    fresh = (await staff_token(api, "window-out"))["access_token"]
    assert (await api.get("/api/v1/staff/me", headers=bearer(fresh))).status_code == 200


async def test_citizen_logout_refuses_the_token_at_once(api):
    login = await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-out"})
    token = login.json()["access_token"]
    # The server now remembers this citizen's version (CITIZEN_CHECK_TTL_S)...
    assert (await api.get("/api/v1/me", headers=bearer(token))).status_code == 200
    assert (await api.post("/api/v1/auth/logout", headers=bearer(token))).status_code == 204
    # ...and forgets it with the logout: the very next request is refused.
    assert_problem(await api.get("/api/v1/me", headers=bearer(token)), 401, "token_revoked")
    again = (await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-out"})).json()[
        "access_token"
    ]
    assert (await api.get("/api/v1/me", headers=bearer(again))).status_code == 200


async def test_portal_logout_kills_a_copied_cookie_and_the_bearer_tokens(api, api_server):
    await make_staff(role="window", username="window-cookie")
    token = (await staff_token(api, "window-cookie"))["access_token"]
    cookie = await portal_login(api_server, "window-cookie")
    assert (await portal_home(api_server, cookie)).status_code == 200

    async with httpx.AsyncClient(base_url=api_server, cookies={"jjb_portal": cookie}) as browser:
        page = await browser.get("/portal/")
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        bye = await browser.post("/portal/logout", data={"_csrf_token": csrf.group(1)})
        assert bye.status_code == 303

    copied = await portal_home(api_server, cookie)
    assert copied.status_code == 303
    assert copied.headers["location"].startswith("/portal/login")
    assert_problem(await api.get("/api/v1/staff/me", headers=bearer(token)), 401, "token_revoked")


async def test_changing_the_password_ends_other_sessions_and_returns_a_new_token(api, api_server):
    staff = await make_staff(role="window", username="window-pw")
    old = (await staff_token(api, "window-pw"))["access_token"]
    cookie = await portal_login(api_server, "window-pw")

    weak = await api.post(
        "/api/v1/staff/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "password1234"},
        headers=bearer(old),
    )
    detail = assert_problem(weak, 422, "password_invalid")["detail"]
    assert "常见" in detail
    assert_problem(
        await api.post(
            "/api/v1/staff/me/password",
            json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
            headers=bearer(old),
        ),
        401,
        "current_password_wrong",
    )

    changed = await api.post(
        "/api/v1/staff/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(old),
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["cache-control"] == "no-store"
    new = changed.json()["access_token"]
    assert (await api.get("/api/v1/staff/me", headers=bearer(new))).status_code == 200
    assert_problem(await api.get("/api/v1/staff/me", headers=bearer(old)), 401, "token_revoked")
    assert (await portal_home(api_server, cookie)).status_code == 303
    assert (await staff_token(api, "window-pw", NEW_PASSWORD))["access_token"]
    audit = await AuditEvent.select().where(AuditEvent.subject_id == staff.id).run()
    assert [a["action"] for a in audit] == ["staff_change_password"]
    assert NEW_PASSWORD not in audit[0]["reason"]


async def test_a_disabled_account_gets_account_inactive(api):
    staff = await make_staff(role="window", username="window-gone")
    token = (await staff_token(api, "window-gone"))["access_token"]
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == staff.id).run()
    assert_problem(
        await api.get("/api/v1/staff/me", headers=bearer(token)), 401, "account_inactive"
    )
