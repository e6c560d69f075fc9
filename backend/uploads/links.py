"""Signed links to a file: ``<upload id>.<expiry>.<HMAC-SHA256>``, the capability to read it.

The MAC key is derived from ``SECRET_KEY`` with a purpose label, so no other token (a login
JWT, a portal session) can ever be replayed as a file link, nor the reverse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime

from backend.errors import NotFound
from backend.uploads import messages

FILES_PATH = "/api/v1/files/"
_PURPOSE = b"jiujinban/uploads/signed-link/v1"
_TOKEN = re.compile(r"^(up_[A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()


def _mac(secret_key: str, upload_id: str, expires: int) -> str:
    digest = hmac.new(_key(secret_key), f"{upload_id}.{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def make_token(secret_key: str, upload_id: str, expires: int) -> str:
    return f"{upload_id}.{expires}.{_mac(secret_key, upload_id, expires)}"


def check_token(secret_key: str, token: str, *, now: datetime) -> str:
    """The upload id a genuine, unexpired token names; else 404 (forged) or 410 (expired)."""
    match = _TOKEN.match(token)
    if match is None:
        raise NotFound(messages.LINK_INVALID, code="link_invalid")
    upload_id, expires_text, mac = match.groups()
    expires = int(expires_text)
    if not hmac.compare_digest(mac, _mac(secret_key, upload_id, expires)):
        raise NotFound(messages.LINK_INVALID, code="link_invalid")
    if now.timestamp() >= expires:
        raise messages.Gone(messages.LINK_EXPIRED, code="link_expired")
    return upload_id
