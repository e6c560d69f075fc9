"""JSON bodies are decoded strictly: the types the API description states are the types accepted.

Litestar reads a JSON handler's body as JSON whatever its ``Content-Type`` says, and converts it
to the handler's ``data`` leniently (``0`` becomes ``false``, ``"5"`` becomes ``5``), so a body
the OpenAPI document calls invalid could be accepted as something else. Before the handler runs,
this hook refuses a body of a JSON route that is not sent as ``application/json`` (415
``unsupported_media_type``), then decodes it as the handler's ``data`` type with msgspec's
strict rules and refuses a mismatch as 422 ``validation_failed``, naming the field. Guards have
run already, so a stranger still gets the object-level 404 before any body is read.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, get_args

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import HTTPRouteHandler


class UnsupportedMediaType(ClientException):
    """A JSON route's body sent as something else (answered 415 ``unsupported_media_type``)."""

    status_code = 415


_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")


@cache
def _json_data_type(handler: HTTPRouteHandler) -> Any:
    """The type of the handler's JSON ``data``, or ``None`` when it takes no JSON body."""
    field = handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return None
    media_type = getattr(field.kwarg_definition, "media_type", None)
    if media_type not in (None, RequestEncodingType.JSON):
        return None  # a form or multipart body: Litestar reads it by its own rules
    return field.annotation


def _is_json(request: Request[Any, Any, Any]) -> bool:
    sent = request.headers.getall("content-type", [])
    return len(sent) == 1 and sent[0].split(";", 1)[0].strip().lower() == "application/json"


_INTEGER = re.compile(r"-?[0-9]+")
_PATH_OR_BODY = frozenset({"data", "request", "state", "headers", "cookies", "query", "scope"})


@cache
def _integer_queries(handler: HTTPRouteHandler) -> tuple[str, ...]:
    """The names of the handler's integer query parameters (``page``, ``year`` …)."""
    in_path = {m for path in handler.paths for m in re.findall(r"\{(\w+)", path)}
    provided = set(handler.resolve_dependencies())
    names = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if name in _PATH_OR_BODY | in_path | provided or getattr(kwarg, "header", None):
            continue
        if getattr(kwarg, "cookie", None):
            continue
        kinds = {a for a in get_args(field.annotation) if a is not type(None)} or {field.annotation}
        if kinds == {int}:
            names.append(getattr(kwarg, "query", None) or name)
    return tuple(names)


def _check_integer_queries(request: Request[Any, Any, Any]) -> None:
    """Litestar reads ``page=1.0`` or ``page=1e3`` as an integer; the document says integer."""
    for name in _integer_queries(request.route_handler):
        for value in request.query_params.getall(name, []):
            if not _INTEGER.fullmatch(value):
                raise ValidationException(
                    detail="Validation failed",
                    extra=[{"key": name, "message": "Expected `int`, got `str`"}],
                )


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: refuse integers and JSON bodies that only a lenient reading
    accepts."""
    _check_integer_queries(request)
    shape = _json_data_type(request.route_handler)
    if shape is None:
        return
    body = await request.body()
    if not body.strip():
        return
    if not _is_json(request):
        raise UnsupportedMediaType()
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
