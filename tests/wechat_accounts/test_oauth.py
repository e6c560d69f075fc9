"""H5 sign-in inside WeChat through the fake's web-page OAuth, over real HTTP end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend import db
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.oauth_state import make_state
from backend.settings import Settings
from tests.identity.helpers import login
from tests.wechat_accounts.support import authorize_links, code_and_state, h5_login, new_nonce

pytestmark = pytest.mark.api

H5_APPID = "wx-dev-h5-appid"
OAUTH = "/api/v1/auth/wechat/oauth"


async def _code_state_nonce(api, openid: str = "h5-tester-2") -> tuple[str, str, str]:
    """A fresh code from the fake's authorize page, its state, and the nonce it was made for."""
    nonce = new_nonce()
    _, code, state = code_and_state((await authorize_links(api, nonce=nonce))[openid])
    return code, state, nonce


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
    code, state, nonce = await _code_state_nonce(api)
    first = await api.post(OAUTH, json={"code": code, "state": state, "nonce": nonce})
    assert first.status_code == 200
    _, state, nonce = await _code_state_nonce(api)  # a fresh state: only the code is spent
    again = await api.post(OAUTH, json={"code": code, "state": state, "nonce": nonce})
    assert again.status_code == 401 and again.json()["code"] == "wechat_code_invalid"
    _, state, nonce = await _code_state_nonce(api)
    unknown = await api.post(OAUTH, json={"code": "nope", "state": state, "nonce": nonce})
    assert unknown.status_code == 401 and unknown.json()["code"] == "wechat_code_invalid"
    assert "微信" in unknown.json()["detail"]


async def test_an_expired_code_is_401(api, wechat: FakeWeChat) -> None:
    code, state, nonce = await _code_state_nonce(api)
    wechat.oauth.expire_codes()
    answer = await api.post(OAUTH, json={"code": code, "state": state, "nonce": nonce})
    assert answer.status_code == 401 and answer.json()["code"] == "wechat_code_invalid"


async def test_a_state_we_did_not_issue_or_too_old_is_refused(
    api, wechat: FakeWeChat, settings: Settings
) -> None:
    code, state, nonce = await _code_state_nonce(api)
    forged = make_state(secret_key="another-key", nonce=nonce, now=datetime.now(UTC))
    stale = make_state(
        secret_key=settings.secret_key, nonce=nonce, now=datetime.now(UTC) - timedelta(hours=1)
    )
    tampered = state[:-1] + ("0" if state[-1] != "0" else "1")
    for bad in (forged, stale, tampered, "x"):
        answer = await api.post(OAUTH, json={"code": code, "state": bad, "nonce": nonce})
        assert answer.status_code == 401, bad
        assert answer.json()["code"] == "oauth_state_invalid"
    assert wechat.received("/sns/oauth2/access_token") == []  # the code was never spent
    good = await api.post(OAUTH, json={"code": code, "state": state, "nonce": nonce})
    assert good.status_code == 200


async def test_a_state_works_once_only(api, wechat: FakeWeChat) -> None:
    """Login CSRF by replay: an attacker who signed in once cannot reuse the state (with
    another code of theirs) in a victim's browser, or anywhere."""
    code, state, nonce = await _code_state_nonce(api, "h5-tester-1")
    first = await api.post(OAUTH, json={"code": code, "state": state, "nonce": nonce})
    assert first.status_code == 200
    other_code, _, _ = await _code_state_nonce(api, "h5-tester-1")
    again = await api.post(OAUTH, json={"code": other_code, "state": state, "nonce": nonce})
    assert again.status_code == 401 and again.json()["code"] == "oauth_state_invalid"
    assert len(wechat.received("/sns/oauth2/access_token")) == 1  # the second code is unspent


async def test_a_state_made_for_another_browser_is_refused(api, wechat: FakeWeChat) -> None:
    """Login CSRF: the attacker's code and state, posted by a browser holding another nonce
    (the victim's, or none), sign nobody in; the owner's own nonce still works afterwards."""
    code, state, nonce = await _code_state_nonce(api)
    victims = new_nonce()
    answer = await api.post(OAUTH, json={"code": code, "state": state, "nonce": victims})
    assert answer.status_code == 401 and answer.json()["code"] == "oauth_state_invalid"
    missing = await api.post(OAUTH, json={"code": code, "state": state})
    assert missing.status_code == 422, missing.text
    malformed = await api.post(OAUTH, json={"code": code, "state": state, "nonce": "short"})
    assert malformed.status_code == 422, malformed.text
    assert wechat.received("/sns/oauth2/access_token") == []
    good = await api.post(OAUTH, json={"code": code, "state": state, "nonce": nonce})
    assert good.status_code == 200


@pytest.mark.parametrize("nonce", ["", "short", "x" * 65, "has space in it 0123456789", "a/b" * 8])
async def test_the_authorize_url_needs_a_good_nonce(api, nonce: str) -> None:
    answer = await api.get(
        "/api/v1/auth/wechat/oauth-url", params={"redirect": "/m/", "nonce": nonce}
    )
    assert answer.status_code in {400, 422}, answer.text
    if nonce and answer.status_code == 422:
        # over 64 characters the query parameter's own bound answers first
        assert answer.json()["code"] in {"oauth_nonce_invalid", "validation_failed"}
    missing = await api.get("/api/v1/auth/wechat/oauth-url", params={"redirect": "/m/"})
    assert missing.status_code in {400, 422}, missing.text


@pytest.mark.parametrize(
    "redirect",
    ["https://evil.example/m/", "//evil.example/m/", "/m/../portal", "/portal/", "/m/%2e%2e/x", ""],
)
async def test_only_our_own_pages_under_m_are_redirect_targets(api, redirect: str) -> None:
    answer = await api.get(
        "/api/v1/auth/wechat/oauth-url", params={"redirect": redirect, "nonce": new_nonce()}
    )
    assert answer.status_code in {400, 422}
    if answer.status_code == 422 and redirect:
        assert answer.json()["code"] == "redirect_invalid"


async def test_the_authorize_url_goes_back_to_our_page(api, settings: Settings) -> None:
    answer = await api.get(
        "/api/v1/auth/wechat/oauth-url", params={"redirect": "/m/cases?x=1", "nonce": new_nonce()}
    )
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
