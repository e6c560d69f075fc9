"""The supervisors' follow-up page in a real browser: a bad rating's follow-up is listed for the
township's supervisor, who records the call-back and resolves it; another township's supervisor
gets the 404 page for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend import db
from backend.audit.service import READ_ID_NUMBER, Actor, AuditLog
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from backend.supervision import jobs as supervision_jobs
from backend.supervision.tables import FollowUp
from tests.browser.support import csrf_header, log_in, log_out
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import OTHER_TOWNSHIP, TOWNSHIP, submitted

pytestmark = pytest.mark.browser


async def _bad_rating(api) -> str:
    me = await citizen(api, "bw-follow-up", name="王秀英")
    number = await submitted(me)
    assert (await me.post(f"/api/v1/cases/{number}/withdraw")).status_code == 200
    rated = await me.post(
        f"/api/v1/cases/{number}/evaluation", json={"score": 1, "comment": "材料要求没讲清楚"}
    )
    assert rated.status_code == 201, rated.text
    for event in await OutboxEvent.select().where(OutboxEvent.kind == "evaluation.bad").run():
        await supervision_jobs.on_bad_rating(
            HandlerContext(event["id"], event["kind"], 1), json.loads(event["payload"])
        )
    return number


async def test_a_supervisor_records_the_call_back_and_resolves_a_follow_up(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    number = await _bad_rating(api)
    await make_staff(
        role="supervisor", area_code=TOWNSHIP, username="sup-yinong", display_name="赵督办"
    )
    await make_staff(role="supervisor", area_code=OTHER_TOWNSHIP, username="sup-guali")

    await log_in(page, "sup-yinong")
    await page.get_by_role("link", name="差评整改").click()
    await expect(page).to_have_url("/portal/supervision/follow-ups")
    line = page.locator(f"#follow-ups li[data-number='{number}']")
    await expect(line).to_contain_text("待回访")
    await expect(line).to_contain_text("材料要求没讲清楚")

    await line.get_by_label("回访情况").fill("已电话联系，群众希望办事指南写清楚材料")
    await line.get_by_role("button", name="记录回访").click()
    await expect(page.get_by_role("status")).to_have_text("已记录回访情况。")
    line = page.locator(f"#follow-ups li[data-number='{number}']")
    await expect(line).to_contain_text("已回访")
    await line.get_by_label("整改结果").fill("办事指南已补充材料样例，已告知群众")
    folder = artifacts_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    await page.screenshot(path=folder / "supervision-follow-up.png", full_page=True)
    await line.get_by_role("button", name="整改办结").click()
    await expect(page.get_by_role("status")).to_have_text("整改已办结，群众可再评价一次。")
    await expect(page.locator("#follow-ups")).to_have_count(0)  # nothing open any more

    await page.goto("/portal/supervision/follow-ups?state=resolved")
    await expect(page.locator(f"#follow-ups li[data-number='{number}']")).to_contain_text("已办结")
    follow_up = await FollowUp.select().first().run()
    assert follow_up["resolution"] == "办事指南已补充材料样例，已告知群众"
    await log_out(page)

    await log_in(page, "sup-guali")
    await page.goto("/portal/supervision/follow-ups?state=all")
    await expect(page.locator("#follow-ups")).to_have_count(0)
    answer = await page.request.post(
        f"/portal/supervision/follow-ups/{follow_up['id']}/contact",
        headers=await csrf_header(page),
        form={"note": "不是我的"},
    )
    assert answer.status == 404


async def test_the_district_supervisor_reaches_every_supervision_page(
    page: Page, api, small_catalogue: Path, elicense, wechat
) -> None:
    await _bad_rating(api)  # the audit log has the read of the citizen's number, if any
    await make_staff(role="supervisor", username="sup-district", display_name="钱督办")
    await make_staff(role="agent", username="agent-a", display_name="李代办")

    await log_in(page, "sup-district")
    await page.get_by_role("link", name="超期督办").click()
    await expect(page).to_have_url("/portal/supervision/")
    for link, heading in (
        ("超期督办", "超期督办"),
        ("电话回访", "电话回访"),
        ("代办员工作量", "代办员工作量"),
        ("审计日志", "审计日志"),
    ):
        await page.goto("/portal/supervision/")
        await page.get_by_role("link", name=link).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    await expect(page.locator("#audit, .empty")).to_have_count(1)
    await page.goto("/portal/supervision/agents")
    await expect(page.locator("#agents")).to_contain_text("李代办")


async def test_the_audit_log_names_what_was_read_in_chinese(
    page: Page, small_catalogue: Path, settings: Settings
) -> None:
    log = AuditLog(settings.audit_key)
    reader = Actor("staff", "11111111-1111-1111-1111-111111111111")
    async with db.engine().transaction():
        for kind, subject in (
            ("citizen", "22222222-2222-2222-2222-222222222222"),
            ("upload", "up_0123456789"),
            ("case_form", "XS20261207000001:guardian_phone"),
        ):
            await log.record(
                actor=reader,
                action=READ_ID_NUMBER,
                subject_kind=kind,
                subject_id=subject,
                reason="窗口受理核对身份",
            )
    await make_staff(role="supervisor", username="sup-audit", display_name="钱督办")

    await log_in(page, "sup-audit")
    await page.goto("/portal/supervision/audit")
    audit = page.locator("#audit")
    await expect(audit.locator(".line")).to_have_count(3)
    await expect(audit).to_contain_text("市民 22222222-2222-2222-2222-222222222222")
    await expect(audit).to_contain_text("材料 up_0123456789")
    await expect(audit).to_contain_text("办件表单 XS20261207000001（监护人手机号）")
    for english in ("citizen", "upload", "case_form", "guardian_phone"):
        await expect(audit).not_to_contain_text(english)
    await expect(page.locator(".pager-at")).to_have_text("共 3 条")
