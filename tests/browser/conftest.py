"""Browser-test harness: the real app in a uvicorn child process, driven by Debian's Chromium
through Playwright (a test tool cannot download its own browser here)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Page,
    Response,
    ViewportSize,
    async_playwright,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "test-artifacts"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A mid-sized phone, the screen the portal is designed for first.
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_server(api_server: str, artifacts_dir: Path) -> str:
    """Base URL of the real app (``create_app`` under uvicorn in a child process, see the
    ``api_server`` fixture) against the session's migrated test database."""
    return api_server


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium fonts-wqy-microhei)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def expected_404s() -> list[str]:
    """Paths a test opens on purpose to see the 404 page (``page`` does not fail on those)."""
    return []


@pytest.fixture
async def page(browser: Browser, live_server: str, expected_404s: list[str]) -> AsyncIterator[Page]:
    """A fresh phone-sized page (own cookies) at ``live_server``.

    Console errors, uncaught page errors (a CSP violation, a script error), any 404 (a missing
    stylesheet or vendor file) and any 5xx fail the test: a person would meet a broken page.
    A test that means to meet the 404 page lists its path in ``expected_404s``.
    """
    context = await browser.new_context(
        base_url=live_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium also logs each 4xx answer as "Failed to load resource"; the 401/403/429 that
        # tests provoke on purpose are expected, the others are caught by on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        expected = response.status == 404 and urlsplit(response.url).path in expected_404s
        if (response.status == 404 and not expected) or response.status >= 500:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield page
    await context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)
