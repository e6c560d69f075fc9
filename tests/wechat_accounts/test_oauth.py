"""H5 sign-in inside WeChat through the fake's web-page OAuth, over real HTTP end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend import db
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.oauth_state import make_state
from backend.settings import Settings
from tests.identity.helpers import login
from tests.wechat_accounts.support import authorize_links, code_and_state, h5_login

pytestmark = pytest.mark.api

H5_APPID = "wx-dev-h5-appid"


async def _accounts(citizen_id: str) -> list[tuple[str, str, str | None]]:
    rows = await db.fetch(
        "SELECT appid, openid, unionid FROM wechat_account WHERE citizen = $1::uuid ORDER BY id",
        citizen_id,
    )
    return [(r["appid"], r["openid"], r["unionid"]) for r in rows]


async def test_the_authorize_page_signs_a_new_citizen_in(api, wechat: FakeWeChat) -> None:
    links = await authorize_links(api)
    assert {"h5-tester-1", "h5-tester-2", "h5-tester-3"} <= set(links)
    me = await h5_login(api, "h5-tester-1")
    profile = await me.get("/api/v1/me")
    assert profile.status_code == 200 and profile.json()["identity_bound"] is False
    assert await _accounts(me.id) == [(H5_APPID, "h5-tester-1", None)]
    assert (await h5_login(api, "h5-tester-1")).id == me.id  # the same account again
    exchanges = wechat.received("/sns/oauth2/access_token")
    assert [e["query"]["appid"] for e in exchanges] == [H5_APPID, H5_APPID]


async def test_a_test_can_name_its_own_user(api, wechat: FakeWeChat) -> None:
    me = await h5_login(api, "h5-named", extra="&openid=h5-named")
    assert await _accounts(me.id) == [(H5_APPID, "h5-named", None)]


async def test_a_used_or_unknown_code_is_401(api, wechat: FakeWeChat) -> None:
    links = await authorize_links(api)
    _, code, state = code_and_state(links["h5-tester-2"])
    first = await api.post("/api/v1/auth/wechat/oauth", json={"code": code, "state": state})
    assert first.status_code == 200
    again = await api.post("/api/v1/auth/wechat/oauth", json={"code": code, "state": state})
    assert again.status_code == 401 and again.json()["code"] == "wechat_code_invalid"
    unknown = await api.post("/api/v1/auth/wechat/oauth", json={"code": "nope", "state": state})
    assert unknown.status_code == 401 and unknown.json()["code"] == "wechat_code_invalid"
    assert "微信" in unknown.json()["detail"]


async def test_an_expired_code_is_401(api, wechat: FakeWeChat) -> None:
    links = await authorize_links(api)
    _, code, state = code_and_state(links["h5-tester-2"])
    wechat.oauth.expire_codes()
    answer = await api.post("/api/v1/auth/wechat/oauth", json={"code": code, "state": state})
    assert answer.status_code == 401 and answer.json()["code"] == "wechat_code_invalid"


async def test_a_state_we_did_not_issue_or_too_old_is_refused(
    api, wechat: FakeWeChat, settings: Settings
) -> None:
    links = await authorize_links(api)
    _, code, state = code_and_state(links["h5-tester-2"])
    forged = make_state(secret_key="another-key", now=datetime.now(UTC))
    stale = make_state(secret_key=settings.secret_key, now=datetime.now(UTC) - timedelta(hours=1))
    tampered = state[:-1] + ("0" if state[-1] != "0" else "1")
    for bad in (forged, stale, tampered, "x"):
        answer = await api.post("/api/v1/auth/wechat/oauth", json={"code": code, "state": bad})
        assert answer.status_code == 401, bad
        assert answer.json()["code"] == "oauth_state_invalid"
    assert wechat.received("/sns/oauth2/access_token") == []  # the code was never spent
    good = await api.post("/api/v1/auth/wechat/oauth", json={"code": code, "state": state})
    assert good.status_code == 200


@pytest.mark.parametrize(
    "redirect",
    ["https://evil.example/m/", "//evil.example/m/", "/m/../portal", "/portal/", "/m/%2e%2e/x", ""],
)
async def test_only_our_own_pages_under_m_are_redirect_targets(api, redirect: str) -> None:
    answer = await api.get("/api/v1/auth/wechat/oauth-url", params={"redirect": redirect})
    assert answer.status_code in {400, 422}
    if answer.status_code == 422 and redirect:
        assert answer.json()["code"] == "redirect_invalid"


async def test_the_authorize_url_goes_back_to_our_page(api, settings: Settings) -> None:
    answer = await api.get("/api/v1/auth/wechat/oauth-url", params={"redirect": "/m/cases?x=1"})
    assert answer.status_code == 200
    body = answer.json()
    assert "scope=snsapi_base" in body["url"] and f"state={body['state']}" in body["url"]
    assert f"appid={H5_APPID}" in body["url"]
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in body["url"]


async def test_the_same_unionid_signs_in_as_the_same_citizen(api, wechat: FakeWeChat) -> None:
    mini = await login(api, "link-mp")  # the fake gives it the unionid u_link-mp
    me = await h5_login(api, "h5-link", extra="&openid=h5-link&unionid=u_link-mp")
    assert me.id == mini.id
    assert await _accounts(mini.id) == [
        ("wx-test-appid", "link-mp", "u_link-mp"),
        (H5_APPID, "h5-link", "u_link-mp"),
    ]
    other = await h5_login(api, "h5-tester-3")  # another unionid: another citizen
    assert other.id != mini.id


async def test_the_h5_first_then_the_mini_program_with_the_same_unionid(
    api, wechat: FakeWeChat
) -> None:
    me = await h5_login(api, "h5-first", extra="&openid=h5-first&unionid=u_later-mp")
    mini = await login(api, "later-mp")
    assert mini.id == me.id
    row = await db.fetchrow("SELECT openid FROM citizen WHERE id = $1::uuid", me.id)
    assert row is not None and row["openid"] == "later-mp"  # the mini-program copy


async def test_messages_go_to_the_mini_program_openid_only(api, wechat: FakeWeChat) -> None:
    """Subscribe messages reach only the mini-program's openid: an H5-only citizen is contacted
    like one without WeChat (inbox, SMS); once the mini-program account joins, through it."""
    from backend.identity.store.notices import contact

    me = await h5_login(api, "h5-notify", extra="&openid=h5-notify&unionid=u_notify-mp")
    found = await contact(me.id)
    assert found is not None and found.openid is None
    await login(api, "notify-mp")  # the same person in the mini-program (unionid u_notify-mp)
    found = await contact(me.id)
    assert found is not None and found.openid == "notify-mp"
