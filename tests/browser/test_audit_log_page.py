"""The audit log in a real browser, on a desktop and a phone: an administrator's changes show as
Chinese field changes (no raw JSON), staff accounts by username, and a hostile reason cannot
turn text around."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend import db
from backend.audit.service import READ_ID_NUMBER, Actor, AuditLog
from backend.identity import staff_admin
from backend.settings import Settings
from tests.browser.support import log_in
from tests.factories import make_staff
from tests.window.support import TOWNSHIP

pytestmark = pytest.mark.browser


async def _changes(log: AuditLog, admin: str) -> None:
    actor = Actor("staff", admin)
    made = await staff_admin.create_account(
        audit=log,
        actor=actor,
        username="wang-window",
        display_name="王窗口",
        role="window",
        area_code=TOWNSHIP,
        department_code=None,
    )
    await staff_admin.set_active(
        audit=log, actor=actor, staff_id=made.account.id, active=False, reason="调离窗口岗位"
    )
    await staff_admin.reset_password(
        audit=log, actor=actor, staff_id=made.account.id, reason="本人忘记密码，电话核实"
    )
    async with db.engine().transaction():
        # Entries written before reasons were checked (or through a path that keeps the text
        # as typed) may hold a text-direction override; the page must show it, not obey it.
        await log.record(
            actor=actor,
            action=READ_ID_NUMBER,
            subject_kind="citizen",
            subject_id="33333333-3333-3333-3333-333333333333",
            reason="核对身份\u202e，电话核实",
        )
        await log.record(
            actor=actor,
            action=READ_ID_NUMBER,
            subject_kind="citizen",
            subject_id="22222222-2222-2222-2222-222222222222",
            reason="窗口受理核对身份" + "x" * 80,
        )


async def test_the_audit_log_shows_changes_in_chinese_at_both_widths(
    page: Page, small_catalogue: Path, settings: Settings, artifacts_dir: Path
) -> None:
    admin = await make_staff(role="admin", username="admin-audit", display_name="李管理")
    await _changes(AuditLog(settings.audit_key), admin.id)

    folder = artifacts_dir / "audit"
    folder.mkdir(exist_ok=True)
    await log_in(page, "admin-audit")
    for width in (1440, 390):
        await page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
        await page.goto("/portal/supervision/audit")
        audit = page.locator("#audit")
        await expect(audit.locator(":scope > .line")).to_have_count(5)
        await expect(page.locator("main, body").first).to_contain_text("管理员")
        await expect(audit).to_contain_text("工作人员账号 wang-window（王窗口）")
        await expect(audit).to_contain_text("状态：启用 → 停用")
        await expect(audit).to_contain_text("须修改密码：是")
        await expect(audit).to_contain_text("角色：窗口人员")
        await expect(audit).to_contain_text("⟪U+202E⟫")
        await expect(audit.locator("details.audit-raw").first).to_contain_text("原始记录")
        visible_text = await page.evaluate("document.body.innerText")
        assert '{"' not in visible_text
        assert "token_version" not in visible_text
        assert "\u202e" not in visible_text
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{wide} px wide at {width}"
        await page.screenshot(path=folder / f"audit-log-{width}.png", full_page=True)
