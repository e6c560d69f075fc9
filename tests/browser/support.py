"""Helpers of the portal's browser tests: logging in and out as a member of staff."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.factories import DEFAULT_PASSWORD

HOME_URL = re.compile(r"/portal/$")
LOGIN_URL = re.compile(r"/portal/login(\?.*)?$")


async def log_in(page: Page, username: str, password: str = DEFAULT_PASSWORD) -> None:
    await page.goto("/portal/login")
    await page.get_by_label("用户名", exact=True).fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()
    await expect(page).to_have_url(HOME_URL)


async def log_out(page: Page) -> None:
    await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(LOGIN_URL)


async def csrf_header(page: Page) -> dict[str, str]:
    """The CSRF header a script on the page would send (for posts made outside a form)."""
    cookies = await page.context.cookies()
    token = next(c["value"] for c in cookies if c["name"] == "jjb_csrf")
    return {"X-CSRFToken": token}
