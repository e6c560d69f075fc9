"""Helpers of the WeChat-accounts tests: the H5 sign-in walked like a browser would."""

from __future__ import annotations

import contextlib
import html
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx

from backend import db
from backend.app import create_app
from backend.devservices import free_port
from backend.fakes.sms_server import FakeSms
from backend.settings import Settings
from tests.identity.helpers import Me

_LINK = re.compile(r'<a class="btn" data-openid="([^"]+)" href="([^"]+)">')


def new_nonce() -> str:
    """A nonce as the page makes one (16 random bytes, URL-safe base64: 22 characters)."""
    return secrets.token_urlsafe(16)


async def authorize_links(
    api: httpx.AsyncClient, *, extra: str = "", nonce: str = "test-nonce-0123456789abcdef"
) -> dict[str, str]:
    """Ask the backend for the authorize URL (for the browser holding ``nonce``), open WeChat's
    (fake) page, and read its buttons: openid -> the link back to our page."""
    start = await api.get(
        "/api/v1/auth/wechat/oauth-url", params={"redirect": "/m/", "nonce": nonce}
    )
    assert start.status_code == 200, start.text
    url = start.json()["url"].split("#", 1)[0] + extra
    async with httpx.AsyncClient(timeout=10.0) as browser:
        page = await browser.get(url)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    return {openid: html.unescape(href) for openid, href in _LINK.findall(page.text)}


def code_and_state(link: str) -> tuple[str, str, str]:
    """(path, code, state) of the link WeChat sends the browser back with."""
    split = urlsplit(link)
    query = {key: values[0] for key, values in parse_qs(split.query).items()}
    return split.path, query["code"], query["state"]


async def h5_login(api: httpx.AsyncClient, openid: str, *, extra: str = "") -> Me:
    """Sign in on the H5 as the fake's test user ``openid``."""
    nonce = new_nonce()
    links = await authorize_links(api, extra=extra, nonce=nonce)
    path, code, state = code_and_state(links[openid])
    assert path == "/m/"
    answer = await api.post(
        "/api/v1/auth/wechat/oauth", json={"code": code, "state": state, "nonce": nonce}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Me(api, body["citizen"]["id"], body["access_token"])


SMS_SECRET = "join-sms-secret"


@contextlib.asynccontextmanager
async def sms_app(settings: Settings, fake: FakeSms) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process with ``SMS_URL`` at the fake gateway (the shared server has none)."""
    configured = replace(
        settings,
        sms_url=fake.url,
        sms_secret=SMS_SECRET,
        redis_prefix=f"{settings.redis_prefix}-sms-{free_port()}",
    )
    saved = db.engine()
    app = create_app(configured, configure_logs=False)
    try:
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client
    finally:
        db.use_engine(saved)


def last_code(fake: FakeSms, phone: str) -> tuple[str, str]:
    """(the 6-digit code, the whole text) of the last SMS to ``phone``."""
    texts = [m["text"] for m in fake.messages() if m["phone"] == phone]
    found = re.search(r"\d{6}", texts[-1])
    assert found is not None
    return found.group(0), texts[-1]
