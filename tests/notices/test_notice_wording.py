"""The notices' wording as a new reader found it: a 即办件 is finished on the spot, a reason's own
full stop is not doubled nor 经审查 put before 经核查, a 补正 names each material in full and how
to hand it in, a receipt says what was recorded at delivery, no wide gap before the case number,
the PDF's download name, and the verification page's words. Read back from the PDF with pdfium;
each page saved as PNG for a person to look at."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from datetime import date
from urllib.parse import unquote

import pypdfium2 as pdfium
import pytest

from backend.notices import present, render, texts
from backend.notices.service import Verified
from tests.notices.test_render import FACTS, NOTICE
from tests.support import screenshots

pytestmark = pytest.mark.unit

SHOTS = screenshots("noticeword")


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


def _document(
    kind: str, item_kind: str = "licensing", *, pages: int = 1, **changes: object
) -> pdfium.PdfDocument:
    notice = replace(NOTICE, kind=kind, item_kind=item_kind, **changes.pop("notice", {}))  # type: ignore[arg-type]
    facts = replace(FACTS, notice=notice, **changes)
    pdf = render.pdf(render.notice_html(facts, verify_url="http://127.0.0.1:8000/verify/abc"))
    document = pdfium.PdfDocument(pdf)
    assert len(document) == pages, f"{kind}: {len(document)} pages"
    return document


def text_of(kind: str, item_kind: str = "licensing", *, shot: str = "", **changes: object) -> str:
    document = _document(kind, item_kind, **changes)
    page = document[0]
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.render(scale=2).to_pil().save(SHOTS / f"{shot}.png")
    return "".join(page.get_textpage().get_text_range().split())


# 1 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item_kind", ["licensing", "public_service"])
def test_a_same_day_item_is_finished_on_the_spot(item_kind):
    text = text_of(
        "acceptance",
        item_kind,
        shot=f"acceptance-0day-{item_kind}",
        committed_days=0,
        accepted_on=date(2026, 11, 10),
        deadline=date(2026, 11, 10),
    )
    assert "当场（当日）办结" in text
    assert "0个工作日" not in text and "前）" not in text and "届满" not in text


def test_an_acceptance_with_days_still_names_them_and_the_date():
    text = text_of("acceptance", shot="acceptance-5days")
    assert "本机关将在5个工作日内（2026年11月17日前）作出决定" in text
    assert "当场" not in text


# 2 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("申请人不在本辖区居住。", "申请人不在本辖区居住"),
        ("申请人不在本辖区居住。。 ", "申请人不在本辖区居住"),
        ("材料不全！", "材料不全"),
        ("材料不全;", "材料不全"),
        ("材料不全，", "材料不全"),
        ("not eligible.", "not eligible"),
        ("。", ""),
        ("", ""),
    ],
)
def test_a_reason_loses_its_own_end_punctuation(typed, plain):
    assert render.plain_reason(typed) == plain


@pytest.mark.parametrize(
    ("reason", "examined"),
    [
        ("经核查，申请人不在本辖区居住", True),
        ("经审查，材料不符", True),
        ("经查，户籍不在本区", True),
        ("经审核，不符合条件", True),
        ("经现场核查，房屋已拆除", True),
        ("申请人不在本辖区居住", False),
        ("经营范围不符合要求", False),
        ("经济困难证明缺失", False),
    ],
)
def test_a_reason_that_says_how_it_was_examined_is_not_prefixed(reason, examined):
    assert render.says_examined(reason) is examined


def test_a_rejection_neither_doubles_the_full_stop_nor_the_examination():
    text = text_of(
        "rejection", shot="rejection-typed-reason", reason="经核查，申请人不在本辖区居住。"
    )
    assert "经核查，申请人不在本辖区居住。根据" in text
    assert "。。" not in text and "经审查，经核查" not in text
    plain = text_of("rejection", "public_service", reason="申请人不在本辖区居住；")
    assert "经审查，申请人不在本辖区居住。本机关决定不予受理" in plain and "；。" not in plain


def test_a_denial_neither_doubles_the_full_stop_nor_the_examination():
    text = text_of("denial", shot="denial-typed-reason", reason="经审查，不符合登记条件。")
    assert "依法受理。经审查，不符合登记条件。根据" in text
    assert "。。" not in text and "经审查，经审查" not in text
    assert "经审查，申请人不符合法定条件。" in text_of("denial", reason="申请人不符合法定条件!")
    assert "经审查，申请不符合法定条件。" in text_of("denial", reason=" 。")  # nothing typed


def test_a_supplement_note_is_not_doubled_either():
    text = text_of("supplement", reason="户口簿照片不清晰。")
    assert "补正说明：户口簿照片不清晰。" in text and "。。" not in text


# 3 ------------------------------------------------------------------------------------------

FULL_NAMES = (
    "申请人有效居民身份证",
    "父或母居民户口簿（首页及本人页）",
    "出生医学证明",
    "近期免冠一寸彩色照片（现场采集）",
    "监护人委托书（非本人办理时提供）",
)


@pytest.mark.parametrize("after_acceptance", [False, True])
def test_a_supplement_names_each_material_in_full_and_how_to_hand_it_in(after_acceptance):
    text = text_of(
        "supplement",
        shot=f"supplement-full-names{'-in-review' if after_acceptance else ''}",
        missing=FULL_NAMES,
        township="城厢街道",
        reason="照片不清晰",
        after_acceptance=after_acceptance,
    )
    for i, name in enumerate(FULL_NAMES, start=1):
        assert f"{i}.{name}" in text
    assert (
        "请通过“就近办”小程序上传补正材料，或携带材料到城厢街道便民服务中心窗口提交，"
        "也可请村社代办员代办。"
    ) in text
    assert "请于" not in text  # the project sets no supplement deadline: none is invented


def test_a_supplement_without_a_known_township_names_the_applicants_own():
    text = text_of("supplement", township="")
    assert "携带材料到所在镇街便民服务中心窗口提交" in text


def test_a_long_list_runs_on_but_never_splits_the_signature_block():
    """Every material at once (一次告知) comes before one page: ten long names take two, the
    closing words, signature, seal and QR code whole on the second."""
    document = _document(
        "supplement", pages=2, missing=FULL_NAMES * 2, township="城厢街道", late_supplement=True
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    document[1].render(scale=2).to_pil().save(SHOTS / "supplement-ten-materials-page2.png")
    last = "".join(document[1].get_textpage().get_text_range().split())
    assert "特此通知。" in last  # the closing words with it: never a page of the seal alone
    assert "（印章）" in last and "扫码核验真伪" in last and "2026年11月10日" in last


# 4 ------------------------------------------------------------------------------------------


def test_a_mailed_result_names_its_waybill():
    text = text_of(
        "completion", shot="completion-mail", delivery="邮寄", tracking_no="SF1234567890"
    )
    assert "以邮寄方式送达（快递单号：SF1234567890）" in text
    assert "送达方式邮寄（快递单号：SF1234567890）" in text  # the receipt's line
    assert "邮寄送达方式" not in text and "领取人" not in text


def test_a_result_collected_at_the_window_names_the_checked_collector():
    text = text_of(
        "completion",
        shot="completion-window",
        delivery="窗口领取",
        collector="王秀英",
        collector_checked=True,
    )
    assert "以窗口领取方式送达，由王秀英领取（已核对身份证件）。" in text
    assert "窗口领取；领取人：王秀英（已核对身份证件）" in text and "快递单号" not in text


def test_a_collector_not_checked_is_not_said_to_be():
    text = text_of("completion", delivery="窗口领取", collector="王秀英", collector_checked=False)
    assert "由王秀英领取。" in text and "已核对身份证件" not in text


def test_every_delivery_word_reads_as_a_method():
    for word in texts.DELIVERY.values():
        assert not word.endswith("送达"), word  # 「以…方式送达」 would say 送达 twice


# 7 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item_name", ["出生登记", "城乡居民医保参保登记", "社会保障卡申领", "残疾"]
)
def test_no_wide_gap_before_the_case_number(item_name):
    """WeasyPrint justifies by widening spaces only; the one before the case number took a
    whole line's slack. However the line breaks, the gap stays a plain space."""
    document = _document("acceptance", notice={"item_name": item_name})
    page = document[0]
    textpage = page.get_textpage()
    raw = textpage.get_text_range()
    at = raw.index("XS20261102000001")
    before = raw.rindex("号", 0, at)
    left, _, right_of_hao, _ = textpage.get_charbox(before)
    x_left, _, _, _ = textpage.get_charbox(at)
    if x_left > left:  # on the same line
        assert x_left - right_of_hao < 8, (item_name, x_left - right_of_hao)  # 15pt type


