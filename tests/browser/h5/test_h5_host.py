"""The API process serves the H5 build at /m/ and the kiosk at /kiosk/, and nothing else."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page

from tests.browser.h5.axe import axe_violations
from tests.browser.h5.conftest import shot
from tests.browser.h5.elder_audit import audit_elder

pytestmark = pytest.mark.browser


async def test_home_page_opens_and_elderly_mode_enlarges_text(h5: Page) -> None:
    text = h5.get_by_text("查找办事事项")
    normal = await text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    await shot(h5, "home")
    await h5.get_by_role("switch").click()
    await h5.wait_for_function("document.querySelector('.page.elder') !== null")
    elder = await text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    await shot(h5, "home-elder")
    assert normal >= 16
    assert elder >= 18 and elder > normal
    await h5.reload()
    await h5.wait_for_function("document.querySelector('.page.elder') !== null")


async def test_pages_and_assets_are_served_with_their_caching(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as client:
        home = await client.get("/m/")
        assert home.status_code == 200
        assert home.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in home.headers["content-security-policy"]
        script = next(part.split('"')[0] for part in home.text.split('src="')[1:])
        asset = await client.get(script)
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"]
        assert asset.headers["content-encoding"] == "gzip"  # a slow link's first screen needs it
        assert asset.headers["vary"] == "Accept-Encoding"
        kiosk = await client.get("/kiosk/")
        assert kiosk.status_code == 200 and kiosk.text == home.text
        for bad in (
            "/m/js/../../index.html",
            "/m/other/x.js",
            "/m/js/nothing.js",
            "/m/js/" + "a" * 300,
        ):
            assert (await client.get(bad)).status_code == 404
        assert "set-cookie" not in home.headers  # the portal's CSRF cookie stays on the portal
        assert "set-cookie" not in asset.headers  # a year-long cached file carries no cookie
        head = await client.head("/m/")
        assert head.status_code == 200 and head.content == b""


async def test_the_home_page_passes_axe_in_both_modes(h5: Page) -> None:
    assert await axe_violations(h5, "home") == []
    await h5.get_by_role("switch").click()
    await h5.wait_for_function("document.querySelector('.page.elder') !== null")
    assert await axe_violations(h5, "home-elder") == []


async def test_the_home_page_in_elderly_mode_measures_up(h5: Page) -> None:
    await h5.get_by_role("switch").click()
    await h5.wait_for_function("document.querySelector('.page.elder') !== null")
    audit = await audit_elder(h5)
    assert audit.problems == []
    assert audit.smallest >= 18 and audit.largest >= 30 and audit.smallest_target >= 60
