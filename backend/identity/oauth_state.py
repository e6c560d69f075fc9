"""The ``state`` of an H5 WeChat sign-in: proof that the backend started it, recently, for the
browser that now returns with it — and only once.

WeChat hands ``state`` back unchanged with the code and accepts only ``[A-Za-z0-9]`` up to 128
bytes, so it is ``<expiry, 10 digits><id, 16 hex><HMAC-SHA256 with SECRET_KEY, first 32 hex>``
— 58 characters. The HMAC covers the expiry, the id and the SHA-256 of the browser's nonce: the
page makes a random nonce, keeps it in its own ``sessionStorage`` and sends it both when it asks
for the authorize URL and when it posts the code, so a state (and a code) carried to another
browser is refused there (login CSRF). A state past its expiry, not made with our key, or made
for another nonce, is refused; :func:`spend_state` makes each one usable once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any, Final

STATE_TTL_S: Final = 600
NONCE_PATTERN: Final = r"^[A-Za-z0-9_-]{22,64}$"
_SHAPE = re.compile(r"(\d{10})([0-9a-f]{16})([0-9a-f]{32})")
_NONCE = re.compile(NONCE_PATTERN)


def _mac(secret_key: str, expiry: str, state_id: str, nonce: str) -> str:
    key = hashlib.sha256(b"wechat-oauth-state:" + secret_key.encode()).digest()
    nonce_hash = hashlib.sha256(nonce.encode()).hexdigest()
    return hmac.new(key, f"{expiry}.{state_id}.{nonce_hash}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def nonce_ok(nonce: str) -> bool:
    """22 to 64 URL-safe characters (at least 128 random bits from the browser)."""
    return _NONCE.fullmatch(nonce) is not None


def make_state(*, secret_key: str, nonce: str, now: datetime) -> str:
    expiry = f"{int(now.timestamp()) + STATE_TTL_S:010d}"
    state_id = secrets.token_hex(8)
    return expiry + state_id + _mac(secret_key, expiry, state_id, nonce)


def state_ok(*, secret_key: str, state: str, nonce: str, now: datetime) -> bool:
    """Ours, unexpired, and made for this ``nonce`` (it does not say whether it was used)."""
    match = _SHAPE.fullmatch(state)
    if match is None or not nonce_ok(nonce):
        return False
    expiry, state_id, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(secret_key, expiry, state_id, nonce)):
        return False
    return int(expiry) >= int(now.timestamp())


async def spend_state(redis: Any, *, prefix: str, state: str, now: datetime) -> bool:
    """Mark a valid ``state`` used; False when it was used before.

    Redis ``SET NX`` under ``<prefix>:oauth-state:<state>``, kept for the state's remaining
    life (it is refused afterwards anyway). A Redis flush could let a used state through again
    within its 10 minutes, but only from the browser holding its nonce, with a fresh code.
    """
    remaining = max(1, int(state[:10]) - int(now.timestamp()) + 1)
    first = await redis.set(f"{prefix}:oauth-state:{state}", b"1", nx=True, ex=remaining)
    return bool(first)
