"""Presenting notices: the citizen's list, the PDF response, the verification page."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from typing import Final

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


def pdf_response(notice: NoticeRow, pdf: bytes) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="notice-{notice.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


_STYLE: Final = (
    "body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.6}"
    "dt{color:#555}dd{margin:0 0 .6em}.ok{color:#0a6b2d}.void{color:#a11}"
)
_PAGE: Final = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title><style>{style}</style></head><body><h1>{title}</h1>{body}"
    "</body></html>"
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
    if facts is None:
        body = f"<p>{escape(message)}</p>"
        title = texts.NOT_FOUND_TITLE if status == 404 else texts.VERIFY_TITLE
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
        body, title = f"{state}<dl>{rows}</dl>", texts.VERIFY_TITLE
    return Response(
        _PAGE.format(title=escape(title), style=_STYLE, body=body),
        status_code=status,
        media_type="text/html",
        headers=VERIFY_HEADERS,
    )
