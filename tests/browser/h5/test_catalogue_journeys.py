"""The citizen's catalogue journeys on the H5: search, an item, a bundle, the nearest places,
and an application with photos — as a citizen taps them, in normal and in 长辈模式."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.async_api import Locator, Page, Route, expect

from backend.fakes.elicense_server import FakeElicense
from tests.browser.h5.conftest import shot, sign_in
from tests.factories import make_id_number
from tests.window.support import BIRTH

pytestmark = pytest.mark.browser

QUNWEI = {"latitude": 30.226, "longitude": 120.622}  # 群围村, 益农镇
BAD_ID = "330109198001010010"  # a real birth date, a wrong check digit


async def elder_on(page: Page) -> None:
    """Turn 长辈模式 on with the home page's switch, as a citizen does."""
    await page.goto("/m/")
    await screen(page).get_by_role("switch").click()
    await page.wait_for_function("document.querySelector('.page.elder') !== null")


async def open_page(page: Page, path: str) -> None:
    await page.goto(f"/m/#/pages/{path}")
    await page.reload()  # a fresh page stack: only this page in the document


async def settled(page: Page) -> None:
    """Wait until Taro's slide from one page to the next has finished (one page on show)."""
    await page.wait_for_function(
        """[...document.querySelectorAll('.taro_page')]
            .filter(e => getComputedStyle(e).display !== 'none').length === 1"""
    )
    await page.wait_for_timeout(400)


def screen(page: Page) -> Locator:
    """The page on show (Taro's H5 keeps the pages under it in the document, hidden)."""
    return page.locator(".taro_page:visible")


def box(page: Page, label_id: str) -> Locator:
    """The text box labelled by the element ``label_id`` (Taro wraps each <input>)."""
    return screen(page).locator(f"[aria-labelledby='{label_id}'] input")


def photo(tmp_path: Path, name: str, colour: str) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    target = tmp_path / f"{name}.jpg"
    target.write_bytes(out.getvalue())
    return target


async def add_photo(page: Page, row_index: int, file: Path) -> None:
    """Tap 「拍照或从相册选」 on a material row and pick ``file`` (the H5's file input)."""
    async with page.expect_file_chooser() as chooser:
        await screen(page).get_by_role("button", name="拍照或从相册选").nth(row_index).click()
        sheet = screen(page).get_by_text("从相册选择")
        if await sheet.count():
            await sheet.click()
    await (await chooser.value).set_files(str(file))


async def test_search_by_chinese_and_by_pinyin_initials(h5: Page, small_catalogue: Path) -> None:
    await box(h5, "search-label").fill("出生")
    await h5.keyboard.press("Enter")
    await expect(screen(h5).get_by_text("出生登记", exact=True)).to_be_visible()
    await expect(screen(h5).get_by_text("出生一件事", exact=True)).to_be_visible()
    await expect(screen(h5).get_by_text("承诺 5 个工作日").first).to_be_visible()
    await expect(
        screen(h5).get_by_text("办理方式：手机上申请、镇街便民服务中心窗口、村社代办员代办").first
    ).to_be_visible()
    await shot(h5, "search-chinese")

    query = box(h5, "search-q-label")
    await query.fill("csdj")
    await screen(h5).get_by_role("button", name="搜索").click()
    await expect(screen(h5).get_by_text("出生登记", exact=True)).to_be_visible()
    await expect(screen(h5).get_by_text("事项 · 共 1 项")).to_be_visible()
    await shot(h5, "search-pinyin")

    await query.fill("没有这种事")
    await screen(h5).get_by_role("button", name="搜索").click()
    await expect(screen(h5).get_by_text("没有找到与“没有这种事”有关的事项。")).to_be_visible()
    await expect(screen(h5).get_by_text("拼音首字母", exact=False).last).to_be_visible()
    await shot(h5, "search-empty")

    await query.fill("")
    await screen(h5).get_by_role("button", name="搜索").click()
    await expect(screen(h5).get_by_text("事项 · 共 7 项")).to_be_visible()
    await screen(h5).get_by_text("出生登记", exact=True).click()
    await expect(screen(h5).get_by_text("一次性告知：要带的材料")).to_be_visible()


