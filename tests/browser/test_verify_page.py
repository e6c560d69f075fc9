"""The page a notice's QR code opens, on a phone and a desk screen: the project's header, the
notice's public facts and what to compare, or — for a code this system did not issue — what to do.
The ``page`` fixture fails on any console error, so a style the CSP refuses fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.notices.tables import Notice
from tests.notices.support import run_notice_jobs
from tests.support import citizen, screenshots
from tests.window.support import clerk, ok, queued

pytestmark = pytest.mark.browser

SHOTS = screenshots("noticeword")
UNKNOWN = "/verify/" + "q" * 32


@pytest.fixture
def expected_404s() -> list[str]:
    return [UNKNOWN]


async def test_the_verification_pages_read_well_on_a_phone_and_a_desk(
    page: Page, api, small_catalogue: Path, elicense, wechat
) -> None:
    me = await citizen(api, "bv-verify", name="王秀英")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    await run_notice_jobs()
    token = (await Notice.select(Notice.token).first().run())["token"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1440, 900)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.goto(f"/verify/{token}")
        await expect(page.locator("header")).to_have_text("就近办 · 家门口办事")
        await expect(page.locator("h1")).to_have_text("文书核验")
        await expect(page.locator(".ok")).to_contain_text("有效")
        await expect(page.locator(".hint")).to_have_text(
            "请核对纸面文书的文号、出具部门和日期与本页一致。"
        )
        # The style applied (the CSP allows it by hash): the header's rule is drawn.
        border = await page.locator("header").evaluate("e => getComputedStyle(e).borderBottomStyle")
        assert border == "solid"
        body = await page.locator("body").inner_text()
        assert "王秀英" not in body and number not in body and me.id_number not in body
        await page.screenshot(path=SHOTS / f"verify-valid-{width}.png", full_page=True)

        answer = await page.goto(UNKNOWN)
        assert answer is not None and answer.status == 404
        await expect(page.locator("header")).to_have_text("就近办 · 家门口办事")
        await expect(page.locator(".hint")).to_contain_text("它可能不是本系统出具的")
        await page.screenshot(path=SHOTS / f"verify-unknown-{width}.png", full_page=True)
