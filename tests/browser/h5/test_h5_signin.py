"""The H5's own WeChat sign-in (网页授权), walked in a browser with no shortcut: the client asks
the server for the authorize URL, the browser goes to the (fake) WeChat's authorize page, the
citizen picks a test user there, and the browser comes back to the page it started from with
the code exchanged and gone from the address."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from backend.fakes.wechat_oauth import DEFAULT_H5_APPID
from backend.fakes.wechat_server import FakeWeChat
from tests.browser.h5.conftest import shot

pytestmark = pytest.mark.browser

OPENID = "h5-tester-2"  # one of the fake's own test users (backend/fakes/wechat_oauth.py)
ME = "/m/#/pages/me/index"


async def held_token(page: Page) -> dict[str, Any] | None:
    """What the client keeps of the session (Taro's storage format: ``{"data": …}``)."""
    held: dict[str, Any] | None = await page.evaluate(
        "() => { const raw = localStorage.getItem('jjb.token'); "
        "return raw ? JSON.parse(raw).data : null }"
    )
    return held


async def pick_test_user(page: Page, wechat: FakeWeChat, name: str) -> None:
    """On the fake WeChat's authorize page: check it is that page, keep a picture, tap the user."""
    await page.wait_for_url(f"{wechat.url.rstrip('/')}/connect/oauth2/authorize?*")
    assert f"appid={DEFAULT_H5_APPID}" in page.url, page.url  # the Official Account's, not the MP's
    await expect(page.get_by_role("heading", name="模拟微信 · 网页授权")).to_be_visible()
    await shot(page, name)
    await page.locator(f'a.btn[data-openid="{OPENID}"]').click()


async def signed_in_on_me(page: Page) -> None:
    """Back on the 我的 page, signed in, with no code or state left in the address."""
    await page.wait_for_url(re.compile(r"/m/#/pages/me/index$"))
    await expect(page.locator(".title:visible")).to_have_text("我的")
    await expect(page.get_by_text("您还没有实名登记")).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("去实名认证"))).to_be_visible()
    assert "code=" not in page.url and "state=" not in page.url, page.url


async def test_the_h5_signs_in_through_wechat_and_returns_to_the_page(
    page: Page, api: httpx.AsyncClient, small_catalogue: Path, wechat: FakeWeChat
) -> None:
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.url) if "/api/v1/auth/wechat/oauth-url" in r.url else None,
    )
    await page.goto("/m/")
    await page.get_by_text("就近办 · 家门口办事").wait_for()
    assert await held_token(page) is None
    await shot(page, "signin-home-signed-out")

    # 「我的」 needs a session: the client asks for the authorize URL and leaves for WeChat.
    await page.get_by_role("link", name=re.compile(r"^我的(\s|$)")).click()
    await pick_test_user(page, wechat, "signin-wechat-authorize")
    assert len(asked) == 1 and "redirect=%2Fm%2F" in asked[0], asked

    await signed_in_on_me(page)
    await shot(page, "signin-me-signed-in")
    first = await held_token(page)
    assert first is not None and first["token"]
    assert len(wechat.received("/sns/oauth2/access_token")) == 1
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {first['token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["id"] == first["citizenId"]

    # Storage cleared (another day, another browser): signing in again as the same WeChat user
    # finds the same citizen.
    await page.evaluate("() => { localStorage.clear(); sessionStorage.clear() }")
    assert await held_token(page) is None
    await page.goto(ME)
    await page.reload()
    await pick_test_user(page, wechat, "signin-wechat-authorize-again")
    await signed_in_on_me(page)
    second = await held_token(page)
    assert second is not None  # (a token issued in the same second may equal the first one)
    again = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {second['token']}"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["citizenId"] == second["citizenId"]
    exchanges = wechat.received("/sns/oauth2/access_token")
    assert [e["query"]["appid"] for e in exchanges] == [DEFAULT_H5_APPID] * 2
