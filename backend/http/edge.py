"""What every request goes through before its route runs, as one ASGI layer.

In this order: the request id (``backend.http.request_id``), the request metrics
(``backend.http.metrics``), the input guard (``backend.http.input_guard``), then the app; when
the answer is done, the access-log line (``backend.http.access_log``). One layer rather than a
middleware each: every layer costs a coroutine and a ``send`` wrapper per request (together
about a third of a cached catalogue read), and these four only ever ran together.

Litestar runs it as app middleware, after routing (``path_template`` is known) and inside its
JWT authentication: a request refused 401 there never reaches it, as before. An exception
raised by the app (the CSRF check's 403, say; a route's own errors are answered inside it) is
counted and logged under the status it will be answered with.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.http import metrics
from backend.http.access_log import log_request
from backend.http.input_guard import screen
from backend.http.problems import raised_status
from backend.http.request_id import RAW_HEADER, request_id_of, set_header


def edge_middleware(app: ASGIApp, pages_under: str | None = None) -> ASGIApp:
    """The layer; an input refusal under the path prefix ``pages_under`` (the portal) is
    raised for its pages to answer, not written."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = request_id_of(scope["headers"])
        raw_id = request_id.encode()
        scope.setdefault("state", {})["request_id"] = request_id
        method: str = scope["method"]
        route = metrics.metered(scope)
        status = 500
        answered = 0.0

        async def send_back(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: Any = message.get("headers")
                if not isinstance(headers, list):
                    message["headers"] = headers = list(headers or ())
                set_header(headers, RAW_HEADER, raw_id)
            elif message["type"] == "http.response.body":
                answered = time.perf_counter()
            await send(message)

        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        running = metrics.started(method, route) if route is not None else None
        try:
            checked = await screen(scope, receive, send_back, pages_under)
            if checked is not None:
                await app(scope, checked, send_back)
        except Exception as exc:
            status = raised_status(exc)
            raise
        finally:
            end = time.perf_counter()
            if running is not None and route is not None:
                running.dec()
                metrics.finished(method, route, status, (answered or end) - start)
            log_request(method, scope["path"], status, end - start)
            structlog.contextvars.reset_contextvars(**bound)

    return middleware
