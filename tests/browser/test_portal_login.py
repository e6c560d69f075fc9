"""The portal in a real browser: login, the role-aware home page, logout and CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.identity.service import StaffAccount
from backend.settings import Settings
from tests.factories import DEFAULT_PASSWORD as PASSWORD
from tests.factories import make_area, make_staff

pytestmark = pytest.mark.browser

TOWNSHIP = "330109001"
LOGIN_URL = re.compile(r"/portal/login(\?.*)?$")
HOME_URL = re.compile(r"/portal/$")


async def window_staff() -> StaffAccount:
    await make_area(TOWNSHIP, name="城厢街道")
    return await make_staff(role="window", area_code=TOWNSHIP, display_name="王晓燕")


async def log_in(page: Page, username: str, password: str) -> None:
    await page.goto("/portal/login")
    await page.get_by_label("用户名", exact=True).fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()


async def test_window_staff_logs_in_and_lands_on_their_home_page(
    page: Page, artifacts_dir: Path
) -> None:
    staff = await window_staff()

    await page.goto("/")
    await expect(page).to_have_url(LOGIN_URL)
    await page.screenshot(path=artifacts_dir / "portal-login.png")
    await log_in(page, staff.username, PASSWORD)

    await expect(page).to_have_url(HOME_URL)
    await expect(page.get_by_role("heading", name=f"您好，{staff.display_name}")).to_be_visible()
    await expect(page.locator("#role-label")).to_have_text("窗口人员")
    await expect(page.locator(".hello-meta")).to_contain_text(staff.area_name)
    await expect(page.get_by_text("受理队列")).to_be_visible()
    # Loaded by HTMX after the page: proves the vendored htmx.js is served and runs.
    whoami = page.locator("#whoami [data-loaded=whoami]")
    await expect(whoami).to_be_visible()
    await expect(whoami).to_contain_text(staff.username)
    await expect(whoami).to_contain_text("窗口人员")
    await page.screenshot(path=artifacts_dir / "portal-home.png", full_page=True)


async def test_wrong_password_shows_a_chinese_error(page: Page) -> None:
    staff = await window_staff()

    await log_in(page, staff.username, "not-the-password")

    await expect(page).to_have_url(LOGIN_URL)
    await expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
    await expect(page.get_by_label("用户名", exact=True)).to_have_value(staff.username)


async def test_too_many_failures_lock_the_login(page: Page, settings: Settings) -> None:
    staff = await window_staff()
    minutes = -(-settings.login_lockout_s // 60)

    for _ in range(settings.login_max_failures):
        await log_in(page, staff.username, "not-the-password")
    await expect(page.get_by_role("alert")).to_have_text(
        f"登录失败次数过多，请 {minutes} 分钟后再试"
    )

    await log_in(page, staff.username, PASSWORD)
    await expect(page.get_by_role("alert")).to_contain_text("登录失败次数过多")
    await expect(page).to_have_url(LOGIN_URL)


async def test_logout_returns_to_login_and_ends_the_session(page: Page) -> None:
    staff = await window_staff()
    await log_in(page, staff.username, PASSWORD)
    await expect(page).to_have_url(HOME_URL)

    await page.get_by_role("button", name="退出登录").click()

    await expect(page).to_have_url(LOGIN_URL)
    await expect(page.get_by_role("status")).to_have_text("您已安全退出")
    await page.goto("/portal/")
    await expect(page).to_have_url(LOGIN_URL)


async def test_htmx_requests_carry_the_csrf_token(page: Page) -> None:
    staff = await window_staff()
    await log_in(page, staff.username, PASSWORD)
    await expect(page.locator("#whoami [data-loaded=whoami]")).to_be_visible()

    # A POST made by HTMX gets its X-CSRFToken header from the hx-headers on <body>.
    await page.evaluate(
        "htmx.ajax('POST', '/portal/logout', {source: document.body, swap: 'none'})"
    )

    await expect(page).to_have_url(LOGIN_URL)
    await page.goto("/portal/")
    await expect(page).to_have_url(LOGIN_URL)


async def test_post_without_csrf_token_is_refused(page: Page) -> None:
    staff = await window_staff()
    await page.goto("/portal/login")

    no_token = await page.request.post(
        "/portal/login", form={"username": staff.username, "password": PASSWORD}
    )
    assert no_token.status == 403
    forged = await page.request.post(
        "/portal/login",
        form={"username": staff.username, "password": PASSWORD, "_csrf_token": "0" * 128},
    )
    assert forged.status == 403

    await log_in(page, staff.username, PASSWORD)
    await expect(page).to_have_url(HOME_URL)
    logout = await page.request.post("/portal/logout", max_redirects=0)
    assert logout.status == 403
    await page.goto("/portal/")
    await expect(page).to_have_url(HOME_URL)


async def test_supervisors_are_warned_until_next_years_calendar_is_confirmed(
    page: Page, artifacts_dir: Path
) -> None:
    from backend.clock import today
    from backend.workdays.service import confirm_year, year_warnings

    supervisor = await make_staff(role="supervisor", area_code="330109", display_name="区跑改办")
    pending = [s.year for s in await year_warnings(today=today())]
    await log_in(page, supervisor.username, PASSWORD)
    await expect(page).to_have_url(HOME_URL)
    alerts = page.locator(".alert-warning")
    await expect(alerts).to_have_count(len(pending))
    for year in pending:
        await expect(alerts.filter(has_text=f"{year} 年")).to_be_visible()
    await page.screenshot(path=artifacts_dir / "portal-supervisor-warning.png", full_page=True)

    for year in pending:
        await confirm_year(year=year, staff_id=None, note="国务院通知已公布")
    await page.wait_for_timeout(100)
    await page.reload()
    await expect(page.locator(".alert-warning")).to_have_count(0)


async def test_an_approvers_home_names_the_department(page: Page, small_catalogue: Path) -> None:
    staff = await make_staff(
        role="approver", department_code="GA", username="ga-home", display_name="李审批"
    )
    await log_in(page, staff.username, PASSWORD)

    await expect(page).to_have_url(HOME_URL)
    whoami = page.locator("#whoami [data-loaded=whoami]")
    await expect(whoami).to_contain_text("区公安分局（GA）")  # the name, not only the code
