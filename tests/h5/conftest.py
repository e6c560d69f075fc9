"""The citizens' H5 (``miniprogram/dist/h5``, built by ``make setup``) in headless Chromium,
against the real app: the browser fixtures of ``tests/browser`` at a phone's size (390 × 844)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.support import screenshots

from tests.browser.conftest import (  # noqa: F401  (fixtures shared with the portal's tests)
    artifacts_dir,
    browser,
    expected_404s,
    live_server,
    page,
)

REPO = Path(__file__).resolve().parents[2]
H5_BUILD = REPO / "miniprogram" / "dist" / "h5" / "index.html"


@pytest.fixture(scope="session", autouse=True)
def _h5_built() -> None:
    if not H5_BUILD.is_file():
        pytest.fail(f"{H5_BUILD} is missing: run `make setup` (scripts/build-miniprogram.sh h5)")


@pytest.fixture
async def h5(page: Page) -> AsyncIterator[Page]:
    """A fresh phone-sized page (own storage) on the citizens' H5 home page."""
    await page.goto("/m/")
    await page.get_by_text("就近办 · 家门口办事").wait_for()
    yield page


async def shot(page: Page, name: str) -> None:
    """Keep a full-page picture of ``page`` as ``<screenshots>/h5/<name>.png`` for people to see."""
    folder = screenshots("h5")
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=folder / f"{name}.png", full_page=True)
