"""Refuse request text PostgreSQL or the decoders cannot hold, before any handler runs.

PostgreSQL ``text`` cannot store a NUL character, so a NUL anywhere in what a client sends would
surface deep inside a handler as a database error, after some work was done. This guard
answers 400 before any of that, for every route and every caller (including the public logins):

- a NUL (raw or percent-encoded) or invalid UTF-8 in the path or the query string;
- in a JSON body: invalid UTF-8, a ``\\u0000`` escape (raw control characters are already
  refused by the JSON decoder), or nesting deeper than ``MAX_JSON_DEPTH``;
- in a form body (``application/x-www-form-urlencoded``): a NUL or invalid UTF-8.

:func:`screen` runs in :func:`backend.http.edge.edge_middleware`, before the app. Multipart
bodies carry binary files and are not scanned; their text fields are checked where
they are decoded (``backend/http/problems.py`` maps the decoder's and the database's refusals).
Under ``pages_under`` (the staff portal's /portal) the refusal is raised as ``InputRefused``
instead, for the route's exception handlers to answer with the portal's own page; every other
address gets the problem document written here.
The cost on the hot path is a few C-speed scans of the bodies Litestar buffers anyway; the depth
walk runs only for a body with more than ``MAX_JSON_DEPTH`` brackets.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from litestar.exceptions import HTTPException
from litestar.types import (
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

MAX_JSON_DEPTH = 64
"""Deeper JSON than any request body of the API needs (the deepest, a case form, is 3)."""

# A \u0000 escape that is not itself escaped: an even number of backslashes before it.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_JSON_TYPES = (b"application/json", b"+json")
_FORM_TYPE = b"application/x-www-form-urlencoded"

INVALID_CHARACTERS = (
    "invalid_characters",
    "请求中含有不允许的字符（如空字符或无效编码），请检查后重试。",
)
TOO_DEEP = ("json_too_deep", "请求内容嵌套层级过深。")
TOO_LARGE = ("payload_too_large", "提交的内容过大。")
MAX_BUFFERED = 10 * 1024 * 1024
"""The most of a JSON or form body buffered for the checks (Litestar's own default limit)."""


class InputRefused(HTTPException):
    """A refusal of this guard under ``pages_under``, for the route's handlers to answer."""

    def __init__(self, refusal: tuple[str, str], status: int = 400) -> None:
        super().__init__(detail=refusal[1], status_code=status)
        self.code = refusal[0]


def _under(path: str, prefix: str | None) -> bool:
    return prefix is not None and (path == prefix or path.startswith(prefix + "/"))


def _text_refused(raw: bytes) -> bool:
    """A percent-encoded text with a NUL or that is not UTF-8 once decoded."""
    decoded = unquote_to_bytes(raw) if b"%" in raw else raw
    if b"\x00" in decoded:
        return True
    if decoded.isascii():
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects deeper than ``limit`` (strings are skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = False
    escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _body_refusal(content_type: bytes, body: bytes) -> tuple[str, str] | None:
    kind = content_type.split(b";", 1)[0].strip().lower()
    if kind.endswith(_JSON_TYPES[1]) or kind == _JSON_TYPES[0]:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return INVALID_CHARACTERS
        if b"\x00" in body or _NUL_ESCAPE.search(body):
            return INVALID_CHARACTERS
        if json_depth_exceeds(body):
            return TOO_DEEP
    elif kind == _FORM_TYPE and _text_refused(body.replace(b"+", b" ")):
        return INVALID_CHARACTERS
    return None


def _checks_body(content_type: bytes) -> bool:
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == _JSON_TYPES[0] or kind.endswith(_JSON_TYPES[1]) or kind == _FORM_TYPE


async def _refuse(send: Send, refusal: tuple[str, str], status: int = 400) -> None:
    from backend.http.problems import PROBLEM_JSON, TITLES, TYPE_BASE

    code, detail = refusal
    body = json.dumps(
        {
            "type": TYPE_BASE + code,
            "title": TITLES[status],
            "status": status,
            "code": code,
            "detail": detail,
        },
        ensure_ascii=False,
    ).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


async def screen(
    scope: Scope, receive: Receive, send: Send, pages_under: str | None = None
) -> Receive | None:
    """The guard, before the app runs: the ``receive`` to hand the app (the body replayed when
    it was read for the checks), or None when the request was refused — answered through
    ``send`` or, under the path prefix ``pages_under``, raised as :class:`InputRefused`."""
    pages = _under(scope["path"], pages_under)

    async def refuse(refusal: tuple[str, str], status: int = 400) -> None:
        if pages:
            raise InputRefused(refusal, status)
        await _refuse(send, refusal, status)

    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if (
        "\x00" in scope["path"]
        or _text_refused(raw_path)
        or _text_refused(scope.get("query_string", b""))
    ):
        await refuse(INVALID_CHARACTERS)
        return None
    content_type = b""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value
            break
    if not _checks_body(content_type):
        return receive
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BUFFERED:
            await refuse(TOO_LARGE, 413)
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    refusal = _body_refusal(content_type, body)
    if refusal is not None:
        await refuse(refusal)
        return None
    replayed = False

    async def replay() -> ReceiveMessage:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
