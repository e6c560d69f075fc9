"""查看完整号码 on the staff case page: answers masked, one shown in full only with a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.audit.tables import AuditEvent
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import BIRTH, SINGLE, TOWNSHIP, queued

pytestmark = pytest.mark.browser

GUARDIAN = "330109198704153810"


async def test_a_clerk_reveals_one_number_with_a_reason(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bw-reveal", name="王秀英")
    form = {**BIRTH["form"], "guardian_id": GUARDIAN, "bank_account": "6228480012345678901"}
    number = await queued(me, {**SINGLE, "form": form})
    clerk = await make_staff(
        role="window", area_code=TOWNSHIP, username="desk-reveal", display_name="王晓燕"
    )

    await log_in(page, clerk.username)
    await page.goto(f"/portal/window/cases/{number}")
    answers = page.locator(".facts").filter(has_text="监护人身份证号")
    await expect(answers).to_contain_text("330***********3810")
    await expect(answers).to_contain_text("*******1111")
    await expect(answers).to_contain_text("***************8901")
    assert GUARDIAN not in await page.content()
    buttons = page.get_by_role("button", name="查看完整号码")
    await expect(buttons).to_have_count(3)
    await page.screenshot(path=artifacts_dir / "window-case-masked-form.png", full_page=True)

    # The browser refuses the empty reason; a blank one posted anyway is refused by the server.
    row = page.locator(".facts > div").filter(has_text="监护人身份证号")
    await row.get_by_label(re.compile("理由")).fill("核对监护人身份")
    await row.get_by_role("button", name="查看完整号码").click()
    await expect(page).to_have_url(
        re.compile(rf"/portal/window/cases/{number}/form/guardian_id/reveal$")
    )
    await expect(page.locator(".revealed")).to_have_text(GUARDIAN)
    await expect(page.get_by_role("button", name="查看完整号码")).to_have_count(2)
    await page.screenshot(path=artifacts_dir / "window-case-revealed.png", full_page=True)
    reads = await AuditEvent.select().where(AuditEvent.action == "read_form_field").run()
    assert [(r["subject_id"], r["reason"]) for r in reads] == [
        (f"{number}:guardian_id", "核对监护人身份")
    ]

    # Reloading the case shows the mask again: the full number is shown once, for that read.
    await page.goto(f"/portal/window/cases/{number}")
    await expect(page.locator(".revealed")).to_have_count(0)
    assert GUARDIAN not in await page.content()
