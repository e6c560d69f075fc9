"""Presenting notices: the citizen's list, the PDF response, the verification page."""

from __future__ import annotations

from html import escape

from litestar import Response

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
            issued_at=n.issued_at,
            case_number=number,
            pdf_path=f"/api/v1/cases/{number}/notices/{n.id}.pdf",
        )
        for n in notices
    ]


def notice_id(path_part: str) -> int:
    """``12.pdf`` → 12; anything else is a notice that does not exist."""
    stem = path_part.removesuffix(".pdf")
    if stem == path_part or not stem.isdigit() or len(stem) > 18:
        raise NotFound(texts.NOTICE_NOT_FOUND, code="notice_not_found")
    return int(stem)


def pdf_response(notice: NoticeRow, pdf: bytes) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="notice-{notice.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title><style>body{{font-family:sans-serif;max-width:36em;margin:2em auto;"
    "padding:0 1em;line-height:1.6}}dt{{color:#555}}dd{{margin:0 0 .6em}}"
    ".ok{{color:#0a6b2d}}.void{{color:#a11}}</style></head><body><h1>{title}</h1>{body}"
    "</body></html>"
)


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
        _PAGE.format(title=escape(title), body=body),
        status_code=status,
        media_type="text/html",
        headers={"Cache-Control": "no-store"},
    )
