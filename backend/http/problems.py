"""RFC 9457 problem documents for every error path.

Each answer is ``{"type", "title", "status", "code", "detail"}`` with a stable machine ``code``
and a Chinese ``detail`` a mini-program can show as is. Validation errors add ``errors``.
"""

from __future__ import annotations

import re
import traceback
from typing import Any

import asyncpg
import jwt
import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.types import ExceptionHandlersMap

from backend import db
from backend.errors import DomainError
from backend.http.log_paths import logged_path
from backend.http.request_id import HEADER, request_id_of

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://jiujinban.example.gov.cn/problems/"

TITLES = {
    400: "请求格式错误",
    401: "未登录或登录已失效",
    403: "没有权限",
    404: "未找到",
    405: "不支持的请求方法",
    409: "状态冲突",
    410: "已失效",
    413: "内容过大",
    415: "不支持的内容类型",
    422: "提交的信息有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂时不可用",
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": TITLES.get(status, "请求失败"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _request_id(request: Request[Any, Any, Any]) -> str:
    """The request's id; one is made (and kept) when the error came before the edge layer gave
    it one — in the authentication middleware, which runs first."""
    state = request.scope.setdefault("state", {})
    found: str | None = state.get("request_id")
    if found is None:
        found = state["request_id"] = request_id_of(request.scope["headers"])
    return found


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    retry_after_s = getattr(exc, "retry_after_s", None)
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else None
    return problem(exc.status, exc.code, exc.detail, headers=headers, **exc.extra)


def _validation(exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra and _looks_malformed(exc):
        return problem(400, "malformed_json", "请求内容不是有效的 JSON，请检查后重试。")
    errors = [
        field_error(str(e.get("key", "")), str(e.get("message", "")))
        for e in extra
        if isinstance(e, dict)
    ]
    if not errors and (missing := _MISSING_PARAMETER.match(str(exc.detail))):
        errors = [{"field": missing["name"], "message": "此项为必填项"}]
    named = "；".join(
        f"{e['field']} {e['message']}" if e["field"] else e["message"] for e in errors
    )
    detail = f"提交的信息有误：{named}。" if named else "提交的信息有误，请检查后重试。"
    return problem(422, "validation_failed", detail, errors=errors)


_MISSING_PARAMETER = re.compile(r"Missing required (?:\w+ )*parameter '(?P<name>[^']+)'")
_KIND = {
    "str": "文本",
    "int": "整数",
    "float": "数字",
    "bool": "是非值（true 或 false）",
    "array": "数组",
    "object": "对象",
    "null": "空值",
    "date": "日期（YYYY-MM-DD）",
    "datetime": "时间（ISO 8601，如 2026-12-07T09:30:00+08:00）",
    "time": "时刻（HH:MM:SS）",
    "uuid": "编号（UUID）",
    "number": "数字",
}
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Expected `(?:str|array|object)` of length >= 1$"), "不能为空"),
    (re.compile(r"Expected `str` of length <= (?P<n>\d+)$"), "不能超过 {n} 个字符"),
    (re.compile(r"Expected `str` of length >= (?P<n>\d+)$"), "至少 {n} 个字符"),
    (re.compile(r"Expected `(?:array|object)` of length <= (?P<n>\d+)$"), "最多 {n} 项"),
    (re.compile(r"Expected `(?:array|object)` of length >= (?P<n>\d+)$"), "至少 {n} 项"),
    (re.compile(r"Expected `\w+` >= (?P<n>[-\d.]+)$"), "不能小于 {n}"),
    (re.compile(r"Expected `\w+` <= (?P<n>[-\d.]+)$"), "不能大于 {n}"),
    (re.compile(r"Expected `\w+` > (?P<n>[-\d.]+)$"), "须大于 {n}"),
    (re.compile(r"Expected `\w+` < (?P<n>[-\d.]+)$"), "须小于 {n}"),
    (
        re.compile(r"Expected `str` matching regex '\^\[\^\\\\x00-"),
        "含有看不见的控制字符或文字方向字符（常见于从别处复制的文字），请删除后重新填写",
    ),
    (re.compile(r"Expected `str` matching regex"), "格式不正确"),
    (re.compile(r"Invalid enum value"), "不是允许的取值"),
    (
        re.compile(r"Invalid RFC3339 encoded datetime"),
        "时间格式不正确，应为 ISO 8601（如 2026-12-07T09:30:00+08:00）",
    ),
    (re.compile(r"Invalid RFC3339 encoded date"), "日期格式不正确，应为 YYYY-MM-DD"),
    (re.compile(r"Invalid RFC3339 encoded time"), "时刻格式不正确，应为 HH:MM:SS"),
    (re.compile(r"Invalid UUID"), "编号格式不正确"),
)
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_WRONG_TYPE = re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>\w+)`")


def field_error(key: str, message: str) -> dict[str, str]:
    """One validation error as ``{"field", "message"}``, in Chinese.

    The decoder words its errors in English (``Object missing required field `reason```); a
    citizen's screen shows Chinese, so each kind is translated and the field named.
    """
    message = message.split(" - at `", 1)[0]
    prefix = "" if key in ("", "data") else key + "."
    if found := _MISSING_FIELD.match(message):
        return {"field": prefix + found["name"], "message": "此项为必填项"}
    if found := _UNKNOWN_FIELD.match(message):
        return {"field": prefix + found["name"], "message": "不认识的字段，请删去"}
    field = "" if key == "data" else key
    if found := _WRONG_TYPE.match(message):
        wanted = " 或 ".join(_KIND.get(k.strip(), k.strip()) for k in found["want"].split("|"))
        return {"field": field, "message": f"类型不对，应为{wanted}"}
    for pattern, text in _MESSAGES:
        if found := pattern.match(message):
            return {"field": field, "message": text.format(**found.groupdict())}
    return {"field": field, "message": "格式不正确"}


