"""The portal's own error pages: 404 (not found, or not yours) and 403 (not your role).

A case outside the clerk's township or the approver's department is the same 404 page as a case
that does not exist, so a stranger learns nothing about it (as ``window.guards`` does for the API).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Response, Template
from litestar.types import ExceptionHandlersMap

from agent_portal.common import texts
from backend.errors import NotFound


class PageNotFound(Exception):
    """Nothing to show here for this person."""


class WrongRole(Exception):
    """A page of another role (the window desk for an approver, and so on)."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


def not_found_page(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return Template(
        "common/errors/not_found.html", context={"message": texts.NOT_FOUND}, status_code=404
    )


def wrong_role_page(request: Request[Any, Any, Any], exc: WrongRole) -> Response[Any]:
    return Template(
        "common/errors/wrong_role.html",
        context={"message": texts.wrong_role(exc.role)},
        status_code=403,
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    PageNotFound: not_found_page,
    NotFound: not_found_page,
    WrongRole: wrong_role_page,
}
