"""The one-window pages in a real browser: queue → claim → accept → transfer → approve → result →
deliver, scope (another township's clerk gets the 404 page), and only allowed actions offered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.cases.tables import Case
from tests.browser.support import csrf_header, log_in, log_out
from tests.factories import make_staff
from tests.support import citizen
from tests.window.support import BIRTH, INSURANCE, OTHER_TOWNSHIP, TOWNSHIP, ok, queued
from tests.window.support import clerk as api_clerk

pytestmark = pytest.mark.browser

ALL_STEPS = ["提交申请", "转入受理队列", "受理", "转后台审批", "审批通过", "出件", "送达"]


async def _window_clerk(username: str = "desk-yinong", township: str = TOWNSHIP) -> str:
    account = await make_staff(
        role="window", area_code=township, username=username, display_name="王晓燕"
    )
    return account.username


async def _approver(department: str = "GA", username: str = "ga-approver") -> str:
    account = await make_staff(
        role="approver", department_code=department, username=username, display_name="李审批"
    )
    return account.username


async def _backdate(number: str, days: int) -> None:
    """Pretend the case was submitted ``days`` days ago (it then waits longer in the queue)."""
    await Case.raw(
        "UPDATE case_record SET created_at = created_at - make_interval(days => {})"
        " WHERE number = {}",
        days,
        number,
    ).run()


async def _steps(page: Page) -> list[str]:
    return await page.locator("#timeline .tl-action").all_inner_texts()


async def test_a_clerk_claims_accepts_and_transfers_from_the_queue(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bw-claim", name="王秀英")
    older = await queued(me)
    await _backdate(older, 10)
    newer = await queued(me)
    username = await _window_clerk()

    await log_in(page, username)
    await page.get_by_role("link", name=re.compile("受理队列")).click()
    await expect(page).to_have_url(re.compile(r"/portal/window/queue$"))
    lines = page.locator(".line")
    await expect(lines).to_have_count(2)
    # Most urgent first; the long wait is red *and* says so in words.
    await expect(lines.nth(0)).to_have_attribute("data-number", older)
    await expect(lines.nth(0)).to_have_class(re.compile("line-overdue"))
    await expect(lines.nth(0).locator(".urg")).to_contain_text("已等待")
    await expect(lines.nth(1)).to_have_attribute("data-number", newer)
    await expect(lines.nth(1).locator(".urg")).to_have_text("今天提交")
    await expect(lines.nth(0)).to_contain_text("出生登记")
    await expect(lines.nth(0)).to_contain_text("王*英")
    await expect(lines.nth(0)).to_contain_text("本人申请")
    await page.screenshot(path=artifacts_dir / "window-queue.png", full_page=True)

    await page.get_by_role("button", name="领取下一件").click()

    await expect(page).to_have_url(re.compile(rf"/portal/window/cases/{older}\?done=claim$"))
    await expect(page.locator("#done")).to_have_text("已领取，请尽快办理。")
    await expect(page.locator("#case-status")).to_have_text("待受理")
    await expect(page.locator(".claim-box")).to_contain_text("我已领取此件")
    # Only what a queued case allows, and only the front desk's part of it.
    for absent in ("transfer", "result", "deliver", "approve", "deny"):
        await expect(page.locator(f"#act-{absent}")).to_have_count(0)
    await expect(page.locator("#act-handoff")).to_have_count(0)  # 出生登记 is not 全区通办
    for present in ("accept", "supplement", "reject"):
        await expect(page.locator(f"#act-{present}")).to_have_count(1)
    await page.screenshot(path=artifacts_dir / "window-case-claimed.png", full_page=True)

    # The queue shows the claim, with 释放 on mine.
    await page.goto("/portal/window/queue")
    mine = page.locator(f'.line[data-number="{older}"]')
    await expect(mine.locator(".claim-mine")).to_contain_text("我已领取")
    await expect(mine.get_by_role("button", name="释放")).to_be_visible()
    await mine.get_by_role("link").click()

    await page.get_by_role("button", name="受理", exact=True).click()
    await expect(page.locator("#done")).to_have_text("已受理，开始计算办理时限。")
    await expect(page.locator("#case-status")).to_have_text("已受理")
    await expect(page.locator("#case-clock")).to_have_text("剩 5 个工作日")
    await expect(page.locator("#act-accept")).to_have_count(0)
    await expect(page.locator(".claim-box")).to_have_count(0)
    transfer = page.locator("#act-transfer")
    await expect(transfer.locator("select")).to_have_value("GA")  # from the routing table
    await page.screenshot(path=artifacts_dir / "window-case-accepted.png", full_page=True)

    await transfer.get_by_role("button", name="转后台审批").click()

    await expect(page.locator("#done")).to_have_text("已转后台审批。")
    await expect(page.locator("#case-status")).to_have_text("审批中")
    await expect(page.locator("#case-facts")).to_contain_text("区公安分局")
    assert await _steps(page) == ["提交申请", "转入受理队列", "受理", "转后台审批"]
    await expect(page.locator("#timeline")).to_contain_text("窗口人员 王晓燕")

    await page.goto("/portal/window/queue")
    await expect(page.locator(".line")).to_have_count(1)
    await expect(page.locator(".line")).to_have_attribute("data-number", newer)


async def test_b_the_back_office_approves_and_the_window_issues_and_delivers(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bw-approve", name="王秀英")
    number = await queued(me)
    desk = await api_clerk(api, username="desk-yinong")
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    approver = await _approver()

    await log_in(page, approver)
    await page.get_by_role("link", name=re.compile("待审批办件")).click()
    await expect(page).to_have_url(re.compile(r"/portal/review$"))
    line = page.locator(f'.line[data-number="{number}"]')
    await expect(line).to_contain_text("审批中")
    await expect(line.locator(".urg")).to_have_text("剩 5 个工作日")
    await page.screenshot(path=artifacts_dir / "review-list.png", full_page=True)
    await line.get_by_role("link").click()
    await expect(page.locator("#case-status")).to_have_text("审批中")
    for absent in ("accept", "transfer", "result", "deliver", "reject", "handoff"):
        await expect(page.locator(f"#act-{absent}")).to_have_count(0)
    await page.screenshot(path=artifacts_dir / "review-case.png", full_page=True)

    approve = page.locator("#act-approve")
    await approve.get_by_label("审批意见（选填）").fill("材料齐全，符合条件")
    await approve.get_by_role("button", name="审批通过").click()

    await expect(page.locator("#done")).to_have_text("已审批通过。")
    await expect(page.locator("#case-status")).to_have_text("已审批通过")
    await expect(page.locator("#no-actions")).to_be_visible()
    await log_out(page)

    await log_in(page, "desk-yinong")
    await page.get_by_role("link", name=re.compile("出件送达")).click()
    await expect(page.locator(".tab-on")).to_have_text("待出件")
    await page.locator(f'.line[data-number="{number}"]').get_by_role("link").click()
    await expect(page.locator("#case-status")).to_have_text("已审批通过")
    result = page.locator("#act-result")
    await result.get_by_label("出件说明（选填）").fill("户口已登记")
    await result.get_by_role("button", name="出件").click()
    await expect(page.locator("#case-status")).to_have_text("已出件")

    # 出生登记 is collected in person: no mail form. A refusal from the domain shows on the
    # page, and the case stays as it was.
    await expect(page.locator("#act-deliver-mail")).to_have_count(0)
    deliver = page.locator("#act-deliver-window")
    await deliver.get_by_label("领取人姓名").fill("王秀英")
    await deliver.get_by_label(re.compile("领取人身份证号码")).fill("330109199001010076")
    await deliver.get_by_role("button", name="登记窗口领取").click()
    await expect(page.locator("#action-error")).to_contain_text("与办件申请人不符")
    await expect(page.locator("#case-status")).to_have_text("已出件")
    await page.screenshot(path=artifacts_dir / "window-deliver-refused.png", full_page=True)

    deliver = page.locator("#act-deliver-window")
    await expect(deliver.get_by_label("快递单号")).to_have_count(0)
    await deliver.get_by_label("领取人姓名").fill("王秀英")
    await deliver.get_by_label(re.compile("领取人身份证号码")).fill(str(me.id_number))
    await deliver.get_by_role("button", name="登记窗口领取").click()

    await expect(page.locator("#done")).to_have_text("已送达。")
    await expect(page.locator("#case-status")).to_have_text("已送达")
    await expect(page.locator("#no-actions")).to_be_visible()
    assert await _steps(page) == ALL_STEPS
    timeline = page.locator("#timeline")
    await expect(timeline).to_contain_text("后台审批 李审批")
    await expect(timeline).to_contain_text("材料齐全，符合条件")
    await expect(timeline).to_contain_text("户口已登记")
    await expect(timeline).to_contain_text("转至区公安分局")
    await expect(timeline.locator("li").last).to_contain_text("窗口领取")
    await expect(timeline.locator("li").last).to_contain_text("领取人 王秀英（身份证号码已核对）")
    await expect(page.locator("#collector")).to_contain_text("王秀英")
    assert str(me.id_number) not in await page.content()
    await page.screenshot(path=artifacts_dir / "window-case-delivered.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 800})  # the hall's old desktop PC
    await page.screenshot(path=artifacts_dir / "window-case-delivered-desktop.png")


async def test_another_townships_clerk_gets_the_404_page(
    page: Page, api, small_catalogue: Path, elicense, wechat, expected_404s: list[str]
) -> None:
    me = await citizen(api, "bw-scope", name="王秀英")
    number = await queued(me)
    stranger = await _window_clerk(username="desk-guali", township=OTHER_TOWNSHIP)
    path = f"/portal/window/cases/{number}"
    expected_404s.append(path)

    await log_in(page, stranger)
    await page.goto(path)

    await expect(page.locator("#not-found")).to_be_visible()
    await expect(page.get_by_role("heading", name="找不到页面")).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text("出生登记")
    acted = await page.request.post(f"{path}/accept", headers=await csrf_header(page))
    assert acted.status == 404
    claimed = await page.request.post(
        "/portal/window/queue/claim", headers=await csrf_header(page), max_redirects=0
    )
    assert claimed.status == 303 and claimed.headers["location"].endswith("notice=empty")
    assert (await Case.select(Case.status).where(Case.number == number).first().run()) == {
        "status": "queued"
    }


async def test_an_action_the_status_does_not_allow_is_refused_with_the_reason(
    page: Page, api, small_catalogue: Path, elicense, wechat
) -> None:
    me = await citizen(api, "bw-refused", name="王秀英")
    number = await queued(me)
    username = await _window_clerk()
    await log_in(page, username)
    await page.goto(f"/portal/window/cases/{number}")
    await expect(page.locator("#act-result")).to_have_count(0)

    # Posted anyway (a stale page, a second tab): the domain's 409, shown on the page.
    refused = await page.request.post(
        f"/portal/window/cases/{number}/result", headers=await csrf_header(page)
    )
    assert refused.status == 409
    assert "办件当前为“待受理”，不能出件。" in await refused.text()
    await page.reload()
    await expect(page.locator("#case-status")).to_have_text("待受理")


async def test_the_review_pages_are_for_approvers_of_the_department(
    page: Page, api, small_catalogue: Path, elicense, wechat, expected_404s: list[str]
) -> None:
    me = await citizen(api, "bw-dept", name="王秀英")
    number = await queued(me)
    desk = await api_clerk(api, username="desk-yinong")
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    other = await _approver(department="YB", username="yb-approver")
    path = f"/portal/review/cases/{number}"
    expected_404s.append(path)

    await log_in(page, other)
    await page.goto("/portal/review")
    await expect(page.locator(".line")).to_have_count(0)
    await page.goto(path)
    await expect(page.locator("#not-found")).to_be_visible()

    await page.goto("/portal/window/queue")
    await expect(page.get_by_role("alert")).to_have_text("此页面仅限窗口人员使用。")


async def test_a_supplement_names_every_missing_material_in_one_notice(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bw-supplement", name="王秀英")
    number = await queued(me)
    await log_in(page, await _window_clerk())
    await page.goto(f"/portal/window/cases/{number}")
    box = page.locator("#act-supplement")
    await box.locator("summary").click()
    await box.get_by_label("补正说明").fill("照片不清晰")

    await box.get_by_role("button", name="发出补正通知").click()  # nothing ticked

    await expect(page.locator("#action-error")).to_have_text("请一次列出需要补正的全部材料。")
    await expect(page.locator("#case-status")).to_have_text("待受理")
    box = page.locator("#act-supplement")
    await expect(box).to_have_attribute("open", "")
    await expect(box.get_by_label("补正说明")).to_have_value("照片不清晰")
    await box.get_by_label("父或母居民户口簿（户口簿）").check()
    await box.get_by_label("出生医学证明（出生医学证明）").check()
    await page.screenshot(path=artifacts_dir / "window-supplement-form.png", full_page=True)
    await box.get_by_role("button", name="发出补正通知").click()

    await expect(page.locator("#done")).to_have_text("已发出补正通知。")
    await expect(page.locator("#case-status")).to_have_text("待补正")
    await expect(page.locator("#supplement")).to_contain_text("出生医学证明、户口簿")
    await expect(page.locator("#timeline li").last).to_contain_text("需补正：出生医学证明、户口簿")
    await expect(page.locator("#act-supplement")).to_have_count(0)
    await expect(page.locator("#act-reject")).to_have_count(1)  # still before acceptance


async def test_a_district_wide_case_is_handed_to_another_township(
    page: Page, api, small_catalogue: Path, elicense, wechat
) -> None:
    me = await citizen(api, "bw-handoff", name="王秀英")
    birth = await queued(me)
    insurance = await queued(me, INSURANCE)
    await log_in(page, await _window_clerk())
    await page.goto(f"/portal/window/cases/{birth}")
    await expect(page.locator("#act-accept")).to_be_visible()
    await expect(page.locator("#act-handoff")).to_have_count(0)  # 出生登记: not 全区通办

    await page.goto(f"/portal/window/cases/{insurance}")
    box = page.locator("#act-handoff")
    await box.locator("summary").click()
    await box.get_by_label("转交给").select_option(label="瓜沥镇")
    await box.get_by_role("button", name="确认转交").click()

    await expect(page).to_have_url(re.compile(r"/portal/window/queue\?notice=handoff$"))
    await expect(page.get_by_role("status")).to_contain_text("已转交其他镇街")
    await expect(page.locator(".line")).to_have_count(1)
    await expect(page.locator(".line")).to_have_attribute("data-number", birth)
    moved = await Case.select(Case.township).where(Case.number == insurance).first().run()
    assert moved == {"township": OTHER_TOWNSHIP}


async def test_a_bundle_is_accepted_whole_and_sent_item_by_item(
    page: Page, api, small_catalogue: Path, elicense, wechat, artifacts_dir: Path
) -> None:
    me = await citizen(api, "bw-bundle", name="王秀英")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    await log_in(page, await _window_clerk())
    await page.goto("/portal/window/queue")
    await expect(page.locator(".line")).to_have_count(1)  # the bundle, once
    await expect(page.locator(".line-title")).to_have_text("出生一件事")
    await page.get_by_role("button", name="领取下一件").click()
    await page.get_by_role("button", name="受理", exact=True).click()
    await expect(page.locator("#case-status")).to_have_text("已受理")

    transfer = page.locator("#act-transfer")
    await expect(transfer).to_contain_text("按分类审批规则分别转交")
    await expect(transfer.locator("select")).to_have_count(0)
    await transfer.get_by_role("button", name="转后台审批").click()

    children = page.locator(".children li")
    await expect(children).to_have_count(3)
    for i, name in enumerate(["出生登记", "城乡居民医保参保登记", "社会保障卡申领"]):
        await expect(children.nth(i)).to_contain_text(name)
        await expect(children.nth(i).locator(".status")).to_have_text("审批中")
    await expect(page.locator(".materials")).to_contain_text("近期免冠照片")
    await page.screenshot(path=artifacts_dir / "window-bundle.png", full_page=True)

    await children.nth(1).get_by_role("link").click()
    await expect(page.locator("#case-number")).to_have_text(f"{number}-02")
    await expect(page.locator("#case-facts")).to_contain_text("区医疗保障分局")
    await page.get_by_role("link", name=f"所属一件事 {number}").click()
    await expect(page.locator("#case-number")).to_have_text(number)


async def test_the_queue_is_paginated(
    page: Page, api, small_catalogue: Path, elicense, wechat
) -> None:
    me = await citizen(api, "bw-pages", name="王秀英")
    numbers = [await queued(me) for _ in range(21)]
    await log_in(page, await _window_clerk())
    await page.goto("/portal/window/queue")
    await expect(page.locator(".line")).to_have_count(20)
    await expect(page.locator(".pager-at")).to_have_text("第 1 / 2 页，共 21 件")

    await page.get_by_role("link", name="下一页").click()

    await expect(page.locator(".line")).to_have_count(1)
    await expect(page.locator(".line")).to_have_attribute("data-number", numbers[-1])
    await expect(page.get_by_role("link", name="上一页")).to_be_visible()
