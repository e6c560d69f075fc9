"""Logins end to end: the real app over HTTP, the fake WeChat server, real PostgreSQL."""

import time

import jwt
import pytest

from backend.fakes.wechat_server import FakeWeChat
from backend.identity.tables import WeChatSession
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.api


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["type"].endswith(code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    return body


async def test_wechat_login_creates_the_citizen_once_and_me_works(
    api, wechat: FakeWeChat, settings: Settings
):
    first = await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-alice"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.access_token_ttl_s
    assert body["citizen"]["identity_bound"] is False
    assert "session_key" not in first.text
    assert wechat.session_key("openid-alice") not in first.text

    again = await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-alice"})
    assert again.json()["citizen"]["id"] == body["citizen"]["id"]

    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json() == {
        "id": body["citizen"]["id"],
        "name": None,
        "id_number_masked": None,
        "phone_masked": None,
        "identity_bound": False,
        "identity_verified": False,
        "village_code": None,
    }


async def test_session_key_is_kept_encrypted_server_side(
    api, wechat: FakeWeChat, settings: Settings
):
    login = await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-bob"})
    citizen_id = login.json()["citizen"]["id"]
    row = await WeChatSession.select().where(WeChatSession.citizen == citizen_id).first().run()
    plain = wechat.session_key("openid-bob")
    assert plain
    assert plain not in row["session_key_enc"]
    cipher = FieldCipher(settings.field_key_ring())
    assert cipher.decrypt(row["session_key_enc"], context=f"wechat_session:{citizen_id}") == plain


async def test_bad_and_reused_codes_are_401(api, wechat: FakeWeChat):
    assert_problem(
        await api.post("/api/v1/auth/wechat/login", json={"code": "nonsense"}),
        401,
        "wechat_code_invalid",
    )
    wechat.register_code("one-time-code", "openid-carol")
    assert (
        await api.post("/api/v1/auth/wechat/login", json={"code": "one-time-code"})
    ).status_code == 200
    reused = await api.post("/api/v1/auth/wechat/login", json={"code": "one-time-code"})
    assert_problem(reused, 401, "wechat_code_invalid")


async def test_wechat_outage_is_503_not_500(api, wechat: FakeWeChat):
    wechat.script_error("/sns/jscode2session", -1)
    assert_problem(
        await api.post("/api/v1/auth/wechat/login", json={"code": "test:x"}),
        503,
        "wechat_unavailable",
    )


async def test_staff_login_returns_role_and_scope(api):
    staff = await make_staff(role="approver", username="approver-ga", department_code="GA")
    response = await api.post(
        "/api/v1/auth/staff/login", json={"username": "Approver-GA ", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["staff"] == {
        "id": staff.id,
        "role": "approver",
        "area_code": "330109",
        "department_code": "GA",
    }
    me = await api.get(
        "/api/v1/staff/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["role_label"] == "后台审批"


async def test_wrong_password_and_unknown_user_look_the_same(api):
    await make_staff(role="window", username="window-a")
    wrong = await api.post(
        "/api/v1/auth/staff/login", json={"username": "window-a", "password": "nope-nope-nope"}
    )
    unknown = await api.post(
        "/api/v1/auth/staff/login", json={"username": "ghost", "password": "nope-nope-nope"}
    )
    assert (
        assert_problem(wrong, 401, "credentials_invalid")["detail"]
        == assert_problem(unknown, 401, "credentials_invalid")["detail"]
    )


async def test_repeated_failures_lock_the_account(api, settings: Settings):
    await make_staff(role="window", username="window-b")
    for _ in range(settings.login_max_failures - 1):
        assert_problem(
            await api.post(
                "/api/v1/auth/staff/login",
                json={"username": "window-b", "password": "wrong-password"},
            ),
            401,
            "credentials_invalid",
        )
    locked = await api.post(
        "/api/v1/auth/staff/login", json={"username": "window-b", "password": "wrong-password"}
    )
    body = assert_problem(locked, 429, "login_locked")
    assert "分钟" in body["detail"]
    assert int(locked.headers["retry-after"]) > 0
    # Even the right password is refused while locked.
    right = await api.post(
        "/api/v1/auth/staff/login", json={"username": "window-b", "password": DEFAULT_PASSWORD}
    )
    assert_problem(right, 429, "login_locked")


def _token(sub: str, *, exp_offset: int, secret: str = TEST_SECRET) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": sub, "iat": now - 7200, "exp": now + exp_offset}, secret, algorithm="HS256"
    )


async def test_missing_expired_and_tampered_tokens(api):
    login = await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-dan"})
    citizen_id = login.json()["citizen"]["id"]
    assert_problem(await api.get("/api/v1/me"), 401, "token_missing")
    expired = _token(f"citizen:{citizen_id}", exp_offset=-60)
    assert_problem(
        await api.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}),
        401,
        "token_expired",
    )
    forged = _token(
        f"citizen:{citizen_id}", exp_offset=600, secret="not-the-server-secret-0123456789abcdef"
    )
    assert_problem(
        await api.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "token_invalid",
    )
    good = login.json()["access_token"]
    head, payload, sig = good.split(".")
    tampered = f"{head}.{payload[:-2]}xy.{sig}"
    assert_problem(
        await api.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}),
        401,
        "token_invalid",
    )
    ghost = _token("citizen:00000000-0000-0000-0000-000000000000", exp_offset=600)
    assert_problem(
        await api.get("/api/v1/me", headers={"Authorization": f"Bearer {ghost}"}),
        401,
        "unauthenticated",
    )


async def test_roles_are_guarded(api):
    citizen = (
        await api.post("/api/v1/auth/wechat/login", json={"code": "test:openid-eve"})
    ).json()["access_token"]
    await make_staff(role="window", username="window-c")
    staff = (
        await api.post(
            "/api/v1/auth/staff/login", json={"username": "window-c", "password": DEFAULT_PASSWORD}
        )
    ).json()["access_token"]
    assert_problem(
        await api.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {citizen}"}),
        403,
        "not_allowed",
    )
    assert_problem(
        await api.get("/api/v1/me", headers={"Authorization": f"Bearer {staff}"}),
        403,
        "not_allowed",
    )
    assert_problem(
        await api.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {staff}"}),
        403,
        "not_allowed",
    )
