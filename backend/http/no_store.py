"""``Cache-Control: no-store`` on every answer of the API and the portal.

Answers under ``/api/`` and ``/portal/`` may carry personal data (a case, a name, a masked ID
number, a token), so no browser, proxy or CDN may keep a copy. Rather than deciding route by
route which answers are personal, every answer there gets ``no-store`` — public catalogue reads
and error answers included (the catalogue is served from memory and cheap to repeat) —; a
handler that set its own ``Cache-Control`` (the upload downloads' ``private, no-store``) keeps
it. Static assets (``/static/``), the API description (``/schema``) and the probes carry nothing
personal and are left alone.

It is a ``before_send`` hook, not a middleware: Litestar runs route middleware only for matched
routes and answers an authentication failure outside them, while the hook sees every answer.
"""

from __future__ import annotations

from typing import Any

from litestar.types import Message, Scope

PREFIXES = ("/api/", "/portal/", "/portal")


async def no_store(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start" or not scope["path"].startswith(PREFIXES):
        return
    headers: Any = message.get("headers")
    if not isinstance(headers, list):
        message["headers"] = headers = list(headers or ())
    for name, _ in headers:
        if name.lower() == b"cache-control":
            return
    headers.append((b"cache-control", b"no-store"))
