"""The HTTP adapter for the identity-verification interface (实名核验), over httpx.

``IDENTITY_VERIFY_URL`` names the endpoint and carries the credentials the district was issued,
as ``https://<app id>:<secret>@host/path``; they are taken out of the URL, never sent as such and
never logged. Each request is JSON, signed::

    POST <url>    {"name": …, "id_number": …, "request_id": …}
    X-App-Id:     <app id>
    X-Timestamp:  <unix seconds>
    X-Nonce:      <32 hex digits, never reused>
    X-Signature:  hex(HMAC-SM3(secret, "<app id>\\n<timestamp>\\n<nonce>\\n" ‖ body))

and the answer is ``{"matched": bool, "reference": str}``. Anything else — a timeout, a refused
connection, an HTTP error, a body of another shape — is ``IdentityVerifyUnavailable``.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import structlog

from backend.identity.ports import IdentityVerifier, IdentityVerifyUnavailable, VerifyResult
from backend.security.fieldcrypt import hmac_sm3
from backend.settings import Settings

log = structlog.get_logger(__name__)

DEFAULT_TIMEOUT_S = 5.0


def sign(*, secret: str, app_id: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac_sm3(secret.encode(), f"{app_id}\n{timestamp}\n{nonce}\n".encode() + body).hex()


def split_credentials(url: str) -> tuple[str, str, str]:
    """``(url without credentials, app id, secret)``."""
    parts = urlsplit(url)
    app_id = unquote(parts.username or "")
    secret = unquote(parts.password or "")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)), app_id, secret


class HttpIdentityVerifier:
    """``IdentityVerifier`` against the district's interface (or the local fake)."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url, self._app_id, self._secret = split_credentials(url)
        if not (self._app_id and self._secret):
            raise ValueError(
                "IDENTITY_VERIFY_URL must carry the app id and secret as user:password"
            )
        self._client = httpx.AsyncClient(timeout=timeout_s, transport=transport)
        self._host = urlsplit(self._url).netloc

    def __repr__(self) -> str:
        return f"HttpIdentityVerifier({self._host!r})"

    async def verify(self, name: str, id_number: str) -> VerifyResult:
        request_id = uuid.uuid4().hex
        body = json.dumps(
            {"name": name, "id_number": id_number, "request_id": request_id},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Id": self._app_id,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": sign(
                secret=self._secret,
                app_id=self._app_id,
                timestamp=timestamp,
                nonce=nonce,
                body=body,
            ),
        }
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("idverify.unreachable", host=self._host, error=type(exc).__name__)
            raise IdentityVerifyUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            event = "idverify.rejected" if response.status_code in {401, 403} else "idverify.error"
            log.warning(event, host=self._host, status=response.status_code, request_id=request_id)
            raise IdentityVerifyUnavailable(f"HTTP {response.status_code}")
        try:
            answer = response.json()
            matched, reference = answer["matched"], answer["reference"]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("idverify.malformed", host=self._host, request_id=request_id)
            raise IdentityVerifyUnavailable("malformed answer") from exc
        if not isinstance(matched, bool) or not isinstance(reference, str):
            log.warning("idverify.malformed", host=self._host, request_id=request_id)
            raise IdentityVerifyUnavailable("malformed answer")
        return VerifyResult(matched=matched, reference=reference[:64])

    async def aclose(self) -> None:
        await self._client.aclose()


def build_identity_verifier(settings: Settings) -> IdentityVerifier | None:
    """The verifier ``IDENTITY_VERIFY_URL`` names, or None (no verification) when it is empty."""
    if not settings.identity_verify_url:
        return None
    return HttpIdentityVerifier(settings.identity_verify_url)
