"""Who is working a page, and on which case: the same scope checks as the JSON API.

A window clerk sees only their township's cases, an approver only cases transferred to their
department (``backend.window.access``); anything else is the 404 page, decided before the form
is looked at.
"""

from __future__ import annotations

from typing import Any, Final

from litestar.datastructures import FormMultiDict, State

from agent_portal.common import texts
from agent_portal.common.errors import PageNotFound, WrongRole
from backend.cases.store.cases import CaseRecord
from backend.errors import InvalidInput
from backend.identity import roles
from backend.identity.service import StaffAccount
from backend.textrules import has_hidden_chars
from backend.window import access
from backend.window.access import Clerk

PAGE_SIZE: Final = 20
TEXT_MAX: Final = 500
SHORT_MAX: Final = 64


def clerk_of(staff: StaffAccount) -> Clerk:
    return Clerk(
        id=staff.id,
        role=staff.role,
        area_code=staff.area_code,
        department_code=staff.department_code,
        name=staff.display_name,
    )


def clerk_in_role(staff: StaffAccount, role: str) -> Clerk:
    """The clerk for a list page of ``role``; another role gets the 403 page."""
    if staff.role != role:
        raise WrongRole(role)
    return clerk_of(staff)


async def window_row(staff: StaffAccount, number: str) -> tuple[Clerk, CaseRecord]:
    """A case of the clerk's township, or the 404 page (also for any other role)."""
    clerk = clerk_of(staff)
    row = (
        await access.window_case(number=number, clerk=clerk) if staff.role == roles.WINDOW else None
    )
    if row is None:
        raise PageNotFound
    return clerk, row


async def review_row(staff: StaffAccount, number: str) -> tuple[Clerk, CaseRecord]:
    """A case transferred to the approver's department, or the 404 page."""
    clerk = clerk_of(staff)
    row = (
        await access.review_case(number=number, clerk=clerk)
        if staff.role == roles.APPROVER
        else None
    )
    if row is None:
        raise PageNotFound
    return clerk, row


def page_number(raw: int) -> int:
    return max(1, raw)


def doorbell(state: State) -> Any:
    return state.get("doorbell")


def text(form: FormMultiDict, name: str, *, label: str, limit: int = TEXT_MAX) -> str:
    """One text field of a posted form, trimmed; too long is a 422 with a Chinese message."""
    value = form.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise InvalidInput(f"“{label}”不能超过 {limit} 个字。", code="field_too_long")
    if has_hidden_chars(value, multiline=True):
        raise InvalidInput(texts.HIDDEN_IN_FIELD.format(label=label), code="validation_failed")
    return value


def choices(form: FormMultiDict, name: str, *, limit: int = 50) -> list[str]:
    """Every ticked value of a group of check boxes."""
    values = [v.strip() for v in form.getall(name, []) if isinstance(v, str) and v.strip()]
    if len(values) > limit:
        raise InvalidInput(f"最多选择 {limit} 项。", code="too_many_choices")
    return values
