"""The notices' wording through the running app: what the steps recorded reaches the PDF (a
即办件's acceptance, a typed reason, each material by its item's name and the township's window,
the waybill, the checked collector), the PDF's download name on the API and the portal, the
verification page's words, and a bundle item's card while the bundle's 补正 notices are issued."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pypdfium2 as pdfium
import pytest

from backend.notices.tables import Notice
from tests.notices.support import run_notice_jobs
from tests.notices.test_notice_pages import PDF_LINK, _portal
from tests.support import CitizenClient, citizen, screenshots
from tests.window.support import BIRTH, INSURANCE, at_window, clerk, ok, queued

pytestmark = pytest.mark.api

SHOTS = screenshots("noticeword")
FILENAME = re.compile(r'inline; filename="([ -~]+)"; filename\*=UTF-8\'\'([!-~]+)')


def _text(pdf: bytes, shot: str | None = None) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        if shot is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            document[0].render(scale=2).to_pil().save(SHOTS / f"{shot}.png")
        return "".join("".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


async def _notices(me: CitizenClient, number: str) -> list[dict[str, Any]]:
    await run_notice_jobs()
    listed: list[dict[str, Any]] = (await me.get(f"/api/v1/cases/{number}/notices")).json()
    return listed


async def _pdf_text(me: CitizenClient, notice: dict[str, Any], shot: str | None = None) -> str:
    answer = await me.get(notice["pdf_path"])
    assert answer.status_code == 200, answer.text
    return _text(answer.content, shot)


def _download_name(answer: httpx.Response) -> str:
    found = FILENAME.fullmatch(answer.headers["content-disposition"])
    assert found, answer.headers["content-disposition"]
    return unquote(found.group(2))


async def test_a_same_day_item_is_finished_on_the_spot_and_named_by_title_and_number(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nw-0day", name="王秀英")
    number = await queued(me, INSURANCE)  # 城乡居民医保参保登记: 承诺时限 0
    await ok(await clerk(api), number, "accept")
    [notice] = await _notices(me, number)
    answer = await me.get(notice["pdf_path"])
    text = _text(answer.content, shot="api-acceptance-0day")
    assert "当场（当日）办结" in text and "0个工作日" not in text
    assert _download_name(answer) == f"{notice['title']}-{notice['number']}.pdf"


async def test_a_supplement_names_the_items_materials_and_the_townships_window(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nw-sup", name="王秀英")
    number = await queued(me)  # 出生登记 (GA-CSDJ)
    body = {"missing": ["户口簿", "身份证"], "note": "户口簿照片不清晰。"}
    await ok(await clerk(api), number, "supplement", body)
    [notice] = await _notices(me, number)
    text = await _pdf_text(me, notice, shot="api-supplement")
    assert "1.父或母居民户口簿" in text and "2.父母双方居民身份证" in text
    assert "补正说明：户口簿照片不清晰。" in text and "。。" not in text
    assert "携带材料到益农镇便民服务中心窗口提交，也可请村社代办员代办。" in text


async def test_a_bundles_supplement_names_each_material_as_each_item_does(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nw-bundle-sup", name="王秀英")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    await ok(await clerk(api), number, "supplement", {"missing": ["户口簿", "照片"], "note": ""})
    texts = {n["item_name"]: await _pdf_text(me, n) for n in await _notices(me, number)}
    # Its own name for what the item asks for; the bundle's for a sibling's material.
    assert "1.父或母居民户口簿" in texts["出生登记"] and "2.近期免冠照片" in texts["出生登记"]
    assert "1.居民户口簿" in texts["城乡居民医保参保登记"]
    assert all("2.近期免冠照片" in t and "2.照片" not in t for t in texts.values())


async def test_a_rejections_typed_reason_reads_once(api, small_catalogue: Path, elicense, wechat):
    me = await citizen(api, "nw-reject", name="王秀英")
    number = await queued(me)
    await ok(await clerk(api), number, "reject", {"reason": "经核查，申请人不在本辖区居住。"})
    [notice] = await _notices(me, number)
    text = await _pdf_text(me, notice, shot="api-rejection")
    assert "经核查，申请人不在本辖区居住。" in text
    assert "。。" not in text and "经审查，经核查" not in text


async def _delivered(api: httpx.AsyncClient, login: str, how: dict[str, Any]) -> str:
    me = await citizen(api, login, name="王秀英")
    number = await queued(me, INSURANCE)
    desk = await clerk(api)
    await ok(desk, number, "finish")  # 即办: result ready at once
    body = at_window(me) if how.get("method") == "window" else how
    await ok(desk, number, "deliver", body)
    [*_, completion] = await _notices(me, number)
    assert completion["kind"] == "completion"
    return await _pdf_text(me, completion, shot=f"api-completion-{how['method']}")


async def test_a_mailed_result_names_its_waybill(api, small_catalogue: Path, elicense, wechat):
    text = await _delivered(
        api,
        "nw-mail",
        {"method": "mail", "tracking_no": "SF1234567890", "delivery_address": "益农镇利围村3组"},
    )
    assert "以邮寄方式送达（快递单号：SF1234567890）" in text
    assert "邮寄送达方式" not in text and "领取人" not in text


async def test_a_collected_result_names_the_checked_collector_and_no_id_number(
    api, small_catalogue: Path, elicense, wechat
):
    text = await _delivered(api, "nw-window", {"method": "window"})
    assert "以窗口领取方式送达，由王秀英领取（已核对身份证件）。" in text
    assert "领取人：王秀英（已核对身份证件）" in text
    assert not re.search(r"\d{17}[\dXx]", text) and "快递单号" not in text


async def test_the_portal_names_the_pdf_as_the_api_does(
    api, api_server: str, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nw-portal-name", name="王秀英")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    [notice] = await _notices(me, number)
    async with _portal(api_server, "window-a") as portal:
        shown = (await portal.get(f"/portal/window/cases/{number}")).text
        [link] = sorted(set(PDF_LINK.findall(shown)))
        answer = await portal.get(link)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert _download_name(answer) == f"{notice['title']}-{notice['number']}.pdf"
    assert _download_name(await me.get(notice["pdf_path"])) == _download_name(answer)


async def test_the_verification_page_says_what_to_do_and_nothing_personal(
    api, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nw-verify", name="王秀英")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    await run_notice_jobs()
    token = (await Notice.select(Notice.token).first().run())["token"]
    found = await api.get(f"/verify/{token}")
    assert found.status_code == 200
    assert "就近办" in found.text and "请核对纸面文书的文号、出具部门和日期与本页一致" in found.text
    unknown = await api.get("/verify/" + "q" * 32)
    assert unknown.status_code == 404
    assert "就近办" in unknown.text and "文书核验" in unknown.text
    assert "它可能不是本系统出具的，请向出具部门或镇街便民服务中心核实" in unknown.text
    for page in (found, unknown):
        assert "default-src 'none'" in page.headers["content-security-policy"]
        for private in ("王秀英", me.id_number, me.id_number[-4:], number):
            assert private not in page.text, private


async def test_a_bundle_items_card_waits_for_the_bundles_supplement_notices(
    api, api_server: str, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "nw-item-card", name="王秀英")
    photo = await me.upload("照片")
    number = await queued(
        me, {**BIRTH, "bundle_code": "CSYJS", "materials": [{"type": "照片", "upload_id": photo}]}
    )
    await ok(await clerk(api), number, "supplement", {"missing": ["户口簿"], "note": ""})
    item = f"{number}-01"
    async with _portal(api_server, "window-a") as portal:
        for case in (number, item):
            waiting = (await portal.get(f"/portal/window/cases/{case}")).text
            assert "文书生成中，请稍后刷新" in waiting, case
            assert not PDF_LINK.search(waiting)
        await run_notice_jobs()
        shown = (await portal.get(f"/portal/window/cases/{item}")).text
        assert "文书生成中" not in shown and "补正材料通知书" in shown
        assert len(set(PDF_LINK.findall(shown))) == 1
