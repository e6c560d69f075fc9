"""Login CSRF on the H5's WeChat sign-in: a link carrying someone else's OAuth code and state
(``/m/?code=…&state=…``) signs nobody in. The page posts a code only for a sign-in it started
itself (its nonce in sessionStorage); any other code is taken out of the address unused, and a
citizen already signed in stays who they were."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from backend.fakes.wechat_server import FakeWeChat
from tests.browser.h5.conftest import shot, sign_in
from tests.wechat_accounts.support import authorize_links, code_and_state, new_nonce

pytestmark = pytest.mark.browser

NO_CODE = "() => !/[?&](code|state)=/.test(window.location.search)"
ATTACKER = "h5-tester-3"  # one of the fake's own test users (backend/fakes/wechat_oauth.py)


async def attackers_link(api: httpx.AsyncClient) -> str:
    """What an attacker sends: their own fresh code and state, from a sign-in they started
    (with their own nonce) and stopped at WeChat's answer."""
    links = await authorize_links(api, nonce=new_nonce())
    _, code, state = code_and_state(links[ATTACKER])
    return f"/m/?code={code}&state={state}"


async def stored(page: Page, key: str) -> Any:
    """What the client keeps under ``key`` (Taro's storage format: ``{"data": …}``)."""
    return await page.evaluate(
        "(key) => { const raw = localStorage.getItem(key); return raw ? JSON.parse(raw).data : null }",
        key,
    )


def watch_sign_ins(page: Page) -> list[str]:
    posted: list[str] = []
    page.on(
        "request",
        lambda r: posted.append(r.url) if r.url.endswith("/api/v1/auth/wechat/oauth") else None,
    )
    return posted


async def test_a_signed_in_citizen_opening_someone_elses_code_stays_themselves(
    h5: Page, api: httpx.AsyncClient, wechat: FakeWeChat, small_catalogue: Path
) -> None:
    victim = await sign_in(h5, api, "csrf-victim")
    token_before = await stored(h5, "jjb.token")
    assert await stored(h5, "jjb.citizen") == victim.id
    link = await attackers_link(api)
    posted = watch_sign_ins(h5)

    await h5.goto(link)
    await h5.get_by_text("就近办 · 家门口办事").wait_for()
    await h5.wait_for_function(NO_CODE)
    await asyncio.sleep(1.0)  # room for a sign-in the page must not make
    assert "code=" not in h5.url and "state=" not in h5.url, h5.url
    assert posted == []
    assert wechat.received("/sns/oauth2/access_token") == []  # the attacker's code is unspent
    assert await stored(h5, "jjb.citizen") == victim.id
    assert await stored(h5, "jjb.token") == token_before
    await shot(h5, "oauth-csrf-victim-stays-signed-in")

    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token_before['token']}"})
    assert me.status_code == 200 and me.json()["id"] == victim.id


async def test_a_signed_out_visitor_opening_someone_elses_code_is_not_signed_in(
    h5: Page, api: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    link = await attackers_link(api)
    posted = watch_sign_ins(h5)
    await h5.goto(link + "#/pages/index/index")
    await h5.get_by_text("就近办 · 家门口办事").wait_for()
    await h5.wait_for_function(NO_CODE)
    await asyncio.sleep(1.0)
    assert h5.url.endswith("/m/#/pages/index/index"), h5.url
    assert posted == []
    assert wechat.received("/sns/oauth2/access_token") == []
    assert await stored(h5, "jjb.token") is None
    assert await stored(h5, "jjb.citizen") is None
