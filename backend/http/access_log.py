"""One structured log line per request: method, grouped path, status, duration."""

from __future__ import annotations

import time

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.http.log_paths import logged_path
from backend.http.problems import raised_status

log = structlog.get_logger("jiujinban.access")

_QUIET = ("/healthz", "/metrics", "/static/")


def access_log_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, record)
        except Exception as exc:
            # An HTTP exception raised outside the route (the CSRF check, say) is answered by
            # the app's outer handler after this layer: count it under its own status.
            status = raised_status(exc)
            raise
        finally:
            path = scope["path"]
            if not path.startswith(_QUIET) or status >= 400:
                log.info(
                    "request",
                    method=scope.get("method", ""),
                    path=logged_path(path),
                    status=status,
                    ms=round((time.perf_counter() - start) * 1000, 1),
                )

    return middleware
