"""My cases in the citizens' H5, as a citizen does it, in normal and 长辈模式: the list says each
case in words (also one an agent filed for me), the case page shows the timeline, the deadline
and the working days left; a supplement request is answered with a photo, a case is withdrawn
before acceptance, a delivered case is rated, and a notice's PDF downloads."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.async_api import Locator, Page, expect

from tests.browser.h5.conftest import shot as keep_shot
from tests.browser.h5.conftest import sign_in
from tests.delegation import support as delegation
from tests.notices.support import run_notice_jobs
from tests.support import CitizenClient
from tests.window.support import (
    BIRTH,
    approver,
    at_window,
    clerk,
    forward,
    ok,
    queued,
    submitted,
)

pytestmark = pytest.mark.browser

MODES = [pytest.param(False, id="normal"), pytest.param(True, id="elder")]


def _png(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 160, 200)).save(buffer, format="PNG")
    path = tmp_path / "hukou.png"
    path.write_bytes(buffer.getvalue())
    return path


def _here(page: Page) -> Locator:
    """The page on screen (Taro's H5 keeps the pages below it in the document, hidden)."""
    return page.locator(".page:visible")


def _button(page: Page, name: str) -> Locator:
    """A button of the page on screen, by its words (Taro's H5 button is a custom element)."""
    return _here(page).locator("[role=button]").filter(has_text=re.compile(f"^{re.escape(name)}$"))


async def shot(page: Page, name: str) -> None:
    """A screenshot once the page on screen has finished sliding in (Taro's page animation)."""
    await page.wait_for_function(
        "() => { const s = [...document.querySelectorAll('.taro_page')]"
        ".filter(e => e.offsetParent !== null);"
        " return s.length > 0 && s.every(e => Math.abs(e.getBoundingClientRect().left) < 1) }"
    )
    # Taro's page scrolls inside itself: let it grow for the picture, so all of it is kept.
    grow = (
        "on => [...document.querySelectorAll('html, body, .taro_router, .taro_page')]"
        ".forEach(e => { e.style.height = on ? 'auto' : ''; e.style.overflow = on ? 'visible' : '' })"
    )
    await page.evaluate(grow, True)
    await keep_shot(page, name)
    await page.evaluate(grow, False)


SIZES = """() => {
    const root = [...document.querySelectorAll('.page')].find(e => e.offsetParent !== null)
    const texts = [...root.querySelectorAll('taro-text-core, [role=button]')]
        .filter(e => e.offsetParent !== null && e.textContent.trim())
    const buttons = [...root.querySelectorAll('[role=button], [role=link], [role=radio]')]
        .filter(e => e.offsetParent !== null)
    return {
        smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
        title: parseFloat(getComputedStyle(root.querySelector('.title')).fontSize),
        lowest: Math.min(...buttons.map(e => e.getBoundingClientRect().height)),
        narrowest: Math.min(...buttons.map(e => e.getBoundingClientRect().width)),
    }
}"""


async def _check_elder_sizes(page: Page) -> None:
    """长辈模式: text at least 18 px, the title at least 30 px, targets at least 60 × 60 px."""
    sizes = await page.evaluate(SIZES)
    assert sizes["smallest"] >= 18, sizes
    assert sizes["title"] >= 30, sizes
    assert sizes["lowest"] >= 60 and sizes["narrowest"] >= 60, sizes


def _mode(elder: bool) -> str:
    return "elder" if elder else "normal"


async def _start(page: Page, api: httpx.AsyncClient, openid: str, elder: bool) -> CitizenClient:
    me = await sign_in(page, api, openid)
    await _here(page).get_by_text("就近办 · 家门口办事").wait_for()
    if elder:
        await _here(page).get_by_role("switch").click()
        await page.wait_for_function("document.querySelector('.page.elder') !== null")
    return me


async def _open_list(page: Page) -> None:
    await _here(page).get_by_text("我的办件", exact=True).first.click()
    await expect(_here(page).locator(".cases-card").first).to_be_visible()


async def _open_case(page: Page, number: str) -> None:
    await page.goto(f"/m/#/pages/case/index?number={number}")
    await expect(_here(page).get_by_text("办理进度", exact=True)).to_be_visible()


async def _case(me: CitizenClient, number: str) -> dict[str, Any]:
    answer = await me.get(f"/api/v1/cases/{number}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


@pytest.mark.parametrize("elder", MODES)
async def test_the_list_and_the_case_say_state_deadline_and_days_left(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, elicense, wechat, elder: bool
) -> None:
    me = await _start(h5, api, f"cj-list-{_mode(elder)}", elder)
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    found = await _case(me, number)
    left = found["working_days_left"]

    await _open_list(h5)
    card = _here(h5).locator(".cases-card").first
    await expect(card).to_contain_text("出生登记")
    await expect(card).to_contain_text("已受理")
    await expect(card).to_contain_text(f"还剩 {left} 个工作日")
    await shot(h5, f"cases-list-{_mode(elder)}")
    if elder:
        await _check_elder_sizes(h5)
    if elder:
        size = await card.locator(".cases-name").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 18

    await card.click()
    await expect(_here(h5).get_by_text("办理进度", exact=True)).to_be_visible()
    await expect(_here(h5).get_by_text(f"还剩 {left} 个工作日")).to_be_visible()
    await expect(_here(h5).get_by_text(re.compile(r"办结期限：\d{4}年\d+月\d+日"))).to_be_visible()
    steps = _here(h5).locator(".case-step")
    await expect(steps.first).to_contain_text("最新：")
    await expect(steps.first).to_contain_text("此后状态：已受理")
    await expect(steps.last).to_contain_text("已提交申请")
    await expect(_here(h5).get_by_text("本人提交")).to_be_visible()
    await shot(h5, f"case-accepted-{_mode(elder)}")
    if elder:
        await _check_elder_sizes(h5)


@pytest.mark.parametrize("elder", MODES)
async def test_a_supplement_request_is_answered_with_a_photo(
    h5: Page,
    api: httpx.AsyncClient,
    small_catalogue: Path,
    elicense,
    wechat,
    tmp_path: Path,
    elder: bool,
) -> None:
    me = await _start(h5, api, f"cj-supp-{_mode(elder)}", elder)
    number = await queued(me)
    desk = await clerk(api)
    await ok(desk, number, "accept")
    await ok(
        desk, number, "supplement", {"missing": ["户口簿"], "note": "户口簿照片不清楚，请重拍首页"}
    )

    await _open_list(h5)
    await expect(_here(h5).locator(".cases-card").first).to_contain_text("需要您补正材料")
    await _here(h5).locator(".cases-card").first.click()
    await expect(_here(h5).get_by_text("窗口说明：户口簿照片不清楚，请重拍首页")).to_be_visible()
    await shot(h5, f"case-supplement-asked-{_mode(elder)}")
    if elder:
        await _check_elder_sizes(h5)

    # Sending without the photo says what is missing and sends nothing.
    await _button(h5, "提交补正材料").click()
    await expect(_here(h5).get_by_text("还差这些材料的照片：户口簿")).to_be_visible()

    async with h5.expect_file_chooser() as chooser:
        await _button(h5, "拍照或选照片：户口簿").click()
    await (await chooser.value).set_files(str(_png(tmp_path)))
    await expect(_here(h5).get_by_text("已上传 1 张")).to_be_visible()
    await shot(h5, f"case-supplement-photo-{_mode(elder)}")
    await _button(h5, "提交补正材料").click()
    await expect(_here(h5).get_by_text("补正材料已提交，窗口会继续办理。")).to_be_visible()
    await shot(h5, f"case-supplement-done-{_mode(elder)}")

    found = await _case(me, number)
    assert found["status"] == "accepted"
    assert found["supplement"] is None
    assert [s["action"] for s in found["timeline"]][-1] == "supply"


@pytest.mark.parametrize("elder", MODES)
async def test_a_case_is_withdrawn_before_acceptance(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, elicense, wechat, elder: bool
) -> None:
    me = await _start(h5, api, f"cj-withdraw-{_mode(elder)}", elder)
    number = await submitted(me)
    await _open_case(h5, number)
    await expect(_here(h5).get_by_text("受理后开始计算办理时限")).to_be_visible()
    await _button(h5, "撤回申请").click()
    await expect(_here(h5).get_by_text(re.compile("确定要撤回这件申请吗"))).to_be_visible()
    await shot(h5, f"case-withdraw-confirm-{_mode(elder)}")
    await _button(h5, "不撤回了").click()
    assert (await _case(me, number))["status"] == "submitted"

    await _button(h5, "撤回申请").click()
    await _button(h5, "确定撤回").click()
    await expect(_here(h5).get_by_text("申请已撤回。")).to_be_visible()
    await expect(_here(h5).locator(".tag").first).to_have_text("已撤回")
    await expect(_button(h5, "撤回申请")).to_have_count(0)
    await shot(h5, f"case-withdrawn-{_mode(elder)}")
    assert (await _case(me, number))["status"] == "withdrawn"


@pytest.mark.parametrize("elder", MODES)
async def test_a_delivered_case_is_rated_and_its_notice_downloads(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, elicense, wechat, elder: bool
) -> None:
    me = await _start(h5, api, f"cj-rate-{_mode(elder)}", elder)
    number = await queued(me)
    desk = await clerk(api)
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    await ok(await approver(api, "GA"), number, "approve", {"note": "符合条件"}, prefix="review")
    await ok(desk, number, "result", {"note": "户口已登记"})
    await ok(desk, number, "deliver", at_window(me))
    await run_notice_jobs()

    await _open_list(h5)
    await expect(_here(h5).locator(".cases-card").first).to_contain_text("已办结，请您评价")
    await _here(h5).locator(".cases-card").first.click()
    await expect(_here(h5).get_by_text("您对这次办事满意吗？")).to_be_visible()
    await expect(_here(h5).get_by_text("结果已送达（到窗口领取）。")).to_be_visible()
    await shot(h5, f"case-rate-{_mode(elder)}")
    if elder:
        await _check_elder_sizes(h5)

    await _here(h5).get_by_role("radio", name="非常满意", exact=True).click()
    await expect(_here(h5).get_by_role("radio", name="非常满意", exact=True)).to_have_attribute(
        "aria-checked", "true"
    )
    await _here(h5).get_by_role("textbox").fill("窗口办得很快")
    await _button(h5, "提交评价").click()
    await expect(_here(h5).get_by_text("谢谢您的评价！")).to_be_visible()
    await expect(_here(h5).get_by_text("您的评价：非常满意")).to_be_visible()
    await shot(h5, f"case-rated-{_mode(elder)}")
    assert (await _case(me, number))["evaluations"] == [5]

    button = _button(h5, "查看受理通知书（PDF）")
    async with (
        h5.expect_response(re.compile(r"/notices/\d+\.pdf$")) as pdf,
        h5.expect_download() as download,
    ):
        await button.click()
    answer = await pdf.value
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/pdf")
    assert (await download.value).suggested_filename.startswith("受理通知书-")
    await shot(h5, f"case-notices-{_mode(elder)}")


@pytest.mark.parametrize("elder", MODES)
async def test_a_case_an_agent_filed_for_me_shows_the_agent(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, elicense, wechat, elder: bool
) -> None:
    me = await _start(h5, api, f"cj-agent-{_mode(elder)}", elder)
    helper = await delegation.agent(api)
    mandate = await delegation.paper_mandate(helper, me.id)
    case = await delegation.filed(helper, mandate["id"])
    await forward(case["number"])

    await _open_list(h5)
    await expect(_here(h5).locator(".cases-card").first).to_contain_text("代办员 陈代办 代办")
    await shot(h5, f"cases-agent-{_mode(elder)}")
    await _here(h5).locator(".cases-card").first.click()
    await expect(_here(h5).get_by_text("代办员 陈代办 代办")).to_be_visible()
    await shot(h5, f"case-agent-{_mode(elder)}")


async def test_the_list_says_how_to_file_when_there_is_nothing(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await _start(h5, api, "cj-empty", False)
    await _here(h5).get_by_text("我的办件", exact=True).first.click()
    await expect(_here(h5).get_by_text("您还没有办件")).to_be_visible()
    await expect(_here(h5).get_by_text(re.compile("在首页点「查找办事事项」"))).to_be_visible()
    await shot(h5, "cases-empty")


@pytest.mark.parametrize("elder", MODES)
async def test_a_bundle_shows_its_items_and_each_opens(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, elicense, wechat, elder: bool
) -> None:
    me = await _start(h5, api, f"cj-bundle-{_mode(elder)}", elder)
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    await ok(await clerk(api), number, "accept")

    await _open_list(h5)
    await expect(_here(h5).locator(".cases-card").first).to_contain_text("出生一件事")
    await _here(h5).locator(".cases-card").first.click()
    await expect(_here(h5).get_by_text("这件事包含的事项")).to_be_visible()
    children = _here(h5).locator(".case-child")
    await expect(children).to_have_count(3)
    await expect(children.first).to_contain_text("出生登记")
    await expect(children.first).to_contain_text("已受理")
    await shot(h5, f"case-bundle-{_mode(elder)}")
    if elder:
        await _check_elder_sizes(h5)

    await children.first.click()
    await expect(_here(h5).locator(".title")).to_have_text("出生登记")
    await expect(_here(h5).get_by_text(re.compile(r"还剩 \d+ 个工作日"))).to_be_visible()
    await shot(h5, f"case-bundle-child-{_mode(elder)}")
