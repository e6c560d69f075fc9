"""Each notice rendered to PDF, read back with pdfium, and saved as PNG for a person to look at."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pytest

from backend.notices import render
from backend.notices.store import NoticeRow
from tests.support import screenshots

pytestmark = pytest.mark.unit

SHOTS = screenshots("notices")

NOTICE = NoticeRow(
    id=7,
    case=1,
    root_case=1,
    event=3,
    kind="acceptance",
    token="t" * 32,
    department="GA",
    department_name="萧山区公安分局",
    acting_for="由城厢街道便民服务中心一窗受理",
    year=2026,
    sequence=12,
    number="萧公受字〔2026〕第12号",
    item_code="GA-CSDJ",
    item_name="出生登记",
    item_kind="licensing",
    issued_at=datetime(2026, 11, 10, 2, tzinfo=UTC),
    valid=True,
)
FACTS = render.NoticeFacts(
    notice=NOTICE,
    case_number="XS20261102000001",
    applicant="王秀英",
    received_on=date(2026, 11, 2),
    issued_on=date(2026, 11, 10),
    accepted_on=date(2026, 11, 10),
    deadline=date(2026, 11, 17),
    committed_days=5,
    missing=("户口簿", "出生医学证明"),
    reason="申请人不符合法定条件",
    late_supplement=False,
    after_acceptance=False,
    delivery="窗口领取",
    reconsideration_organ="萧山区人民政府",
)


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


def text_of(kind: str, item_kind: str = "licensing", **changes: object) -> str:
    facts = replace(FACTS, notice=replace(NOTICE, kind=kind, item_kind=item_kind), **changes)
    pdf = render.pdf(render.notice_html(facts, verify_url="http://127.0.0.1:8000/verify/abc"))
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1, f"{kind}: {len(document)} pages"  # the QR code too on page one
    page = document[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "-late" if changes.get("late_supplement") else ""
    page.render(scale=2).to_pil().save(SHOTS / f"{kind}-{item_kind}{suffix}.png")
    return "".join(page.get_textpage().get_text_range().split())


@pytest.mark.parametrize("kind", ["acceptance", "rejection", "supplement", "denial", "completion"])
def test_every_notice_names_its_department_number_date_and_seal(kind):
    text = text_of(kind)
    assert "萧山区公安分局" in text and "由城厢街道便民服务中心一窗受理" in text
    assert "萧公受字〔2026〕第12号" in text
    assert "（印章）" in text and "2026年11月10日" in text and "扫码核验真伪" in text
    assert "王秀英" in text and "出生登记" in text


def test_wording_follows_the_item_kind():
    assert "行政许可受理通知书" in text_of("acceptance")
    assert "《中华人民共和国行政许可法》第三十二条" in text_of("acceptance")
    plain = text_of("acceptance", "public_service")
    assert "受理通知书" in plain and "行政许可" not in plain


def test_a_denial_gives_reasons_and_remedies():
    text = text_of("denial")
    assert "不予行政许可决定书" in text and "申请人不符合法定条件" in text
    assert "六十日内向萧山区人民政府申请行政复议" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text
    assert "不予办理决定书" in text_of("denial", "public_service")


def test_a_rejection_states_its_reason():
    assert "申请人不符合法定条件" in text_of("rejection") and "不予受理" in text_of("rejection")


def test_a_supplement_lists_every_missing_material_and_the_five_day_rule():
    text = text_of("supplement")
    assert "1.户口簿" in text and "2.出生医学证明" in text  # as the facts name them
    assert "自收到全部补正材料之日起受理" in text
    late = text_of("supplement", late_supplement=True)
    assert "五个工作日后发出" in late and "收到申请材料之日（2026年11月2日）起即为受理" in late


def test_completion_carries_a_delivery_receipt():
    text = text_of("completion")
    assert "送达回执" in text and "受送达人签收" in text and "窗口领取" in text


def test_a_supplement_after_acceptance_says_so_and_not_the_acceptance_rule():
    text = text_of("supplement", after_acceptance=True)
    assert "本机关已于2026年11月10日受理该申请" in text and "办理期间要求补正" in text
    assert "补正材料期间不计入办理时限" in text
    assert "自收到全部补正材料之日起受理" not in text and "即为受理" not in text
