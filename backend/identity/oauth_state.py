"""The ``state`` of an H5 WeChat sign-in: proof that the backend started it, recently.

WeChat hands ``state`` back unchanged with the code and accepts only ``[A-Za-z0-9]`` up to 128
bytes, so it is ``<expiry, 10 digits><nonce, 16 hex><HMAC-SHA256 over both with SECRET_KEY,
first 32 hex>`` — 58 characters. A state past its expiry, or not made with our key, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Final

STATE_TTL_S: Final = 600
_SHAPE = re.compile(r"(\d{10})([0-9a-f]{16})([0-9a-f]{32})")


def _mac(secret_key: str, expiry: str, nonce: str) -> str:
    key = hashlib.sha256(b"wechat-oauth-state:" + secret_key.encode()).digest()
    return hmac.new(key, f"{expiry}.{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def make_state(*, secret_key: str, now: datetime) -> str:
    expiry = f"{int(now.timestamp()) + STATE_TTL_S:010d}"
    nonce = secrets.token_hex(8)
    return expiry + nonce + _mac(secret_key, expiry, nonce)


def state_ok(*, secret_key: str, state: str, now: datetime) -> bool:
    match = _SHAPE.fullmatch(state)
    if match is None:
        return False
    expiry, nonce, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(secret_key, expiry, nonce)):
        return False
    return int(expiry) >= int(now.timestamp())
