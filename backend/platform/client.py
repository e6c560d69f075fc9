"""HTTP adapter of the external one-window platform, and the worker's directory of clients.

``POST {base_url}cases`` with the case as JSON, signed (``backend.platform.signing``) and with
``Idempotency-Key: <case number>``; the platform answers 200/201 ``{"external_id"}``, the same
receipt for a repeated key. Timeouts, refused connections, 5xx, 408 and 429 are
``PlatformUnavailable`` (retry); any other 4xx is ``PlatformRejected`` (retrying cannot help).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import httpx
import structlog

from backend.http.outbound import GuardedTransport
from backend.platform.config import PlatformConfig
from backend.platform.ports import (
    OneWindowPlatform,
    PlatformRejected,
    PlatformUnavailable,
    PushedCase,
    PushReceipt,
)
from backend.platform.signing import signed_headers

log = structlog.get_logger(__name__)

RETRYABLE_4XX = frozenset({408, 425, 429})


def push_body(case: PushedCase) -> bytes:
    """The JSON body of a push (compact, UTF-8, keys in a stable order)."""
    data: dict[str, Any] = asdict(case)
    data["submitted_at"] = case.submitted_at.isoformat()
    data["form"] = dict(case.form)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _platform_message(response: httpx.Response) -> str:
    try:
        answer = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(answer, dict):
        return str(answer.get("message") or answer.get("error") or answer.get("code") or "")[:200]
    return ""


class HttpPlatformClient:
    def __init__(
        self,
        *,
        base_url: str,
        app_id: str,
        secret: str,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.app_id = app_id
        self._secret = secret
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            transport=transport,
            follow_redirects=False,
        )

    async def push(self, case: PushedCase) -> PushReceipt:
        body = push_body(case)
        headers = {
            "content-type": "application/json; charset=utf-8",
            "Idempotency-Key": case.number,
            **signed_headers(app_id=self.app_id, secret=self._secret, body=body),
        }
        try:
            response = await self._client.post("cases", content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise PlatformUnavailable(f"timeout ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(f"unreachable ({type(exc).__name__}: {exc})") from exc
        status = response.status_code
        if 400 <= status < 500 and status not in RETRYABLE_4XX:
            raise PlatformRejected(f"HTTP {status} {_platform_message(response)}".rstrip())
        if not 200 <= status < 300:  # 5xx, 408/425/429, or a redirect (a base URL to fix)
            raise PlatformUnavailable(f"HTTP {status} {_platform_message(response)}".rstrip())
        try:
            external_id = str(response.json()["external_id"]).strip()
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformUnavailable(f"HTTP {status} without an external_id") from exc
        if not external_id:
            raise PlatformUnavailable(f"HTTP {status} with an empty external_id")
        return PushReceipt(external_id=external_id[:80])

    async def aclose(self) -> None:
        await self._client.aclose()


class PlatformClients:
    """One client per platform account, made on first use; the worker closes them on shutdown.

    A township row names the platform's URL and our ``app_id`` there; the secret comes from
    ``PLATFORM_SECRETS``. An account without a secret is reported as unavailable, so its cases
    wait (and retry) until the configuration is fixed instead of failing for good.
    """

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self._clients: dict[tuple[str, str], HttpPlatformClient] = {}

    def for_platform(self, *, base_url: str, app_id: str) -> OneWindowPlatform:
        secret = self.config.secret_for(app_id)
        if secret is None:
            return _Unconfigured(app_id)
        key = (base_url, app_id)
        client = self._clients.get(key)
        if client is None:
            client = HttpPlatformClient(
                base_url=base_url,
                app_id=app_id,
                secret=secret,
                connect_timeout_s=self.config.connect_timeout_s,
                read_timeout_s=self.config.read_timeout_s,
                transport=GuardedTransport(self.config.outbound),
            )
            self._clients[key] = client
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


class _Unconfigured:
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id

    async def push(self, case: PushedCase) -> PushReceipt:
        log.error("platform_secret_missing", app_id=self.app_id)
        raise PlatformUnavailable(f"PLATFORM_SECRETS has no secret for app id {self.app_id!r}")
