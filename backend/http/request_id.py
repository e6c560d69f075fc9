"""A request id on every request: taken from ``X-Request-ID`` or made up, logged, echoed back.

:func:`backend.http.edge.edge_middleware` applies it: the id is bound to the log context for
the request (every log line of the request carries ``request_id``), kept as
``scope["state"]["request_id"]`` and sent back in the ``X-Request-ID`` answer header.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

HEADER = "x-request-id"
RAW_HEADER = HEADER.encode()
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The client's ``X-Request-ID`` when it is a safe token (8–64 of ``A-Za-z0-9._-``), else
    a new one (32 hex digits)."""
    for name, value in headers:
        if name == RAW_HEADER:
            incoming = value.decode("latin-1")
            if _SAFE.match(incoming):
                return incoming
            break
    return secrets.token_hex(16)


def set_header(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Set the answer header ``name`` (lower case) to ``value``, replacing any already set."""
    found = [i for i, (key, _) in enumerate(headers) if key.lower() == name]
    if not found:
        headers.append((name, value))
        return
    for i in reversed(found[1:]):
        del headers[i]
    headers[found[0]] = (name, value)
