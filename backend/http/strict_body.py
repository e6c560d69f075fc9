"""JSON bodies are decoded strictly: the types the API description states are the types accepted.

Litestar converts a handler's ``data`` leniently (``0`` becomes ``false``, ``"5"`` becomes ``5``),
so a body the OpenAPI document calls invalid could be accepted as something else. Before the
handler runs, this hook decodes a JSON body as the handler's ``data`` type with msgspec's strict
rules and refuses a mismatch as 422 ``validation_failed``, naming the field. Guards have run
already, so a stranger still gets the object-level 404 before any body is read.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler

_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")


@cache
def _data_type(handler: HTTPRouteHandler) -> Any:
    """The type of the handler's ``data``, or ``None`` when it takes no body."""
    field = handler.parsed_fn_signature.parameters.get("data")
    return None if field is None else field.annotation


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: refuse a JSON body that only a lenient decoding accepts."""
    if request.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return
    shape = _data_type(request.route_handler)
    if shape is None or not request.headers.get("content-type", "").startswith("application/json"):
        return
    body = await request.body()
    if not body.strip():
        return
    try:
        msgspec.json.decode(body, type=shape, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _PATH.search(message)
        key = found["path"].lstrip(".") if found else ""
        raise ValidationException(
            detail="Validation failed", extra=[{"key": key, "message": message}]
        ) from exc
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar answers 400 malformed_json as before
