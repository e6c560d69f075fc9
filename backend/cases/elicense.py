"""HTTP adapter of the e-licence / data-sharing service.

``POST {base}licenses/query`` with ``{"name", "id_number", "material_type"}`` answers
``{"found": true, "reference": "..."}`` or ``{"found": false}``. Requests are signed with an
HMAC of the body; a timeout or an error counts as "not shared" (the citizen can still upload),
and is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import structlog

from backend.cases.ports import SharedRecord

log = structlog.get_logger(__name__)


class ElicenseClient:
    def __init__(self, *, base_url: str, secret: str, timeout_s: float = 3.0) -> None:
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/", timeout=timeout_s)
        self._key = hashlib.sha256(b"jiujinban-elicense|" + secret.encode()).digest()

    async def lookup(self, *, name: str, id_number: str, material_type: str) -> SharedRecord | None:
        body = json.dumps(
            {"name": name, "id_number": id_number, "material_type": material_type},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        signature = hmac.new(self._key, body, hashlib.sha256).hexdigest()
        try:
            response = await self._client.post(
                "licenses/query",
                content=body,
                headers={"content-type": "application/json", "x-signature": signature},
            )
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning(
                "elicense_unavailable", material_type=material_type, error=type(exc).__name__
            )
            return None
        if not answer.get("found"):
            return None
        return SharedRecord(
            material_type=material_type, reference=str(answer.get("reference", ""))[:80]
        )

    async def close(self) -> None:
        await self._client.aclose()
