"""The citizens' H5 (``miniprogram/dist/h5``, built by ``make setup``) in headless Chromium,
against the real app, with the browser fixtures of ``tests/browser`` (a 390 × 844 phone)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from tests.support import CitizenClient, citizen, screenshots

REPO = Path(__file__).resolve().parents[3]
H5_BUILD = REPO / "miniprogram" / "dist" / "h5" / "index.html"


@pytest.fixture(scope="session", autouse=True)
def _h5_built() -> None:
    if not H5_BUILD.is_file():
        pytest.fail(f"{H5_BUILD} is missing: run `make setup` (scripts/build-miniprogram.sh h5)")


@pytest.fixture
async def h5(page: Page) -> Page:
    """A fresh phone-sized page (own storage) on the citizens' H5 home page."""
    await page.goto("/m/")
    await page.get_by_text("就近办 · 家门口办事").wait_for()
    return page


async def shot(page: Page, name: str) -> None:
    """Keep a full-page picture of ``page`` as ``<screenshots>/h5/<name>.png`` for people to see."""
    folder = screenshots("h5")
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=folder / f"{name}.png", full_page=True)


async def sign_in(
    page: Page, api: httpx.AsyncClient, openid: str, *, bind: bool = True
) -> CitizenClient:
    """A citizen signed in on this page, as the mini-program's WeChat login makes one.

    The token comes from the real login route (the fake WeChat server's code for ``openid``)
    and is put where the client keeps it (Taro's storage format: ``{"data": …}`` in
    localStorage); the page is then reloaded. The H5's own OAuth sign-in has its own test.
    """
    who = await citizen(api, openid, bind=bind)
    token = who.headers["Authorization"].removeprefix("Bearer ")
    held = {"token": token, "expiresAt": int(time.time()) + 3600, "citizenId": who.id}
    await page.evaluate(
        """([held, id]) => {
            localStorage.setItem('jjb.token', JSON.stringify({ data: held }))
            localStorage.setItem('jjb.citizen', JSON.stringify({ data: id }))
        }""",
        [held, who.id],
    )
    await page.reload()
    return who