async def test_item_detail_says_what_to_bring_and_where(h5: Page, small_catalogue: Path) -> None:
    await open_page(h5, "item/index?code=GA-CSDJ")
    await expect(screen(h5).locator(".title")).to_have_text("出生登记")
    bring = screen(h5).locator(".materials-bring")
    await expect(bring).to_contain_text("请一次带齐以下 3 样材料")
    await expect(bring).to_contain_text("出生医学证明（原件）")
    await expect(bring).to_contain_text("父母双方居民身份证（复印件 1 份）")
    await expect(screen(h5).get_by_text("可免交（能查到电子证照时）").first).to_be_visible()
    await expect(screen(h5).get_by_text("5 个工作日")).to_be_visible()
    await expect(screen(h5).get_by_text("20 个工作日")).to_be_visible()
    await expect(screen(h5).get_by_role("button", name="在线申请")).to_be_visible()
    await expect(screen(h5).get_by_role("button", name="附近哪里能办")).to_be_visible()
    await shot(h5, "item")

    await open_page(h5, "item/index?code=YB-CBDJ")
    await expect(screen(h5).get_by_text("即办（当场办结）")).to_be_visible()

    await open_page(h5, "item/index?code=GA-SFZ-SL")
    await expect(screen(h5).locator(".title")).to_have_text("居民身份证申领")
    await expect(
        screen(h5).get_by_text("这个事项不能在手机上申请。请带齐材料到镇街便民服务中心窗口办理。")
    ).to_be_visible()
    await expect(screen(h5).get_by_role("button", name="在线申请")).to_have_count(0)
    await shot(h5, "item-window-only")


async def test_bundle_lists_its_items_and_what_the_phone_files(
    h5: Page, small_catalogue: Path, tmp_path: Path
) -> None:
    await open_page(h5, "bundle/index?code=CSYJS")
    await expect(screen(h5).locator(".title")).to_have_text("出生一件事")
    await expect(
        screen(h5).get_by_text("这件事可以在手机上一次申请，包含的 3 个事项一起提交。")
    ).to_be_visible()
    await expect(screen(h5).get_by_text("社会保障卡申领", exact=True)).to_be_visible()
    await expect(screen(h5).locator(".materials-bring")).to_contain_text("近期免冠照片")
    await shot(h5, "bundle")

    await import_mixed_bundle(tmp_path)
    await open_page(h5, "bundle/index?code=HHYJS")
    await expect(screen(h5).get_by_text("手机上可以先申请其中 1 项（出生登记）")).to_be_visible()
    await expect(screen(h5).get_by_text("另外 1 项（居民身份证申领）须另行办理")).to_be_visible()
    await expect(screen(h5).get_by_role("button", name="在线申请")).to_be_visible()
    await shot(h5, "bundle-partly-online")


async def import_mixed_bundle(folder: Path) -> None:
    """A bundle whose second item only a window files (the small catalogue has none)."""
    from backend.clock import today
    from backend.imports.service import import_batch, read_file

    sheet = folder / "bundles.csv"
    sheet.write_text(
        "code,name,item_codes,keywords\nHHYJS,户口一件事,GA-CSDJ、GA-SFZ-SL,户口\n",
        encoding="utf-8",
    )
    await import_batch(read_file(sheet), effective_from=today())


async def test_nearby_with_the_phones_location(h5: Page, small_catalogue: Path) -> None:
    await h5.context.grant_permissions(["geolocation"])
    await h5.context.set_geolocation(QUNWEI)
    await open_page(h5, "nearby/index?item=GA-CSDJ")
    card = screen(h5).locator(".card").filter(has_text="益农镇便民服务中心")
    await expect(card).to_contain_text("电动车约")
    await expect(card).to_contain_text("分钟")
    await expect(card).to_contain_text("公里")
    await expect(card.get_by_text("现在开门").or_(card.get_by_text("现在不开门"))).to_be_visible()
    await expect(screen(h5).get_by_text("按您现在的位置，电动车 30 分钟内")).to_be_visible()
    await shot(h5, "nearby")
    await screen(h5).get_by_role("radio", name="步行").click()
    await expect(screen(h5).get_by_role("radio", name="✓ 步行")).to_have_attribute(
        "aria-checked", "true"
    )
    await expect(card).to_contain_text("步行约")
    await shot(h5, "nearby-walk")


