"""Paths as they go into the logs."""

from __future__ import annotations

import re
from typing import Final

_SIGNED_LINK: Final = re.compile(r"^(?P<route>/api/v1/files/)[^/]+(?P<rest>.*)$")
_VERIFY_LINK: Final = re.compile(r"^(?P<route>/verify/)[^/]+(?P<rest>.*)$")
_TOKEN_ROUTES: Final = ("/api/v1/files/", "/verify/")


_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def logged_path(path: str) -> str:
    """The path as logged: a signed link's token is the permission to open a citizen's file
    until it expires, and a notice's verification token (``/verify/<token>``, printed on the
    paper) opens its facts, so neither reaches the log; control characters (a NUL, an escape
    sequence someone put in a URL) are written as ``\\xNN`` so they cannot cut a log line or
    drive the terminal of whoever reads the log."""
    if not path.isprintable():  # every control character is unprintable: most paths skip this
        path = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", path)
    if not path.startswith(_TOKEN_ROUTES):
        return path
    path = _SIGNED_LINK.sub(r"\g<route>…\g<rest>", path)
    return _VERIFY_LINK.sub(r"\g<route>…\g<rest>", path)
