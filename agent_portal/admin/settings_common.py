"""What the administrator's settings pages share: the role check, the form reading, paging."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar.datastructures import FormMultiDict

from agent_portal.common import desk
from agent_portal.common.errors import WrongRole
from agent_portal.common.lists import Pages
from backend.clock import local
from backend.identity import roles
from backend.identity.service import StaffAccount


def require_admin(staff: StaffAccount) -> None:
    """Every settings page is the administrator's: another role gets the 403 page."""
    if staff.role != roles.ADMIN:
        raise WrongRole(roles.ADMIN)


def field(form: FormMultiDict, name: str) -> str:
    value: Any = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def pages(page: int, total: int, size: int = desk.PAGE_SIZE) -> Pages:
    return Pages(page, max(1, -(-total // size)), total)


def when(moment: datetime | None) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