def _looks_malformed(exc: HTTPException) -> bool:
    """A body that could not be decoded at all (as opposed to decoded but invalid)."""
    return isinstance(exc.__cause__, SerializationException | msgspec.DecodeError)


def _unauthorized(exc: NotAuthorizedException) -> Response[Any]:
    cause = exc.__cause__
    if isinstance(cause, jwt.ExpiredSignatureError):
        return problem(401, "token_expired", "登录已过期，请重新登录。")
    if "No JWT token found" in str(exc.detail):
        return problem(401, "token_missing", "请先登录。")
    if "Invalid token" in str(exc.detail) or cause is not None:
        return problem(401, "token_invalid", "登录凭证无效，请重新登录。")
    return problem(401, "unauthenticated", "登录已失效，请重新登录。")


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        return _validation(exc)
    if isinstance(exc, NotAuthorizedException):
        return _unauthorized(exc)
    if isinstance(exc, PermissionDeniedException):
        return problem(403, "not_allowed", "您没有权限进行此操作。")
    if isinstance(exc, NotFoundException):
        return problem(404, "not_found", "您访问的地址不存在。")
    if isinstance(exc, MethodNotAllowedException):
        return problem(405, "method_not_allowed", "此地址不支持该请求方法。")
    if isinstance(exc, TooManyRequestsException):
        return problem(429, "rate_limited", "请求过于频繁，请稍后再试。")
    status = exc.status_code
    if status == 400 and _looks_malformed(exc):
        return problem(400, "malformed_json", "请求内容不是有效的 JSON，请检查后重试。")
    if status == 413:
        return problem(413, "payload_too_large", "提交的内容过大。")
    if status == 415:
        return problem(415, "unsupported_media_type", "不支持的内容类型，请使用 JSON。")
    if status >= 500:
        log.error("http_error", status=status, detail=exc.detail)
        return problem(status, "internal_error", "服务器开小差了，请稍后再试。")
    return problem(status, "bad_request", "请求有误，请检查后重试。")


_DECODING_MODULES = ("litestar/_kwargs/", "litestar/_multipart.py", "litestar/connection/")


def _raised_decoding_request(exc: BaseException) -> bool:
    """Whether ``exc`` came out of Litestar reading the request (body, form, parameters)."""
    return any(
        any(part in frame.filename.replace("\\", "/") for part in _DECODING_MODULES)
        for frame in traceback.extract_tb(exc.__traceback__)
    )


def _unrepresentable(exc: Exception) -> Response[Any] | None:
    """Input the decoders or PostgreSQL cannot represent: a 4xx, never a 500.

    The database refuses such a value before anything is written (a data error aborts its
    transaction); ``backend/http/input_guard.py`` refuses most of them before any handler runs.
    """
    if isinstance(
        exc, asyncpg.CharacterNotInRepertoireError | asyncpg.UntranslatableCharacterError
    ):
        return problem(
            400,
            "invalid_characters",
            "请求中含有不允许的字符（如空字符或无效编码），请检查后重试。",
        )
    if isinstance(exc, asyncpg.DataError | OverflowError):
        return problem(422, "value_out_of_range", "提交的数值或日期超出了允许的范围。")
    if isinstance(exc, UnicodeDecodeError | RecursionError) and _raised_decoding_request(exc):
        return problem(
            400, "malformed_body", "请求内容无法解析（编码无效或嵌套过深），请检查后重试。"
        )
    return None


DATABASE_RETRY_AFTER_S = 3
"""What a 503 ``database_unavailable`` asks the client to wait: a restart or fail-over of
PostgreSQL takes seconds; the mini-program waits this long before its next try."""


def database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """503 with ``Retry-After``: PostgreSQL is away for a moment (restarting, failing over).

    One warning line per request, without a stack trace: during an outage every request fails
    alike, and the operator needs the count and the request ids, not a thousand tracebacks.
    Nothing was written (the request's transaction did not commit), so the client may send the
    same request again; with its ``Idempotency-Key`` a create that did commit is answered from
    its stored answer.
    """
    request_id = _request_id(request)
    log.warning(
        "database_unavailable",
        path=logged_path(request.url.path),
        error=f"{type(exc).__name__}: {exc}"[:200],
        request_id=request_id,
    )
    return problem(
        503,
        "database_unavailable",
        "服务暂时不可用，请稍后重试。",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S), HEADER: request_id},
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if db.unavailable(exc):
        return database_unavailable(request, exc)
    refused = _unrepresentable(exc)
    if refused is not None:
        log.warning(
            "input_refused",
            path=logged_path(request.url.path),
            error=type(exc).__name__,
            request_id=_request_id(request),
        )
        return refused
    request_id = _request_id(request)
    log.exception("unhandled_error", path=logged_path(request.url.path), request_id=request_id)
    return problem(
        500, "internal_error", "服务器开小差了，请稍后再试。", headers={HEADER: request_id}
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]


def raised_status(exc: BaseException) -> int:
    """The status an exception escaping the middleware stack will be answered with."""
    status = getattr(exc, "status_code", 500)
    return status if isinstance(status, int) and 400 <= status <= 599 else 500
