"""Presenting notices: the citizen's list, the PDF response, the verification page."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from typing import Final
from urllib.parse import quote

from litestar import Response

from backend.clock import local_iso
from backend.errors import NotFound
from backend.notices import texts
from backend.notices.schemas import NoticeForCitizen
from backend.notices.service import Verified
from backend.notices.store import NoticeRow


def title_of(notice: NoticeRow) -> str:
    licensing = notice.item_kind == texts.LICENSING
    return texts.TITLES[(notice.kind, texts.LICENSING if licensing else "public_service")]


def for_citizen(notices: list[NoticeRow], *, number: str) -> list[NoticeForCitizen]:
    return [
        NoticeForCitizen(
            id=n.id,
            kind=n.kind,
            title=title_of(n),
            number=n.number,
            department=n.department_name,
            item_name=n.item_name,
            issued_at=local_iso(n.issued_at) or "",
            case_number=number,
            pdf_path=f"/api/v1/cases/{number}/notices/{n.id}.pdf",
        )
        for n in notices
    ]


_PDF_NAME: Final = re.compile(r"([0-9]{1,18})\.pdf")
"""ASCII digits only: ``str.isdigit`` also takes ``²`` and ``①`` (which ``int`` refuses) and
``int`` takes full-width and Arabic-Indic digits (``２``, ``٢``) — none is a notice's name."""


def notice_id(path_part: str) -> int:
    """``12.pdf`` → 12; anything else is a notice that does not exist."""
    found = _PDF_NAME.fullmatch(path_part)
    if found is None:
        raise NotFound(texts.NOTICE_NOT_FOUND, code="notice_not_found")
    return int(found.group(1))


def file_name(notice: NoticeRow) -> str:
    """受理通知书-萧公受字〔2026〕第12号.pdf — what the notice is and its number."""
    return f"{title_of(notice)}-{notice.number}.pdf"


def content_disposition(notice: NoticeRow) -> str:
    """The Chinese name as RFC 6266 / RFC 5987 ``filename*`` (UTF-8, percent-encoded), after an
    ASCII ``filename`` for a client that reads only that one."""
    fallback = f"notice-{notice.kind}-{notice.id}.pdf"
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name(notice), safe='')}"


def pdf_response(notice: NoticeRow, pdf: bytes) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(notice), "Cache-Control": "no-store"},
    )


_STYLE: Final = (
    "body{font-family:sans-serif;max-width:36em;margin:0 auto;padding:0 1em 2em;line-height:1.6;"
    "color:#222}header{border-bottom:3px solid #0a5bb5;padding:1em 0 .5em;margin-bottom:1em;"
    "color:#0a5bb5;font-weight:700;font-size:1.1em}h1{font-size:1.5em;margin:.3em 0}"
    "dt{color:#555}dd{margin:0 0 .6em;font-size:1.05em}.ok{color:#0a6b2d;font-weight:700}"
    ".void{color:#a11;font-weight:700}.hint{background:#f3f6fa;border-left:4px solid #0a5bb5;"
    "padding:.6em .8em}"
)
_PAGE: Final = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title} - {brand}</title><style>{style}</style></head><body>"
    "<header>{brand}</header><h1>{title}</h1>{body}</body></html>"
)
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
VERIFY_HEADERS: Final = {
    "Cache-Control": "no-store",
    # Nothing but the page's own inline style (by its hash): no script, no image, no form, and
    # no framing; the token in the address never leaves in a Referer.
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def verify_html(facts: Verified | None, *, status: int, message: str) -> Response[str]:
    """The verification page: the project's header over the notice's public facts, or over
    the message (not found, too many lookups) — never a name, ID or case number."""
    title = texts.VERIFY_TITLE
    if facts is None:
        body = f'<p class="hint">{escape(message)}</p>'
    else:
        values = (
            facts.kind,
            facts.number,
            facts.department,
            facts.issued_on,
            facts.item,
            "有效" if facts.valid else "已作废",
        )
        rows = "".join(
            f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>"
            for k, v in zip(texts.VERIFY_FIELDS, values, strict=True)
        )
        state = (
            f'<p class="ok">{texts.VERIFY_VALID}</p>'
            if facts.valid
            else f'<p class="void">{texts.VERIFY_VOID}</p>'
        )
        compare = f'<p class="hint">{texts.VERIFY_COMPARE}</p>' if facts.valid else ""
        body = f"{state}<dl>{rows}</dl>{compare}"
    return Response(
        _PAGE.format(
            title=escape(title), brand=escape(texts.VERIFY_BRAND), style=_STYLE, body=body
        ),
        status_code=status,
        media_type="text/html",
        headers=VERIFY_HEADERS,
    )
