"""Signatures of platform requests, both ways (standard library only).

The signer puts the Unix time in ``X-Platform-Timestamp`` and
``hex(HMAC-SHA256(secret, "<timestamp>." + body))`` in ``X-Platform-Signature``; its account is
``X-Platform-App-Id``. The receiver recomputes the HMAC over the raw body bytes it got and
refuses a timestamp more than ``max_age_s`` away from its own clock.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Final

APP_ID_HEADER: Final = "X-Platform-App-Id"
TIMESTAMP_HEADER: Final = "X-Platform-Timestamp"
SIGNATURE_HEADER: Final = "X-Platform-Signature"
MAX_AGE_S: Final = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, app_id: str, secret: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        APP_ID_HEADER: app_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def fresh(timestamp: str, *, max_age_s: int = MAX_AGE_S, now: float | None = None) -> bool:
    """The timestamp is a whole number of seconds within ``max_age_s`` of now (either side)."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    return abs(current - int(timestamp)) <= max_age_s


def valid(secret: str, timestamp: str, body: bytes, given: str) -> bool:
    if not timestamp.isascii() or not given.isascii():
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given.strip().lower())
