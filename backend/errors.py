"""Domain errors.

Services raise these, never HTTP exceptions; ``backend.http.problems`` is the one place that maps
them to RFC 9457 problem documents. Each carries a stable machine ``code`` and a Chinese
``detail`` fit to show to a citizen as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of every error a service may raise on purpose."""

    status = 400
    default_code = "bad_request"
    default_detail = "请求有误。"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.detail = detail or self.default_detail
        self.extra: dict[str, Any] = dict(extra or {})
        super().__init__(f"{self.code}: {self.detail}")


class InvalidInput(DomainError):
    status = 422
    default_code = "invalid_input"
    default_detail = "提交的信息有误，请检查后重试。"


class Unauthenticated(DomainError):
    status = 401
    default_code = "unauthenticated"
    default_detail = "请先登录。"


class NotAllowed(DomainError):
    status = 403
    default_code = "not_allowed"
    default_detail = "您没有权限进行此操作。"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_detail = "未找到相关内容。"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    default_detail = "当前状态下无法完成此操作。"


class InvalidTransition(Conflict):
    default_code = "transition_not_allowed"
    default_detail = "办件当前状态不允许此操作。"


class RateLimited(DomainError):
    status = 429
    default_code = "rate_limited"
    default_detail = "操作过于频繁，请稍后再试。"

    def __init__(self, detail: str | None = None, *, retry_after_s: int = 60, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.retry_after_s = retry_after_s


class ServiceUnavailable(DomainError):
    status = 503
    default_code = "service_unavailable"
    default_detail = "服务暂时不可用，请稍后再试。"
