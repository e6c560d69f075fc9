"""What a new clerk found on the window's pages: a bundle's 即办件 pointed to from the bundle's
page, each notice of a bundle named by its item, the two delivery forms (the address asked when
mailing a case that has none), one 即办件 mark in the timeline, the phone search's label."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.admin.settings_support import CSRF, portal
from tests.notices.support import run_notice_jobs
from tests.support import citizen
from tests.window.support import BIRTH, INSURANCE, clerk, ok, queued, row

pytestmark = pytest.mark.api

SPOT = "即办件：可在该事项页面当场办结"
ADDRESS = "杭州市萧山区益农镇利围村 3 组 12 号"


def _section(html: str, element_id: str) -> str:
    """The element with this id, up to the end of its section (enough for these checks)."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def _timeline(html: str) -> str:
    start = html.index('id="timeline"')
    return html[start : html.index("</ol>", start)]


async def _post(browser: httpx.AsyncClient, page: str, action: str, data: dict[str, str]):
    shown = await browser.get(page)
    token = CSRF.search(shown.text)
    assert token is not None
    return await browser.post(action, data={**data, "_csrf_token": token[1]})


async def test_the_bundle_page_points_to_its_same_day_items_once_accepted(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wcp-bundle", name="王秀英")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    browser = await portal(api, "wcp-clerk", role="window")
    page = f"/portal/window/cases/{number}"
    before = (await browser.get(page)).text
    assert SPOT not in before  # worked through the bundle until it is accepted

    desk = await clerk(api)
    await ok(desk, number, "accept")
    shown = (await browser.get(page)).text
    children = _section(shown, "children")
    assert children.count(SPOT) == 1  # YB-CBDJ (承诺时限 0), not 出生登记 nor 社保卡
    spot_link = re.search(rf'href="([^"]+)">{SPOT}</a>', children)
    assert spot_link is not None and spot_link[1] == f"{page}-02#act-finish"
    assert "即办件可先在该事项页面当场办结" in shown  # beside 转后台审批 of the whole bundle
    child_page = (await browser.get(f"{page}-02")).text
    assert 'id="act-finish"' in child_page

    # the notices of the bundle: each 受理通知书 named by its item
    await run_notice_jobs()
    card = _section((await browser.get(page)).text, "paper")
    items = re.findall(r'<span class="paper-item">([^<]+)</span>', card)
    assert {"出生登记", "城乡居民医保参保登记"} <= set(items), card

    await ok(desk, f"{number}-02", "finish")
    after = _section((await browser.get(page)).text, "children")
    assert SPOT not in after  # finished: nothing left to do there
    await browser.aclose()


async def test_a_same_day_finish_is_marked_once_in_the_timeline(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wcp-spot")
    number = await queued(me, INSURANCE)
    desk = await clerk(api)
    await ok(desk, number, "finish", {"note": "参保登记已当场办理"})
    browser = await portal(api, "wcp-spot-clerk", role="window")
    timeline = _timeline((await browser.get(f"/portal/window/cases/{number}")).text)
    assert timeline.count("即办件，窗口当场办结") == 1
    assert timeline.count("参保登记已当场办理") == 1
    steps = re.findall(r"<li>(.*?)</li>", timeline, re.S)
    accept = next(s for s in steps if '<span class="tl-action">受理</span>' in s)
    assert "即办件，窗口当场办结" in accept  # on the first of the three steps
    await browser.aclose()


async def test_mailing_a_case_without_an_address_asks_for_one(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "wcp-mail", name="王秀英")
    number = await queued(me, INSURANCE)  # filed for collection at the window: no address
    desk = await clerk(api)
    await ok(desk, number, "finish")
    browser = await portal(api, "wcp-mail-clerk", role="window")
    page = f"/portal/window/cases/{number}"
    shown = (await browser.get(page)).text
    window_form = shown[
        shown.index('id="act-deliver-window"') : shown.index('id="act-deliver-mail"')
    ]
    mail_form = shown[shown.index('id="act-deliver-mail"') :].split("</form>")[0]
    assert 'name="collector_name"' in window_form and 'name="tracking_no"' not in window_form
    assert (
        'name="collector_name"' not in mail_form and 'name="collector_id_number"' not in mail_form
    )
    assert 'name="tracking_no"' in mail_form and 'name="delivery_address"' in mail_form

    refused = await _post(
        browser, page, f"{page}/deliver", {"method": "mail", "tracking_no": "SF123"}
    )
    assert refused.status_code == 422
    assert "邮寄送达须填写收件地址" in refused.text
    case = await row(number)
    assert (case.status, case.delivery_method, case.delivery_address) == (
        "result_ready",
        "window",
        "",
    )

    done = await _post(
        browser,
        page,
        f"{page}/deliver",
        {"method": "mail", "tracking_no": "SF123", "delivery_address": ADDRESS},
    )
    assert done.status_code == 303
    shown = (await browser.get(done.headers["location"])).text
    assert (await row(number)).delivery_address == ADDRESS
    assert f"邮寄：{ADDRESS}" in _section(shown, "case-facts")
    assert f"寄往 {ADDRESS}" in _timeline(shown)
    await browser.aclose()


async def test_the_phone_search_says_whose_phone_it_finds(
    api, small_catalogue: Path, elicense, wechat
):
    browser = await portal(api, "wcp-search", role="window")
    for path in ("/portal/window/queue", "/portal/window/cases"):
        shown = (await browser.get(path)).text
        assert "申请人手机号" in shown
        assert "（申请人登记的手机号；申请表中填写的电话不能搜索）" in shown
        assert 'aria-describedby="search-phone-hint"' in shown
    await browser.aclose()
