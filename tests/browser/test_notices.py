"""The bell in a real browser: a task for the township desk shows in the header's count and on
the notices page, links to the case, and marking it read clears the count; another township's
notice is not shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.cases import events
from notifications import fallback
from notifications.tables import StaffNotice
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import OTHER_TOWNSHIP, TOWNSHIP, queued

pytestmark = pytest.mark.browser


async def _task_for_the_desk(number: str) -> None:
    """What the planner writes when a citizen without WeChat must be told in person."""
    case = await events.case_for_notice(number)
    assert case is not None
    await fallback.tell_in_person(case=case, title="申请未通过", key=f"browser:{number}")


async def test_a_desk_task_shows_in_the_bell_and_marking_it_read_clears_the_count(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bn-desk-task", name="王秀英")
    number = await queued(me)
    clerk = await make_staff(
        role="window", area_code=TOWNSHIP, username="desk-bell", display_name="王晓燕"
    )
    await StaffNotice.insert(
        StaffNotice(
            key="elsewhere",
            township=OTHER_TOWNSHIP,
            kind="tell_citizen",
            case_number="X-OTHER",
            text="另一个镇街的任务",
        )
    ).run()

    await log_in(page, clerk.username)
    bell = page.locator("#bell-count")
    await expect(bell).to_be_empty()  # nothing yet: no badge at all

    await _task_for_the_desk(number)
    await page.reload()
    await expect(bell).to_have_text("1")
    await page.locator("#bell").click()

    await expect(page).to_have_url(re.compile(r"/portal/notices/?$"))
    lines = page.locator("#notices .line")
    await expect(lines).to_have_count(1)
    line = lines.first
    await expect(line).to_contain_text("请当面告知")
    await expect(line).to_contain_text("王秀英")
    await expect(line).to_contain_text(number)
    await expect(line).not_to_contain_text("另一个镇街")
    case_link = line.get_by_role("link", name=re.compile(number))
    await expect(case_link).to_have_attribute("href", f"/portal/window/cases/{number}")
    await expect(page.locator("#bell-count")).to_have_text("1")
    await page.screenshot(path=artifacts_dir / "notices.png", full_page=True)

    await line.get_by_role("button", name="标记已读").click()

    await expect(line).to_contain_text("已读")
    await expect(page.locator("#bell-count")).to_be_empty()
    row = await StaffNotice.select().where(StaffNotice.case_number == number).first().run()
    assert row["read_at"] is not None and str(row["read_by"]) == clerk.id
    await page.reload()
    await expect(page.locator("#bell-count")).to_be_empty()
    await expect(page.locator("#notices .line")).to_have_count(1)  # still listed, as read
    await page.get_by_role("link", name="未读", exact=True).click()
    await expect(page.locator("#notices .line")).to_have_count(0)
    await expect(page.get_by_text("没有未读通知。")).to_be_visible()

    await page.goto("/portal/notices/")
    await page.locator("#notices .line").first.get_by_role("link", name=re.compile(number)).click()
    await expect(page).to_have_url(re.compile(rf"/portal/window/cases/{number}$"))