# 6 ------------------------------------------------------------------------------------------


def test_the_download_name_is_the_notices_title_and_number():
    header = present.content_disposition(NOTICE)
    found = re.fullmatch(r'inline; filename="([ -~]+)"; filename\*=UTF-8\'\'([!-~]+)', header)
    assert found, header
    assert found.group(1) == "notice-acceptance-7.pdf"
    assert unquote(found.group(2)) == "行政许可受理通知书-萧公受字〔2026〕第12号.pdf"
    plain = replace(NOTICE, item_kind="public_service")
    assert present.file_name(plain) == "受理通知书-萧公受字〔2026〕第12号.pdf"


# 5 ------------------------------------------------------------------------------------------


def _csp_allows_the_style(html: str, csp: str) -> bool:
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    hashes = re.findall(r"'sha256-([^']+)'", csp)
    digests = {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in styles}
    return len(styles) == 1 and digests <= set(hashes)


def test_an_unknown_token_gets_the_projects_header_and_what_to_do():
    page = present.verify_html(None, status=404, message=texts.NOT_FOUND_BODY)
    html = page.content
    assert page.status_code == 404
    assert "<header>就近办 · 家门口办事</header>" in html and "<h1>文书核验</h1>" in html
    assert (
        "未查到该文书。如果您手中的文书带有此二维码，它可能不是本系统出具的，"
        "请向出具部门或镇街便民服务中心核实。"
    ) in html
    assert _csp_allows_the_style(html, page.headers["Content-Security-Policy"])


def test_a_valid_notice_asks_to_compare_the_paper():
    facts = Verified(
        kind="受理通知书",
        number="萧公受字〔2026〕第12号",
        department="萧山区公安分局",
        issued_on="2026年11月10日",
        item="出生登记",
        valid=True,
    )
    page = present.verify_html(facts, status=200, message="")
    assert "请核对纸面文书的文号、出具部门和日期与本页一致" in page.content
    assert "<header>就近办 · 家门口办事</header>" in page.content
    assert _csp_allows_the_style(page.content, page.headers["Content-Security-Policy"])
    void = present.verify_html(replace(facts, valid=False), status=200, message="")
    assert "已作废" in void.content and "请核对纸面文书" not in void.content
