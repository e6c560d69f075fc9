"""Request metrics for Prometheus, at a few microseconds a request.

The same series Litestar's Prometheus plugin writes (``litestar_requests_total``,
``litestar_request_duration_seconds``, ``litestar_requests_error_total``,
``litestar_requests_in_progress``, labelled by method, route template, status and app name) —
written by :func:`backend.http.edge.edge_middleware` through :func:`started` and
:func:`finished`, which keep each label set's child metric in a dict, instead of building a
``Request`` and resolving labels several times per request (that plugin cost about 50 µs a
request, a quarter of a cached catalogue read). ``/metrics`` itself and paths no route matched
are left out (:func:`metered`).

``metrics_guard`` keeps the page itself behind ``METRICS_TOKEN`` (see docs/operations.md).
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.types import Scope
from prometheus_client import Counter, Gauge, Histogram

from backend.errors import NotAllowed, Unauthenticated
from backend.http import texts

APP_NAME = "jiujinban"
_LABELS = ("method", "path", "status_code", "app_name")

REQUESTS = Counter("litestar_requests_total", "Total requests", _LABELS)
ERRORS = Counter("litestar_requests_error_total", "Total errors (5xx)", _LABELS)
DURATION = Histogram("litestar_request_duration_seconds", "Request duration, in seconds", _LABELS)
IN_PROGRESS = Gauge(
    "litestar_requests_in_progress", "Total requests currently in progress", _LABELS
)

_children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
_running: dict[tuple[str, str], Any] = {}


def _done(method: str, path: str, status: int) -> tuple[Any, Any, Any]:
    key = (method, path, status)
    found = _children.get(key)
    if found is None:
        labels = (method, path, status, APP_NAME)
        found = _children[key] = (
            REQUESTS.labels(*labels),
            DURATION.labels(*labels),
            ERRORS.labels(*labels) if status >= 500 else None,
        )
    return found


def _in_progress(method: str, path: str) -> Any:
    key = (method, path)
    found = _running.get(key)
    if found is None:
        found = _running[key] = IN_PROGRESS.labels(method, path, 200, APP_NAME)
    return found


def metered(scope: Scope) -> str | None:
    """The route template a request is counted under: None for ``/metrics`` itself and for
    paths no route matched."""
    path: str = scope.get("path_template") or ""
    if not path or path.startswith("/metrics"):
        return None
    return path


def started(method: str, path: str) -> Any:
    """A request of the route ``path`` begins: its in-progress gauge, counted up (call
    ``.dec()`` on it when the request ends)."""
    running = _in_progress(method, path)
    running.inc()
    return running


def finished(method: str, path: str, status: int, seconds: float) -> None:
    """A request of the route ``path`` ended with ``status`` after ``seconds``."""
    count, duration, errors = _done(method, path, status)
    count.inc()
    duration.observe(seconds)
    if errors is not None:
        errors.inc()


async def metrics_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """``/metrics`` is not public: ``Authorization: Bearer <METRICS_TOKEN>``; without the
    setting it is open in dev mode only and refused everywhere else. A coroutine, so Litestar
    does not run it in its thread pool."""
    settings = connection.app.state.settings
    token: str = settings.metrics_token
    if not token:
        if settings.dev_mode:
            return
        raise NotAllowed(texts.METRICS_NOT_CONFIGURED, code="metrics_disabled")
    scheme, _, given = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise Unauthenticated(texts.METRICS_TOKEN_WRONG, code="metrics_unauthorized")
