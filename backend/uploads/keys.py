"""Storage keys: content-addressed, sharded, and checked before any store touches them."""

from __future__ import annotations

import re

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
MAX_KEY = 512


class UnsafeKey(ValueError):
    """A key that could escape the store's root or is not one of ours."""


def key_for(sha256: str) -> str:
    """``ab/cd/abcd…``: two levels of sharding keep directories small."""
    if not _SHA256.match(sha256):
        raise UnsafeKey("not a lowercase hex SHA-256")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def check_key(key: str) -> str:
    """Return ``key`` if it is a plain relative path of safe segments, else raise.

    Refuses absolute paths, backslashes, empty segments and any ``.``/``..`` segment: a key is
    never trusted to stay inside the store on its own.
    """
    if not key or len(key) > MAX_KEY or key.startswith("/") or "\\" in key or "\x00" in key:
        raise UnsafeKey(f"unsafe storage key {key!r}")
    for segment in key.split("/"):
        if segment in {".", ".."} or not _SEGMENT.match(segment):
            raise UnsafeKey(f"unsafe storage key {key!r}")
    return key