async def test_nearby_falls_back_to_the_village(h5: Page, small_catalogue: Path) -> None:
    await open_page(h5, "nearby/index?item=YB-CBDJ")
    await expect(screen(h5).get_by_text("没能取得您的位置")).to_be_visible()
    await shot(h5, "nearby-no-location")
    await screen(h5).get_by_role("button", name="益农镇").click()
    await screen(h5).get_by_role("button", name="群围村").click()
    await expect(screen(h5).get_by_text("从群围村出发，电动车 30 分钟内")).to_be_visible()
    await expect(screen(h5).locator(".nearby-name").first).to_have_text("群围村便民服务站")
    await shot(h5, "nearby-village")


async def test_apply_sends_an_unbound_citizen_to_bind_first(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await sign_in(h5, api, "apply-unbound", bind=False)
    await open_page(h5, "apply/index?item=GA-CSDJ")
    await expect(screen(h5).get_by_text("申请前要先做一次实名登记")).to_be_visible()
    await expect(screen(h5).get_by_role("button", name="去实名登记")).to_be_visible()


async def fill_birth_form(page: Page, guardian_id: str) -> None:
    form = BIRTH["form"]
    await box(page, "apply-label-baby_name").fill(form["baby_name"])
    await box(page, "apply-label-birth_date").fill(form["birth_date"])
    await screen(page).get_by_role("radio", name="子", exact=True).click()
    await box(page, "apply-label-guardian_phone").fill(form["guardian_phone"])
    await box(page, "apply-label-guardian_id").fill(guardian_id)
    await box(page, "apply-label-guardian_id").blur()


async def server_message_for_bad_id(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {**BIRTH, "item_code": "GA-CSDJ", "form": {**BIRTH["form"], "guardian_id": BAD_ID}}
    answer = await api.post("/api/v1/cases", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    return next(e["message"] for e in errors if e["field"] == "guardian_id")


async def test_apply_with_photos_files_one_case_despite_a_lost_answer(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path, elicense: FakeElicense, tmp_path: Path
) -> None:
    elicense.types = set()  # nothing shared: every material needs a photo
    who = await sign_in(h5, api, "apply-birth")
    await open_page(h5, "apply/index?item=GA-CSDJ")
    await expect(screen(h5).get_by_text("第 1 步，共 3 步：填写申请表")).to_be_visible()

    # The phone says what the server says about a bad ID number, before sending anything.
    await fill_birth_form(h5, BAD_ID)
    expected = await server_message_for_bad_id(api, who.headers)
    await expect(screen(h5).get_by_role("alert").filter(has_text=expected)).to_be_visible()
    assert expected == "“监护人身份证号”不是有效的身份证号码"
    await screen(h5).get_by_role("button", name="下一步：上传材料").click()
    await expect(screen(h5).get_by_text("申请表还有 1 处要改")).to_be_visible()
    await shot(h5, "apply-form-errors")
    await box(h5, "apply-label-guardian_id").fill(make_id_number(seq=7))
    await screen(h5).get_by_role("button", name="下一步：上传材料").click()

    # Without photos the server names every missing material, each next to its row.
    await expect(screen(h5).get_by_text("第 2 步，共 3 步：上传材料照片")).to_be_visible()
    await screen(h5).get_by_role("button", name="下一步", exact=True).click()
    await screen(h5).get_by_role("button", name="提交申请").click()
    for name in ("出生医学证明", "父或母居民户口簿", "父母双方居民身份证"):
        await expect(screen(h5).get_by_text(f"还缺“{name}”，请上传照片")).to_be_visible()
    await shot(h5, "apply-materials-missing")

    files = [photo(tmp_path, n, c) for n, c in (("cert", "white"), ("book", "red"), ("id", "blue"))]
    for index, file in enumerate(files):
        await add_photo(h5, index, file)
    await add_photo(h5, 0, photo(tmp_path, "extra", "green"))
    await expect(screen(h5).get_by_text("已上传")).to_have_count(4)
    await expect(screen(h5).locator(".apply-thumb")).to_have_count(4)
    await screen(h5).get_by_role("button", name="删除这张").first.click()
    await expect(screen(h5).get_by_text("已上传")).to_have_count(3)
    await expect(screen(h5).get_by_text("还缺“", exact=False)).to_have_count(0)
    await shot(h5, "apply-photos")
    await screen(h5).get_by_role("button", name="下一步", exact=True).click()

    # Two ways to get the result: the citizen picks one.
    await expect(screen(h5).get_by_text("第 3 步，共 3 步：拿结果方式和提交")).to_be_visible()
    await screen(h5).get_by_role("radio", name="村社代办员送达").click()
    await shot(h5, "apply-delivery")

    # The first answer is lost on the way back: the case was filed, the phone does not know.
    lost: list[str] = []

    async def lose_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            response = await route.fetch()
            lost.append(route.request.headers.get("idempotency-key", ""))
            assert response.status == 201
            await route.abort("connectionreset")
            return
        await route.continue_()

    await h5.route("**/api/v1/cases", lose_first_answer)
    await screen(h5).get_by_role("button", name="提交申请").click()
    await h5.wait_for_url("**/pages/case/index?number=XS*")
    number = h5.url.split("number=")[1]
    assert lost and lost[0]

    cases = (await api.get("/api/v1/cases", headers=who.headers)).json()
    assert cases["total"] == 1
    assert cases["items"][0]["number"] == number
    case = (await api.get(f"/api/v1/cases/{number}", headers=who.headers)).json()
    assert case["delivery_method"] == "agent"
    assert sorted(m["type"] for m in case["materials"]) == ["出生医学证明", "户口簿", "身份证"]


async def sizes(page: Page, selector: str) -> list[dict[str, float]]:
    return (
        await screen(page)
        .locator(selector)
        .evaluate_all(
            """els => els.map(e => { const r = e.getBoundingClientRect();
            return { font: parseFloat(getComputedStyle(e).fontSize), w: r.width, h: r.height } })"""
        )
    )


async def test_the_journey_in_elderly_mode(
    h5: Page, api: httpx.AsyncClient, small_catalogue: Path
) -> None:
    await sign_in(h5, api, "apply-elder")
    await elder_on(h5)
    await box(h5, "search-label").fill("csdj")
    await h5.keyboard.press("Enter")
    await expect(screen(h5).get_by_text("出生登记", exact=True)).to_be_visible()
    await settled(h5)
    await shot(h5, "elder-search")
    await screen(h5).get_by_text("出生登记", exact=True).click()
    await expect(screen(h5).get_by_role("button", name="在线申请")).to_be_visible()
    await settled(h5)
    await expect(screen(h5).get_by_text("法定时限", exact=True)).to_have_count(0)
    await shot(h5, "elder-item")
    title = (await sizes(h5, ".title"))[0]
    assert title["font"] >= 30
    for button in await sizes(h5, "[role=button]"):
        assert button["w"] >= 60 and button["h"] >= 60 and button["font"] >= 18
    await screen(h5).get_by_role("button", name="更多（法定时限、拿结果方式、办理方式）").click()
    await expect(screen(h5).get_by_text("法定时限", exact=True)).to_be_visible()

    await open_page(h5, "nearby/index?item=GA-CSDJ")
    await screen(h5).get_by_role("button", name="益农镇").click()
    await screen(h5).get_by_role("button", name="群围村").click()
    await expect(screen(h5).locator(".nearby-name").first).to_have_text("益农镇便民服务中心")
    await shot(h5, "elder-nearby")
    for text in await sizes(h5, ".nearby-line"):
        assert text["font"] >= 18

    await open_page(h5, "apply/index?item=GA-CSDJ")
    await expect(screen(h5).get_by_text("第 1 步，共 3 步：填写申请表")).to_be_visible()
    await fill_birth_form(h5, BAD_ID)
    await expect(screen(h5).get_by_text("“监护人身份证号”不是有效的身份证号码")).to_be_visible()
    await shot(h5, "elder-apply")
    for field in await sizes(h5, ".input, [role=radio]"):
        assert field["h"] >= 60 and field["font"] >= 18
