"""One structured log line per request: method, grouped path, status, duration.

Written by :func:`backend.http.edge.edge_middleware` when the answer is done (or the request
failed), with the request's ``request_id`` from the log context. Probes, ``/metrics`` and static
assets are logged only when they fail.
"""

from __future__ import annotations

import structlog

from backend.http.log_paths import logged_path
from backend.logging import info_line

log = structlog.get_logger("jiujinban.access")

_QUIET = ("/healthz", "/metrics", "/static/")


def log_request(method: str, path: str, status: int, seconds: float) -> None:
    """The access-log line of one request (none for a quiet path answered below 400)."""
    if status < 400 and path.startswith(_QUIET):
        return
    info_line(
        log,
        "request",
        method=method,
        path=logged_path(path),
        status=status,
        ms=round(seconds * 1000, 1),
    )
