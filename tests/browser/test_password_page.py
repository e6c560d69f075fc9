"""Changing one's own password in the portal, and the change forced after an administrator's reset."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from backend.audit.service import Actor, AuditLog
from backend.identity import staff_admin
from backend.settings import Settings
from tests.browser.test_portal_login import HOME_URL, LOGIN_URL, log_in, window_staff
from tests.factories import DEFAULT_PASSWORD as PASSWORD

pytestmark = pytest.mark.browser

PASSWORD_URL = re.compile(r"/portal/password/?$")
NEW_PASSWORD = "maple-quarry-signal-58"


async def change(page: Page, current: str, new: str, again: str | None = None) -> None:
    await page.get_by_label("当前密码").fill(current)
    await page.get_by_label("新密码", exact=True).fill(new)
    await page.get_by_label("再次输入新密码").fill(again if again is not None else new)
    await page.get_by_role("button", name="修改密码").click()


async def test_a_clerk_changes_their_password_from_the_top_bar(page: Page) -> None:
    staff = await window_staff()
    await log_in(page, staff.username, PASSWORD)
    await expect(page).to_have_url(HOME_URL)
    await page.get_by_role("link", name="修改密码").click()
    await expect(page).to_have_url(PASSWORD_URL)

    await change(page, PASSWORD, "password1234")
    await expect(page.get_by_role("alert")).to_contain_text("常见")
    await change(page, PASSWORD, NEW_PASSWORD, again="something-else-entirely")
    await expect(page.get_by_role("alert")).to_have_text("两次输入的新密码不一致")
    await change(page, PASSWORD, NEW_PASSWORD)
    await expect(page.get_by_role("status")).to_contain_text("密码已修改")

    # Straight from the page that says so: the new session keeps this page's CSRF token.
    await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(re.compile(r"/portal/login"))
    await log_in(page, staff.username, NEW_PASSWORD)
    await expect(page).to_have_url(HOME_URL)
    await page.get_by_role("button", name="退出登录").click()
    await log_in(page, staff.username, NEW_PASSWORD)
    await expect(page).to_have_url(HOME_URL)


async def test_after_a_reset_only_the_password_page_opens(page: Page, settings: Settings) -> None:
    staff = await window_staff()
    reset = await staff_admin.reset_password(
        audit=AuditLog(settings.audit_key),
        actor=Actor("system", "test"),
        staff_id=staff.id,
        reason="本人忘记密码",
    )
    await log_in(page, staff.username, reset.temporary_password)
    await expect(page).to_have_url(PASSWORD_URL)
    # The clerk never set a password of their own: the page cannot tell a reset from a new
    # account's temporary password, so it says what to do without guessing.
    await expect(page.get_by_role("status")).to_contain_text("请先设置您自己的密码")
    await page.goto("/portal/window/queue")
    await expect(page).to_have_url(PASSWORD_URL)

    await change(page, reset.temporary_password, NEW_PASSWORD)
    await expect(page).to_have_url(HOME_URL)  # the forced change done, on to the work
    await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(LOGIN_URL)
