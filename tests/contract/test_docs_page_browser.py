"""The documentation page renders in a browser cut off from everything but this machine.

Chromium opens ``/schema`` with every request to another host aborted: Swagger UI must still
draw the operations, and no request may even have tried to leave (a font, a favicon, a
validator badge). A screenshot is kept in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, ConsoleMessage, Route, expect

pytestmark = pytest.mark.browser

LOCAL_HOSTS = ("127.0.0.1",)


async def test_the_docs_page_renders_the_operations_offline(
    browser: Browser, live_server: str, artifacts_dir: Path
) -> None:
    # /schema/swagger is the same page (test_docs_pages.py); one browser run is enough.
    path = "/schema"
    context = await browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(20_000)
    elsewhere: list[str] = []
    problems: list[str] = []

    async def only_this_machine(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            elsewhere.append(url)
            await route.abort("internetdisconnected")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    await context.route("**/*", only_this_machine)
    page = await context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    try:
        await page.goto(path)
        submit = page.locator(".opblock-post").filter(
            has=page.locator('.opblock-summary-path[data-path="/api/v1/cases"]')
        )
        await expect(submit).to_be_visible()
        assert await page.locator(".opblock").count() > 50  # every operation, not one tag
        await expect(page.locator(".information-container .title")).to_contain_text("就近办 API")
        shots = artifacts_dir / "screenshots"
        shots.mkdir(exist_ok=True)
        name = path.strip("/").replace("/", "-")
        await page.screenshot(path=str(shots / f"{name}.png"))

        # Open 提交办件: its request body and 201 answer are drawn from the document.
        await submit.locator(".opblock-summary-control").click()
        await expect(submit.locator(".opblock-body")).to_be_visible()
        await expect(submit.locator(".responses-table").first).to_contain_text("201")
        await submit.scroll_into_view_if_needed()
        await page.screenshot(path=str(shots / f"{name}-submit-case.png"))
    finally:
        await context.close()
    assert not elsewhere, "requests left the machine:\n" + "\n".join(elsewhere)
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)
