"""The bell (通知) of every staff role: the unread count in the header, the notices page
(tasks 请当面告知 and reminders, newest first) and "mark read".

What a person sees is decided by ``notifications.service`` (their own notices and, for window
staff and supervisors, their township's or district's), as for ``/api/v1/staff/notices``.
The header polls ``/portal/notices/bell`` every 30 s; marking read (HTMX) answers the
notice's new state and, out of band, the bell's new count; without HTMX it goes back to the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK

from agent_portal.common import desk
from agent_portal.common.lists import Pages
from backend import clock
from backend.identity import roles
from backend.identity.service import StaffAccount
from notifications import service as notifications

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICES_PATH: Final = "/portal/notices"

KINDS: Final[dict[str, str]] = {
    "tell_citizen": "请当面告知",
    "deadline_soon": "明日到期",
    "deadline_today": "今日到期",
    "result_waiting": "结果待交付",
    "escalated": "超期督办",
    "follow_up": "差评整改",
    "mandate_revoked": "委托已撤销",
    "takeover_refused": "认领未成功",
}
OTHER_KIND: Final = "通知"
TABS: Final = (("all", "全部"), ("unread", "未读"))

#: The case page of each role that has one; other roles see the case number without a link.
CASE_PAGES: Final[dict[str, str]] = {
    roles.WINDOW: "/portal/window/cases/",
    roles.AGENT: "/portal/agent/cases/",
    roles.APPROVER: "/portal/review/cases/",
}


@dataclass(frozen=True, slots=True)
class NoticeLine:
    id: int
    kind: str
    label: str
    text: str
    case_number: str | None
    case_url: str | None
    created_at: str
    read_at: str | None


def _shanghai(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else None


def _line(row: notifications.NoticeRow, role: str) -> NoticeLine:
    number = row.case_number
    base = CASE_PAGES.get(role)
    return NoticeLine(
        id=row.id,
        kind=row.kind,
        label=KINDS.get(row.kind, OTHER_KIND),
        text=row.text,
        case_number=number,
        case_url=f"{base}{number}" if base and number else None,
        created_at=_shanghai(row.created_at) or "",
        read_at=_shanghai(row.read_at),
    )


def _scope(staff: StaffAccount) -> dict[str, str]:
    return {"staff_id": staff.id, "role": staff.role, "area_code": staff.area_code}


def _notices_page(
    found: notifications.Listed[notifications.NoticeRow],
    *,
    staff: StaffAccount,
    page: int,
    unread_only: bool,
) -> Template:
    return Template(
        "common/notices/page.html",
        context={
            "lines": [_line(r, staff.role) for r in found.rows],
            "unread": found.unread,
            "pages": Pages(page, max(1, -(-found.total // desk.PAGE_SIZE)), found.total),
            "tabs": TABS,
            "show": "unread" if unread_only else "all",
        },
    )


class NoticePages(Controller):
    path = "/notices"
    include_in_schema = False

    @get("/", name="portal:notices")
    async def page(self, staff: StaffAccount, show: str = "all", page: int = 1) -> Template:
        unread_only = show == "unread"
        page = desk.page_number(page)
        found = await notifications.notices(
            **_scope(staff),
            unread_only=unread_only,
            page=page,
            page_size=desk.PAGE_SIZE,
        )
        return _notices_page(found, staff=staff, page=page, unread_only=unread_only)

    @get("/bell", name="portal:notices-bell")
    async def bell(self, staff: StaffAccount) -> Template:
        count = await notifications.unread_notices(**_scope(staff))
        return Template("common/notices/bell.html", context={"unread": count})

    @post("/{notice_id:int}/read", name="portal:notice-read", status_code=HTTP_200_OK)
    async def read(
        self, request: Request[Any, Any, Any], staff: StaffAccount, notice_id: int
    ) -> Response[Any]:
        scope = _scope(staff)
        await notifications.mark_notice_read(notice_id=notice_id, **scope)
        if request.headers.get("hx-request") != "true":
            return Redirect(NOTICES_PATH, status_code=303)
        return Template(
            "common/notices/read.html",
            context={
                "notice_id": notice_id,
                "read_at": _shanghai(clock.now_utc()),
                "unread": await notifications.unread_notices(**scope),
            },
        )
