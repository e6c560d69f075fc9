"""The SMS fallback (短信): for citizens without WeChat who have a phone and must act.

``SmsSender`` is the port ``deliver`` calls; ``HttpSmsSender`` is the adapter for the district's
SMS gateway (``SMS_URL``): one JSON POST per message, signed with HMAC-SHA256 over
``<timestamp>\\n<body>`` with ``SMS_SECRET`` (headers ``X-Timestamp``, ``X-Signature``), answered
with ``{"message_id": …}``. The phone number is read from the citizen's record and decrypted only
for the call; it is never logged. ``backend/fakes/sms_server.py`` is the local gateway.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Final, Protocol

import httpx
import structlog

from backend import deadline
from backend.http.outbound import GuardedTransport, OutboundPolicy
from backend.identity.ports import TextUnavailable
from backend.identity.sealed import phone_context
from backend.identity.store import notices as people
from backend.security.fieldcrypt import DecryptionFailed, FieldCipher
from backend.settings import SMS_CONNECT_TIMEOUT_S, SMS_READ_TIMEOUT_S

log = structlog.get_logger(__name__)

TIMESTAMP_HEADER: Final = "X-Timestamp"
SIGNATURE_HEADER: Final = "X-Signature"


class SmsSender(Protocol):
    async def send(self, *, citizen_id: str, text: str) -> str:
        """Send ``text`` to the citizen's phone; returns the gateway's message id."""
        ...


class SmsError(Exception):
    """The SMS was not sent; ``retryable`` when trying again later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 (hex) over ``<timestamp>\\n<body>``, as the gateway checks it."""
    return hmac.new(secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()


class HttpSmsSender:
    """The SMS gateway over HTTP (httpx), with bounded timeouts."""

    def __init__(
        self,
        *,
        url: str,
        secret: str,
        cipher: FieldCipher,
        connect_timeout_s: float = SMS_CONNECT_TIMEOUT_S,
        read_timeout_s: float = SMS_READ_TIMEOUT_S,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        self.url = url
        self._secret = secret
        self._cipher = cipher
        # connect, then the answer (the request itself is a few hundred bytes)
        self._worst_s = connect_timeout_s + read_timeout_s
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            transport=GuardedTransport(outbound or OutboundPolicy(dev_mode=True)),
        )

    async def _phone(self, citizen_id: str) -> str:
        sealed = await people.sealed_phone(citizen_id)
        if sealed is None:
            raise SmsError("the citizen has no phone number", retryable=False)
        try:
            return self._cipher.decrypt(sealed, context=phone_context(citizen_id))
        except DecryptionFailed as exc:
            raise SmsError(f"the phone number does not decrypt: {exc}", retryable=False) from exc

    async def send(self, *, citizen_id: str, text: str) -> str:
        return await self._post(await self._phone(citizen_id), text)

    async def send_to_number(self, *, phone: str, text: str) -> str:
        """The ``TextSender`` port of identity (a phone confirmation code): the number is given,
        not read from a record."""
        try:
            return await self._post(phone, text)
        except SmsError as exc:
            raise TextUnavailable(str(exc)) from None

    async def _post(self, phone: str, text: str) -> str:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self._secret, timestamp, body),
        }
        try:
            deadline.ensure_time_for(self._worst_s, "SMS send")
        except deadline.NoTimeLeft as exc:
            raise SmsError(str(exc), retryable=True) from None
        try:
            # httpx bounds each read, not the answer: a gateway that drips its answer would
            # outlast them, and the job with them
            async with asyncio.timeout(self._worst_s):
                response = await self._client.post(self.url, content=body, headers=headers)
        except TimeoutError:
            raise SmsError(
                f"SMS gateway: no whole answer within {self._worst_s:g} s", retryable=True
            ) from None
        except httpx.HTTPError as exc:
            raise SmsError(
                f"SMS gateway unreachable: {type(exc).__name__}", retryable=True
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise SmsError(f"SMS gateway answered {response.status_code}", retryable=True)
        if response.status_code >= 400:
            raise SmsError(f"SMS gateway refused: {response.status_code}", retryable=False)
        try:
            message_id = response.json()["message_id"]
        except (ValueError, KeyError, TypeError) as exc:
            # 2xx: it was most likely sent, and a retry would send it twice
            raise SmsError("SMS gateway answered without a message id", retryable=False) from exc
        return str(message_id)

    async def aclose(self) -> None:
        await self._client.aclose()
