"""A notice as HTML (a Jinja template per layout) and as PDF (WeasyPrint on Pango, Noto CJK).

The QR code is segno's SVG inside the HTML: nothing is fetched while rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
import weasyprint
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from PIL import ImageFile

from backend.notices import texts
from backend.notices.store import NoticeRow

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)

# WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when imported; notices
# hold no raster image (the QR code is SVG), and uploads must never decode truncated files.
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """Everything a notice states, read when it is rendered."""

    notice: NoticeRow
    case_number: str
    applicant: str
    received_on: date
    issued_on: date
    accepted_on: date | None
    deadline: date | None
    committed_days: int
    missing: tuple[str, ...]
    reason: str
    late_supplement: bool
    """A 补正 asked before acceptance after the fifth working day from receipt."""
    after_acceptance: bool
    """The case was accepted before the notice (a 补正 asked while it is processed)."""
    delivery: str
    """How the result was delivered (``texts.DELIVERY``'s word: 窗口领取, 邮寄…)."""
    reconsideration_organ: str
    township: str = ""
    """The township whose 便民服务中心 took the case (where a 补正 may be handed in)."""
    tracking_no: str | None = None
    """The waybill of a result sent by mail, as the 送达 step recorded it."""
    collector: str | None = None
    """Who collected the result at the window (their name only, never their ID number)."""
    collector_checked: bool = False
    """The collector's ID card was checked against the applicant's at the window."""


def chinese_date(day: date) -> str:
    """2026年12月7日 — how a notice dates itself in its body."""
    return f"{day.year}年{day.month}月{day.day}日"


def seal_date(day: date) -> str:
    """2026年12月7日 — the date under the issuing organ's name: Arabic numerals, year in full,
    no leading zeros (GB/T 9704-2012 7.3.5.1, which replaced the 二〇二六年 style)."""
    return chinese_date(day)


def plain_reason(text: str) -> str:
    """A typed reason or note without the sentence punctuation it ends with: the notice adds
    its own full stop (no 「。。」). Empty when nothing is left."""
    return text.strip().rstrip(texts.REASON_END + " \t\r\n\u3000")


_EXAMINED = re.compile(r"经(?![营济过历办常])[^，,。；;：:]{0,3}?[查核]")
"""A reason that says how it was examined already (经查、经审查、经核查、经审核、经现场核查…)."""


def says_examined(reason: str) -> bool:
    """Whether the reason begins with 经…查 / 经…核, so the notice does not prefix 经审查."""
    return _EXAMINED.match(reason) is not None


def qr_svg(url: str) -> Markup:
    return Markup(  # noqa: S704 - segno's own SVG of our own URL
        segno.make(url, error="m").svg_inline(scale=3, border=1, omitsize=True)
    )


def notice_html(facts: NoticeFacts, *, verify_url: str) -> str:
    kind = facts.notice.kind
    reason = plain_reason(facts.reason)
    licensing = facts.notice.item_kind == texts.LICENSING
    return _ENV.get_template("notice.html").render(
        f=facts,
        n=facts.notice,
        kind=kind,
        licensing=licensing,
        title=texts.TITLES[(kind, texts.LICENSING if licensing else "public_service")],
        t=texts,
        date=chinese_date,
        seal_date=seal_date(facts.issued_on),
        qr=qr_svg(verify_url),
        reason=reason or texts.NO_REASON,
        examined=says_examined(reason),
        note=reason,
        hand_in=texts.SUPPLEMENT_HOW.format(township=facts.township or texts.SOME_TOWNSHIP),
    )


def pdf(html: str) -> bytes:
    """The HTML as an A4 PDF (CPU-bound: callers run it in a thread)."""
    out = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert out is not None
    return bytes(out)
