"""The administrator's 办事点 pages: the list with its filters, creating a bank outlet with its
place picked on the map (drawn with nothing from the internet), a refused form that names each
wrong field and keeps the values, the 政银通 outlets and the coverage by kind; every other role
gets the 403 page on every address. Screenshots at 1440 and 390 wide in test-artifacts/admin/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Page, Route, expect

from backend.audit.tables import AuditEvent
from backend.geo import points
from tests.browser import conftest as browser_fixtures
from tests.browser.support import log_in
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.browser

# The browser tests' fixtures (tests/browser/conftest.py), for the pages of this desk.
artifacts_dir = browser_fixtures.artifacts_dir
live_server = browser_fixtures.live_server
browser = browser_fixtures.browser
expected_404s = browser_fixtures.expected_404s
page = browser_fixtures.page

YINONG = "330109110"
GUALI = "330109105"
WIDTHS = (1440, 390)
ADDRESSES = (
    ("GET", "/portal/admin/points"),
    ("GET", "/portal/admin/points/new"),
    ("POST", "/portal/admin/points/new"),
    ("GET", "/portal/admin/points/HALL-330109110/edit"),
    ("POST", "/portal/admin/points/HALL-330109110/edit"),
    ("GET", "/portal/admin/points/outlets"),
    ("GET", "/portal/admin/points/coverage"),
)
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _offline(page: Page, live_server: str) -> list[str]:
    """Refuse every request that leaves the test server; the list of what was tried."""
    outside: list[str] = []
    ours = urlsplit(live_server).netloc

    async def guard(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", guard)
    return outside


async def _shots(page: Page, folder: Path, name: str) -> None:
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
        await page.wait_for_timeout(250)  # the map redraws on resize
        await page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})


async def test_an_admin_adds_a_bank_outlet_picked_on_the_map(
    page: Page, small_catalogue: Path, artifacts_dir: Path, live_server: str
) -> None:
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    outside = await _offline(page, live_server)
    await make_staff(role="admin", username="admin-points", display_name="周管理")
    await log_in(page, "admin-points")

    await page.locator("a.task[href='/portal/admin/points/coverage']").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("办事点覆盖情况")
    await expect(page.locator("#meeting")).to_have_text("2 个镇街中 0 个达标")
    await page.goto("/portal/")
    await page.locator("a.task[href='/portal/admin/points']").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("办事点")
    await expect(page.locator("#points .line")).to_have_count(5)
    await page.locator("select[name=kind]").select_option("village_station")
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#points .line")).to_have_count(2)
    await page.goto("/portal/admin/points")
    await _shots(page, folder, "points-list")

    await page.get_by_role("link", name="新增办事点").click()
    await expect(page.locator("#point-map")).to_have_attribute("data-map", "drawn")
    await expect(page.locator("#point-map canvas")).to_have_count(1)
    await page.locator("select[name=kind]").select_option("bank_outlet")
    await page.get_by_label("名称", exact=True).fill("萧山农商银行益农支行政银通")
    await page.locator("#f-area_code").select_option(YINONG)
    await expect(page.locator("#f-lat")).to_have_value("30.22")  # the township's centre, to start
    await page.locator("#f-lat").fill("")
    await page.locator("#f-lng").fill("")
    box = await page.locator("#point-map").bounding_box()
    assert box is not None
    await page.locator("#point-map").click(
        position={"x": box["width"] * 0.8, "y": box["height"] * 0.45}
    )
    lat = float(await page.locator("#f-lat").input_value())
    lng = float(await page.locator("#f-lng").input_value())
    assert 29.8 < lat < 30.4 and 120.1 < lng < 120.7, (lat, lng)
    await page.get_by_label("地址").fill("益农镇农商银行营业部")
    await page.get_by_label("开放时间", exact=True).fill(
        "周一至周五 08:30-17:00；周六至周日 09:00-16:00"
    )
    await page.get_by_label("节假日开放时间").fill("09:00-12:00")
    await page.get_by_label("社会保障卡申领").check()
    await _shots(page, folder, "points-form")
    await page.get_by_role("button", name="新增办事点").click()

    await expect(page.get_by_role("status")).to_contain_text("已新增办事点")
    await expect(page.get_by_label("节假日开放时间")).to_have_value("09:00-12:00")
    await expect(page.get_by_label("开放时间", exact=True)).to_have_value(
        "周一至周五 08:30-17:00；周六至周日 09:00-16:00"
    )
    await expect(page.get_by_label("社会保障卡申领")).to_be_checked()
    code = (await page.locator("#point-code").inner_text()).removeprefix("编码 ").strip()
    snap = await points.snapshot()
    assert snap.points[code].kind == "bank_outlet"
    audit = await AuditEvent.select().where(AuditEvent.subject_id == code).run()
    assert [a["action"] for a in audit] == ["service_point_create"]

    await page.get_by_role("link", name="政银通网点").click()
    await expect(page.locator(f"#outlets li[data-township='{YINONG}']")).to_contain_text(
        "萧山农商银行益农支行政银通"
    )
    await expect(page.locator(f"#outlets li[data-township='{GUALI}']")).to_contain_text("没有网点")
    await expect(page.locator("#outlets-missing")).to_have_text("1 个镇街还没有")
    await _shots(page, folder, "points-outlets")
    await page.get_by_role("link", name="覆盖情况").click()
    await expect(page.locator("#meeting")).to_have_text("2 个镇街中 1 个达标")
    row = page.locator(f"#coverage tr[data-township='{YINONG}']")
    await expect(row.locator("td[data-kind='bank_outlet']")).to_have_text("1")
    await expect(row).to_contain_text("达标")
    await _shots(page, folder, "points-coverage")
    assert outside == []


async def test_a_wrong_form_names_each_field_keeps_the_values_and_changes_nothing(
    page: Page, small_catalogue: Path, artifacts_dir: Path
) -> None:
    await make_staff(role="admin", username="admin-points")
    await log_in(page, "admin-points")
    await page.goto("/portal/admin/points/HALL-330109105/edit")
    await expect(page.get_by_label("名称", exact=True)).to_have_value("瓜沥镇便民服务中心")
    await page.get_by_label("名称", exact=True).fill("")
    await page.locator("#f-lat").fill("35.5")
    await page.get_by_label("开放时间", exact=True).fill("周一至周八 08:30-17:00")
    await page.get_by_label("地址").fill("瓜沥镇新地址")
    await page.get_by_role("button", name="保存").click()

    error = page.locator("#point-error")
    await expect(error).to_contain_text("名称")
    await expect(error).to_contain_text("纬度")
    await expect(error).to_contain_text("开放时间")
    await expect(page.locator(".field-error")).to_have_count(3)
    await expect(page.get_by_text("请填写办事点名称。")).to_be_visible()
    await expect(page.get_by_text("不在本区范围内", exact=False)).to_be_visible()
    await expect(page.get_by_label("地址")).to_have_value("瓜沥镇新地址")
    await expect(page.locator("#f-lat")).to_have_value("35.5")
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    await _shots(page, folder, "points-form-error")
    snap = await points.snapshot()
    assert snap.points["HALL-330109105"].name == "瓜沥镇便民服务中心"
    assert await AuditEvent.count().run() == 0


async def _signed_in(base_url: str, username: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base_url, timeout=30.0, follow_redirects=False)
    token = CSRF_INPUT.search((await client.get("/portal/login")).text)
    assert token
    signed = await client.post(
        "/portal/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "_csrf_token": token.group(1)},
    )
    assert signed.status_code == 303, signed.text[:300]
    fresh = CSRF_INPUT.search((await client.get("/portal/notices")).text)
    assert fresh
    return client, fresh.group(1)


async def test_other_roles_get_the_refusal_on_every_address(
    small_catalogue: Path, live_server: str
) -> None:
    for role in ("agent", "window", "approver", "supervisor"):
        await make_staff(role=role, username=f"{role}-pts")
    await make_staff(role="admin", username="admin-pts")
    form = {"kind": "bank_outlet", "name": "不该保存", "area_code": YINONG}
    form |= {"lat": "30.2", "lng": "120.6", "hours": "", "holiday_hours": ""}
    for username in ("agent-pts", "window-pts", "approver-pts", "supervisor-pts"):
        client, token = await _signed_in(live_server, username)
        for method, path in ADDRESSES:
            if method == "GET":
                answer = await client.get(path)
            else:
                answer = await client.post(
                    path, data={**form, "_csrf_token": token}, headers={"x-csrftoken": token}
                )
            assert answer.status_code == 403, (username, method, path, answer.status_code)
            assert "管理员" in answer.text
        await client.aclose()
    async with httpx.AsyncClient(base_url=live_server, follow_redirects=False) as anonymous:
        answer = await anonymous.get("/portal/admin/points")
        assert answer.status_code in (302, 303)
    client, token = await _signed_in(live_server, "admin-pts")
    for method, path in ADDRESSES:
        if method == "GET":
            assert (await client.get(path)).status_code == 200, path
    missing = await client.get("/portal/admin/points/NO-SUCH/edit")
    assert missing.status_code == 404
    refused = await client.get("/portal/admin/points", params={"kind": "bank"})
    assert refused.status_code == 422
    assert "办事点类型须为" in refused.text
    await client.aclose()
    assert await AuditEvent.count().run() == 0
    assert (
        json.dumps([p.name for p in (await points.snapshot()).points.values()]).count("不该保存")
        == 0
    )


async def test_the_demo_district_on_the_map_and_in_the_coverage(
    page: Page, artifacts_dir: Path, live_server: str
) -> None:
    """The whole demo district (27 townships, 301 villages): the map picker draws every township
    with nothing from the internet; streets have no bank outlet, so they miss the target."""
    from backend.demo import load_demo

    await load_demo(password="demo-password-1")
    folder = artifacts_dir / "admin"
    folder.mkdir(exist_ok=True)
    outside = await _offline(page, live_server)
    await make_staff(role="admin", username="admin-demo-points")
    await log_in(page, "admin-demo-points")
    await page.goto("/portal/admin/points/new?kind=bank_outlet&area_code=330109001")
    await expect(page.locator("#point-map")).to_have_attribute("data-map", "drawn")
    data = json.loads(await page.locator("#points-map-data").inner_text())
    assert len(data["townships"]) == 27 and len(data["villages"]) > 250
    await page.locator("#point-map").scroll_into_view_if_needed()
    await page.locator("#point-map").click(position={"x": 120, "y": 120})
    assert await page.locator("#f-lat").input_value() != ""
    await _shots(page, folder, "points-map-demo")
    # The chosen township (城厢街道) is centred and zoomed on; the buttons zoom further.
    await expect(page.locator("#point-map")).to_have_attribute("data-zoom", "4.00")
    await page.locator("#map-zoom-in").click()
    await expect(page.locator("#point-map")).to_have_attribute("data-zoom", "8.00")
    await page.locator("#map-whole").click()
    await expect(page.locator("#point-map")).to_have_attribute("data-zoom", "1.00")
    await page.locator("#point-map").screenshot(path=folder / "points-map-whole-390.png")
    await page.locator("#f-area_code").select_option("330109002")  # 北干街道, in the cluster
    await expect(page.locator("#point-map")).to_have_attribute("data-zoom", "4.00")
    await page.locator("#point-map").scroll_into_view_if_needed()
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
        await page.wait_for_timeout(250)
        await page.locator("#point-map").screenshot(
            path=folder / f"points-map-township-{width}.png"
        )
    await page.locator("#map-zoom-in").click()
    await expect(page.locator("#point-map")).to_have_attribute("data-zoom", "8.00")
    await page.locator("#point-map").screenshot(path=folder / "points-map-village-labels-390.png")
    await page.goto("/portal/admin/points/coverage")
    await expect(page.locator("#coverage tbody tr")).to_have_count(27)
    street = page.locator("#coverage tr[data-township='330109001']")  # 城厢街道
    await expect(street).to_contain_text("未达标")
    await _shots(page, folder, "points-coverage-demo")
    await expect(page.locator("#coverage-hint")).to_be_visible()  # 390 wide: it scrolls
    await page.locator(".table-scroll").evaluate("node => { node.scrollLeft = 400; }")
    await page.screenshot(path=folder / "points-coverage-demo-390-scrolled.png")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await expect(page.locator("#coverage-hint")).to_be_hidden()
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/portal/admin/points/outlets")
    await _shots(page, folder, "points-outlets-demo")
    assert outside == []


async def test_the_form_refuses_hidden_characters_bad_phones_and_names_every_missing_field(
    small_catalogue: Path, live_server: str
) -> None:
    await make_staff(role="admin", username="admin-pts-checks")
    client, token = await _signed_in(live_server, "admin-pts-checks")
    good = {"kind": "bank_outlet", "name": "益农政银通", "area_code": YINONG, "phone": ""}
    good |= {"address": "益农镇营业部", "lat": "30.2", "lng": "120.6"}
    good |= {"hours": "周一至周五 08:30-17:00", "holiday_hours": "", "_csrf_token": token}

    async def post(**changes: str) -> httpx.Response:
        return await client.post("/portal/admin/points/new", data={**good, **changes})

    empty = await post(name="", address="", hours="")
    assert empty.status_code == 422
    for label in ("名称", "地址", "开放时间"):
        assert label in re.search(r'id="point-error">([^<]*)<', empty.text).group(1)  # type: ignore[union-attr]
    errors = re.findall(r'<span class="field-error" role="alert">([^<]*)</span>', empty.text)
    assert errors == [
        "请填写办事点名称。",
        "请填写地址，群众按地址找到办事点。",
        "请填写开放时间，不填的话群众查附近办事点时会一直显示为不开放；全天开放写“全天”。",
    ]
    assert '联系电话 <span class="req">选填</span>' in empty.text

    for field, value, label in (
        ("name", "益农政银通\u202e", "名称"),
        ("name", "益农政银通\x07", "名称"),
        ("address", "地址\x1b[0m", "地址"),
        ("hours", "周一至周五 08:30-17:00\u200b", "开放时间"),
    ):
        refused = await post(**{field: value})
        assert refused.status_code == 422, (field, value)
        assert f"“{label}”含有不能使用的字符。" in refused.text
    for phone in ("abc", "=cmd|' /C calc'!A0"):
        refused = await post(phone=phone)
        assert refused.status_code == 422, phone
        assert "联系电话" in re.search(r'id="point-error">([^<]*)<', refused.text).group(1)  # type: ignore[union-attr]
        assert "0571-8234 5678 转 801" in refused.text
    assert await AuditEvent.count().run() == 0
    assert not any(p.kind == "bank_outlet" for p in (await points.snapshot()).points.values())

    saved = await post(phone="0571-8234 5678 转 801")
    assert saved.status_code == 303
    await client.aclose()
