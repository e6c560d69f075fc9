"""The agent's portal in a real browser, phone-sized: register a villager, record a paper
mandate with photos, file a case with a paper original collected, send the original to the
township in a handover batch with a printed manifest; the township receives it with the
original missing, and the agent's errands then ask for it again."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from backend.cases.tables import Case
from backend.delegation.tables import Handover, Mandate
from backend.identity.tables import Citizen
from tests.browser.support import log_in, log_out
from tests.delegation import support as delegation_support
from tests.factories import make_id_number, make_staff
from tests.support import VILLAGE
from tests.window.support import TOWNSHIP, forward, ok, staff
from tests.window.support import clerk as api_clerk

pytestmark = pytest.mark.browser

ID_NUMBER = make_id_number(seq=73, birth="19440205", male=True)
SHOTS = "screenshots"


def _picture(tmp_path: Path, name: str, fmt: str, colour: tuple[int, int, int]) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), colour).save(buffer, format=fmt)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


async def _shot(page: Page, artifacts_dir: Path, name: str) -> None:
    folder = artifacts_dir / SHOTS
    folder.mkdir(exist_ok=True)
    await page.screenshot(path=folder / name, full_page=True)


async def _register(page: Page, artifacts_dir: Path) -> None:
    await page.get_by_role("link", name=re.compile("查找和登记群众")).click()
    await expect(page).to_have_url(re.compile(r"/portal/agent/villagers$"))
    register = page.locator("#register")
    await expect(register).to_have_attribute("open", "")  # nobody yet: the form is open
    await register.get_by_label("姓名").fill("张阿大")
    await register.get_by_label("身份证号码").fill(
        ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    )
    await register.get_by_label("手机号码").fill("13800002222")
    await expect(register.get_by_label("所在村（社区）")).to_have_value(VILLAGE)
    await register.get_by_role("button", name="登记").click()

    # A wrong check digit: said next to the field, everything typed kept, nothing saved.
    await expect(page.locator("#register-error")).to_be_visible()
    field = page.locator("#register label", has=page.get_by_label("身份证号码"))
    await expect(field.locator(".field-error")).to_contain_text("身份证")
    await expect(page.get_by_label("姓名")).to_have_value("张阿大")
    assert await Citizen.count().run() == 0

    await page.get_by_label("身份证号码").fill(ID_NUMBER)
    await page.get_by_role("button", name="登记").click()
    await expect(page).to_have_url(
        re.compile(r"/portal/agent/villagers/[0-9a-f-]+\?done=registered$")
    )
    await expect(page.locator("#done")).to_have_text("群众已登记。")
    await expect(page.locator("#villager-facts")).to_contain_text(
        ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    )
    await expect(page.locator("#villager-facts")).to_contain_text("1944 年生")

    # Found again by pinyin initials and by the last four digits.
    await page.goto("/portal/agent/villagers?q=zad")
    await expect(page.locator("#villagers li")).to_have_count(1)
    await expect(page.locator(".pager-at")).to_have_text("共 1 人")  # people, not 件
    await page.goto(f"/portal/agent/villagers?q={ID_NUMBER[-4:]}")
    await expect(page.locator("#villagers")).to_contain_text("张阿大")
    await _shot(page, artifacts_dir, "agent-villagers.png")
    await page.locator("#villagers").get_by_role("link", name=re.compile("张阿大")).click()


async def _mandate(page: Page, artifacts_dir: Path, tmp_path: Path) -> None:
    await page.get_by_role("link", name=re.compile("登记委托")).click()
    await expect(page).to_have_url(re.compile(r"/mandate$"))
    await page.get_by_label("出生登记").check()
    await expect(
        page.locator("#mandate-consent").get_by_label(re.compile("纸质委托书"))
    ).to_be_checked()
    await page.get_by_label(re.compile("^群众签字的委托书")).set_input_files(
        _picture(tmp_path, "委托书.jpg", "JPEG", (240, 240, 230))
    )
    await _shot(page, artifacts_dir, "agent-mandate.png")
    await page.get_by_role("button", name="登记委托").click()

    # The ID photo is missing: named, and the 委托书 photo already uploaded is kept.
    await expect(page.locator("#mandate-error")).to_contain_text("身份证")
    await expect(page.locator("[data-evidence=委托书] .kept")).to_contain_text("委托书.jpg")
    await expect(page.locator("[data-evidence=身份证] .field-error")).to_be_visible()
    assert await Mandate.count().run() == 0
    await expect(page.get_by_label("出生登记")).to_be_checked()
    await page.get_by_label(re.compile("^群众的身份证")).set_input_files(
        _picture(tmp_path, "身份证.png", "PNG", (200, 220, 250))
    )
    await page.get_by_role("button", name="登记委托").click()

    await expect(page.locator("#done")).to_have_text("委托已登记并生效，现在可以代为申请。")
    mandate = page.locator("#mandates .line")
    await expect(mandate).to_have_count(1)
    await expect(mandate).to_contain_text("出生登记")
    await expect(mandate.locator(".status")).to_have_text("有效")
    await expect(mandate).to_contain_text("纸质委托书")


async def _file(page: Page, artifacts_dir: Path, elicense) -> str:
    await page.locator("#mandates").get_by_role("link", name="代为申请").click()
    await expect(page.locator(".step-on")).to_have_text("2 选择事项")
    await page.locator("#file-choices").get_by_role("link", name=re.compile("出生登记")).click()
    form = page.locator("#item-form[data-item=GA-CSDJ]")
    await form.get_by_label("新生儿姓名").fill("张小宝")
    await form.get_by_label("出生日期").fill("2026-11-20")
    await form.get_by_label("与户主关系").select_option("孙子")
    await form.get_by_label("监护人手机号").fill("13800002222")
    await page.locator("#item-delivery").get_by_label("代办员送达").check()

    # Nothing uploaded, nothing ticked, and the e-licence library has none of them either:
    # every missing material is named at once, and nothing is filed.
    elicense.types = set()
    await page.get_by_role("button", name="提交申请").click()
    error = page.locator("#file-error")
    for name in ("出生医学证明", "父或母居民户口簿", "父母双方居民身份证"):
        await expect(error).to_contain_text(name)
    await expect(page.locator("#item-materials .field-error")).to_have_count(3)
    await expect(page.locator("#item-form").get_by_label("新生儿姓名")).to_have_value("张小宝")
    assert await Case.count().run() == 0

    elicense.reset()
    birth = page.locator("[data-material=出生医学证明]")
    await birth.get_by_label(re.compile("已收取纸质原件")).check()
    await _shot(page, artifacts_dir, "agent-file-case.png")
    await page.get_by_role("button", name="提交申请").click()

    await expect(page).to_have_url(re.compile(r"/portal/agent/cases/XS\d+\?done=filed$"))
    await expect(page.locator("#done")).to_have_text("已代为提交申请。")
    await expect(page.locator("#case-status")).to_have_text(re.compile("已提交|待受理"))
    await expect(page.locator("#needs")).to_contain_text("送交纸质原件：出生医学证明")
    await expect(page.locator("#timeline .tl-action").first).to_have_text("提交申请")
    await expect(page.locator("#timeline")).to_contain_text("代办员")
    await _shot(page, artifacts_dir, "agent-case.png")
    return (await page.locator("#case-number").inner_text()).strip()


async def _send_originals(page: Page, artifacts_dir: Path, number: str) -> str:
    await page.goto("/portal/")
    errand = page.locator(f'#errands .line[data-number="{number}"]')
    await expect(errand).to_contain_text("张阿大 · 出生登记")
    await expect(errand.locator(".need")).to_have_text("送交纸质原件：出生医学证明")
    await _shot(page, artifacts_dir, "agent-home.png")

    await page.get_by_role("link", name=re.compile("材料交接")).first.click()
    pick = page.locator("#handover-new").get_by_role("checkbox")
    await expect(pick).to_have_count(1)
    await expect(pick).to_be_checked()
    await page.get_by_role("button", name="生成交接批次").click()

    await expect(page).to_have_url(re.compile(r"/portal/agent/handovers/[0-9a-f-]+$"))
    await expect(page.locator("#batch-qr svg")).to_be_visible()
    code = (await page.locator("#batch-code").inner_text()).strip()
    await expect(page.locator("#batch-qr figcaption")).to_have_text(code)
    row = page.locator(f'.manifest-lines tr[data-number="{number}"]')
    await expect(row).to_contain_text("张阿大")
    await expect(row).to_contain_text(ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:])
    await expect(row).to_contain_text("出生医学证明")
    await expect(page.locator(".signatures")).to_contain_text("接收人（签字）")
    await expect(page.locator("#receive-form")).to_have_count(0)  # the township receives it
    await _shot(page, artifacts_dir, "agent-handover-manifest.png")
    await page.emulate_media(media="print")
    await expect(page.locator(".topbar")).to_be_hidden()
    await expect(page.locator("#manifest")).to_be_visible()
    await page.emulate_media(media="screen")
    return code


async def test_an_agent_files_for_a_villager_and_the_township_receives_the_original(
    page: Page, small_catalogue: Path, elicense, wechat, artifacts_dir: Path, tmp_path: Path
) -> None:
    agent = await make_staff(
        role="agent", area_code=VILLAGE, username="agent-qunwei", display_name="陈代办"
    )
    clerk = await make_staff(
        role="window", area_code=TOWNSHIP, username="desk-handover", display_name="王晓燕"
    )
    await log_in(page, agent.username)
    await expect(page.locator("#errands")).to_have_count(0)
    await expect(page.get_by_text("暂时没有进行中的代办事项。")).to_be_visible()

    await _register(page, artifacts_dir)
    await _mandate(page, artifacts_dir, tmp_path)
    number = await _file(page, artifacts_dir, elicense)
    code = await _send_originals(page, artifacts_dir, number)
    await log_out(page)

    await log_in(page, clerk.username)
    await page.get_by_role("link", name=re.compile("接收交接")).click()
    batch = page.locator(f'#batches .line[data-code="{code}"]')
    await expect(batch).to_contain_text("纸质原件送镇街")
    await expect(batch).to_contain_text("陈代办")
    await batch.get_by_role("link").click()
    await expect(page.locator("#batch-status")).to_contain_text("待接收")
    line = page.locator(f'.receive-line[data-number="{number}"]')
    await line.get_by_label("缺少：出生医学证明").check()
    await _shot(page, artifacts_dir, "window-handover-receive.png")
    await page.get_by_role("button", name="确认接收").click()

    await expect(page.locator("#done")).to_contain_text("已确认接收")
    await expect(page.locator("#batch-status")).to_contain_text("已接收")
    await expect(
        page.locator(f'.manifest-lines tr[data-number="{number}"] .missing')
    ).to_be_visible()
    await expect(page.locator("#receive-form")).to_have_count(0)
    assert (await Handover.select(Handover.status).first().run())["status"] == "received"

    # The channel is said once: 代办员代办 (who), not again as the channel.
    await forward(number)  # into the township's queue (the worker's job)
    await page.goto("/portal/window/queue")
    meta = page.locator(f'.line[data-number="{number}"] td[data-label="来源"]')
    await expect(meta).to_contain_text("代办员代办（陈代办）")
    assert (await meta.inner_text()).count("代办员代办") == 1
    await page.goto(f"/portal/window/cases/{number}")
    facts = page.locator("#case-facts")
    await expect(facts).to_contain_text("代办员代办（陈代办）")
    await expect(facts).not_to_contain_text("渠道")
    # Only the agent's steps were done for the applicant; the clerk's receipt was not.
    steps = page.locator("#timeline li")
    await expect(steps.filter(has_text="提交申请").locator(".tl-actor")).to_have_text(
        "代办员 陈代办（代申请人办理）"
    )
    await expect(steps.filter(has_text="材料交接：接收").locator(".tl-actor")).to_have_text(
        "窗口人员 王晓燕"
    )
    await log_out(page)

    await log_in(page, agent.username)
    errand = page.locator(f'#errands .line[data-number="{number}"]')
    await expect(errand.locator(".need")).to_have_text("补送镇街登记缺失的原件：出生医学证明")
    await page.goto(f"/portal/agent/cases/{number}")
    await expect(page.locator("#timeline")).to_contain_text("缺少：出生医学证明")


async def test_other_roles_and_strangers_get_nothing_of_the_agents_pages(
    page: Page, small_catalogue: Path, expected_404s: list[str]
) -> None:
    clerk = await make_staff(role="window", area_code=TOWNSHIP, username="desk-curious")
    await log_in(page, clerk.username)
    response = await page.goto("/portal/agent/villagers")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("alert")).to_contain_text("代办员")

    stranger = await make_staff(role="agent", area_code="330109110002", username="agent-zhaofeng")
    await log_out(page)
    await log_in(page, stranger.username)
    expected_404s.append("/portal/agent/cases/XS20261126000123")
    response = await page.goto("/portal/agent/cases/XS20261126000123")
    assert response is not None and response.status == 404
    await expect(page.locator("#not-found")).to_be_visible()


async def test_a_result_goes_back_through_the_agent_to_the_citizen(
    page: Page, api, small_catalogue: Path, elicense, wechat, tmp_path: Path
) -> None:
    me = await delegation_support.agent(api, username="agent-results")
    person = await delegation_support.villager(me)
    mandate = await delegation_support.paper_mandate(me, person["id"])
    number = (await delegation_support.filed(me, mandate["id"]))["number"]
    await forward(number)
    desk = await api_clerk(api, username="desk-results")
    await desk.post("/api/v1/window/queue/claim")
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer", {"department_code": "GA"})
    approver = await staff(api, role="approver", username="approver-results", department_code="GA")
    await ok(approver, number, "approve", prefix="review")
    await ok(desk, number, "result", {"note": "户口簿已打印"})

    await log_in(page, "desk-results")
    await page.goto(f"/portal/window/cases/{number}")
    await expect(page.locator("#act-deliver").get_by_label("代办员送达")).to_have_count(0)
    await page.locator("#act-through-agent").get_by_role("link", name="出件交代办员").click()
    group = page.locator("form[data-agent=陈代办]")
    await expect(group).to_contain_text(number)
    await group.get_by_role("button", name="生成交接批次").click()
    await expect(page.locator("#batch-qr svg")).to_be_visible()
    await expect(page.locator("#manifest")).to_contain_text("出件交代办员")
    await expect(page.locator("#receive-form")).to_have_count(0)  # the agent confirms it
    await log_out(page)

    await log_in(page, "agent-results")
    errand = page.locator(f'#errands .line[data-number="{number}"]')
    await expect(errand.locator(".need")).to_have_text("到镇街领取出件")
    await page.get_by_role("link", name=re.compile("材料交接")).first.click()
    await page.locator("#batches .line").first.get_by_role("link").click()
    await page.get_by_role("button", name="确认接收").click()
    await expect(page.locator("#done")).to_have_text("已确认接收。")

    await page.goto(f"/portal/agent/cases/{number}")
    await expect(page.locator("#needs")).to_contain_text("将出件交到申请人手中")
    hand_over = page.locator("#act-hand-over")
    await hand_over.get_by_role("button", name="已交给群众").click()
    await expect(page.locator("#action-error")).to_contain_text("照片")  # no photo, no delivery
    await (
        page.locator("#act-hand-over")
        .get_by_label(re.compile("交付照片"))
        .set_input_files(_picture(tmp_path, "交付.jpg", "JPEG", (220, 200, 180)))
    )
    await page.locator("#act-hand-over").get_by_role("button", name="已交给群众").click()
    await expect(page.locator("#done")).to_have_text("已登记交付群众，办件已送达。")
    await expect(page.locator("#case-status")).to_have_text("已送达")
    await expect(page.locator("#act-hand-over")).to_have_count(0)
