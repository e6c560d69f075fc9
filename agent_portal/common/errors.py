"""The portal's own error pages: every refusal under /portal/ is an HTML page in Chinese.

A case outside the clerk's township or the approver's department is the same 404 page as a case
that does not exist, so a stranger learns nothing about it (as ``window.guards`` does for the API).

The JSON API answers its refusals as problem documents (``backend/http/problems.py``); the
portal's router maps the same exceptions to pages instead, so a person meets a page with a way
back, never raw JSON: a refused CSRF token (403), request text the database cannot hold (400,
raised by ``backend/http/input_guard.py`` for the portal's addresses), an address parameter
Litestar cannot parse or PostgreSQL cannot hold (422), too many attempts (429). Nothing was done
in any of these cases: each is refused before a use case runs, or inside its transaction.
"""

from __future__ import annotations

from typing import Any, Final

import structlog
from litestar import Request
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.response import Response, Template
from litestar.types import ExceptionHandlersMap

from agent_portal.common import texts
from backend.errors import DomainError, NotFound
from backend.http.input_guard import InputRefused
from backend.http.problems import internal_error_handler

log = structlog.get_logger(__name__)

INVALID_CHARACTERS: Final = "提交的内容含有不能使用的字符（如空字符），请删除后重试。"
CSRF_REFUSED: Final = "页面已过期或来源不明，请刷新页面后重试。"
BAD_PARAMETER: Final = "地址中的参数有误。"
OUT_OF_RANGE: Final = "提交的数值或日期超出了允许的范围，请检查后重试。"
NOT_ALLOWED: Final = "您没有权限进行此操作。"
METHOD_NOT_ALLOWED: Final = "此地址不支持这种操作，请从页面上的按钮进入。"
TOO_MANY: Final = "操作过于频繁，请稍后再试。"
TOO_LARGE: Final = "提交的内容过大。"
TOO_DEEP: Final = "提交的内容无法识别（嵌套层级过深），请检查后重试。"
UNREADABLE: Final = "提交的内容无法识别，请检查后重试。"
BAD_REQUEST: Final = "请求有误，请检查后重试。"
SERVER_ERROR: Final = "服务器开小差了，请稍后再试。"

TITLES: Final[dict[int, str]] = {
    400: "提交的内容有误",
    403: "无法完成操作",
    404: "找不到页面",
    405: "不支持的操作",
    409: "状态冲突",
    410: "已失效",
    413: "内容过大",
    415: "内容无法识别",
    422: "内容有误",
    429: "操作过于频繁",
    503: "服务暂时不可用",
}
"""The page's heading by status; any other 4xx is "请求有误", a 5xx "服务器开小差了"."""

_REFUSED_INPUT: Final[dict[str, str]] = {
    "invalid_characters": INVALID_CHARACTERS,
    "json_too_deep": TOO_DEEP,
    "payload_too_large": TOO_LARGE,
}
_INT8_MAX: Final = 2**63 - 1


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


def refusal_page(
    status: int, message: str, *, headers: dict[str, str] | None = None, signed_in: bool = True
) -> Response[Any]:
    """The portal's error page for ``status``: a heading, the message and a way back (and the
    staff menu only for someone known to be signed in)."""
    title = TITLES.get(status, "服务器开小差了" if status >= 500 else "请求有误")
    return Template(
        "common/errors/refused.html",
        context={"title": title, "message": message, "status": status, "signed_in": signed_in},
        status_code=status,
        headers=headers,
    )


def _signed_in(request: Request[Any, Any, Any]) -> bool:
    """Whether the sign-in check ran and found someone (an error inside it — PostgreSQL away —
    leaves the visitor unknown)."""
    return request.scope.get("user") is not None


def _kept_headers(exc: HTTPException, *names: str) -> dict[str, str] | None:
    kept = {k: v for k, v in (exc.headers or {}).items() if k.lower() in names}
    return kept or None


def _address_out_of_range(request: Request[Any, Any, Any]) -> bool:
    """Whether a number in the address (path or query) is beyond what PostgreSQL holds."""
    values = [*request.path_params.values(), *request.query_params.values()]
    for value in values:
        text = str(value).strip().lstrip("+-")
        if isinstance(value, int) or text.isdigit():
            try:
                if abs(int(value)) > _INT8_MAX:
                    return True
            except ValueError:
                continue
    return False


def _from_body(exc: ValidationException) -> bool:
    extra = exc.extra if isinstance(exc.extra, list) else []
    return any(isinstance(e, dict) and e.get("source") == "body" for e in extra)


def http_error_page(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's refusals (CSRF, parameters, routing, limits) as the portal's pages."""
    if isinstance(exc, NotFoundException):
        return not_found_page(request, exc)
    if isinstance(exc, InputRefused):
        return refusal_page(exc.status_code, _REFUSED_INPUT.get(exc.code, UNREADABLE))
    if isinstance(exc, PermissionDeniedException):
        return refusal_page(403, CSRF_REFUSED if "CSRF" in str(exc.detail) else NOT_ALLOWED)
    if isinstance(exc, ValidationException):
        return refusal_page(422, UNREADABLE if _from_body(exc) else BAD_PARAMETER)
    if isinstance(exc, MethodNotAllowedException):
        return refusal_page(405, METHOD_NOT_ALLOWED, headers=_kept_headers(exc, "allow"))
    if isinstance(exc, TooManyRequestsException):
        return refusal_page(429, TOO_MANY, headers=_kept_headers(exc, "retry-after"))
    status = exc.status_code
    if status == 413:
        return refusal_page(413, TOO_LARGE)
    if status >= 500:
        log.error("portal_http_error", status=status, detail=exc.detail)
        return refusal_page(status, SERVER_ERROR)
    return refusal_page(status, BAD_REQUEST)


def domain_error_page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """A use case's refusal no page caught: its own Chinese detail, with its status."""
    retry_after_s = getattr(exc, "retry_after_s", None)
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else None
    return refusal_page(exc.status, exc.detail, headers=headers)


def internal_error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Input the decoders or PostgreSQL cannot hold (4xx), or a fault (500), as a page.

    The API's handler classifies and logs the exception; only its answer's form changes here.
    """
    problem = internal_error_handler(request, exc)
    content = problem.content if isinstance(problem.content, dict) else {}
    code = content.get("code")
    status = problem.status_code or 500
    if code == "value_out_of_range":
        return refusal_page(
            status, BAD_PARAMETER if _address_out_of_range(request) else OUT_OF_RANGE
        )
    if code == "invalid_characters":
        return refusal_page(status, INVALID_CHARACTERS)
    if status < 500:
        return refusal_page(status, UNREADABLE)
    kept = {
        k: str(v)
        for k, v in (problem.headers or {}).items()
        if k.lower() in {"retry-after", "x-request-id"}
    }
    message = str(content.get("detail")) if code == "database_unavailable" else SERVER_ERROR
    return refusal_page(status, message, headers=kept or None, signed_in=_signed_in(request))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    PageNotFound: not_found_page,
    NotFound: not_found_page,
    WrongRole: wrong_role_page,
    DomainError: domain_error_page,
    HTTPException: http_error_page,
    Exception: internal_error_page,
}
