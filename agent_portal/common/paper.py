"""The 文书 card of the staff case pages (window, back office, agent): every formal notice of
the case with its 打印 / 下载 PDF links (``agent_portal.paper.pages``), or 「文书生成中」 while
the worker has still to issue one a step called for (never a link to a notice that is not
there yet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_portal.common import texts
from backend.cases.store.cases import CaseRecord
from backend.clock import SHANGHAI
from backend.notices import present, service


@dataclass(frozen=True, slots=True)
class PaperLine:
    title: str
    item_name: str
    number: str
    department: str
    issued_on: str
    pdf: str


async def card(row: CaseRecord, base: str) -> dict[str, Any]:
    """What ``common/partials/notices_card.html`` shows; ``base`` is the desk's case address."""
    found = await service.card(row=row)
    return {
        "title": texts.PAPER_TITLE,
        "lines": [
            PaperLine(
                title=present.title_of(n),
                item_name=n.item_name,
                number=n.number,
                department=n.department_name,
                issued_on=n.issued_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                pdf=f"{base}/notices/{n.id}.pdf",
            )
            for n in found.notices
        ],
        "pending": texts.PAPER_PENDING if found.pending else None,
        "none": texts.PAPER_NONE,
    }
