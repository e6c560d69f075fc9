"""Helpers for API tests: a citizen with a bound identity, uploads of real images."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image

from tests.factories import make_id_number

VILLAGE = "330109110001"  # 群围村, 益农镇 (in the small test catalogue)


@dataclass
class CitizenClient:
    api: httpx.AsyncClient
    headers: dict[str, str]
    id: str
    id_number: str | None = None
    name: str | None = None
    """The name bound with the ID number (a collector at the window must give it)."""

    async def get(self, path: str, **kw: object) -> httpx.Response:
        return await self.api.get(path, headers=self.headers, **kw)  # type: ignore[arg-type]

    async def post(self, path: str, **kw: object) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}  # type: ignore[dict-item]
        return await self.api.post(path, headers=headers, **kw)  # type: ignore[arg-type]

    async def upload(self, material_type: str, *, size: tuple[int, int] = (64, 48)) -> str:
        buffer = io.BytesIO()
        Image.new("RGB", size, (200, 180, 40)).save(buffer, format="PNG")
        response = await self.post(
            "/api/v1/uploads",
            files={"file": ("photo.png", buffer.getvalue(), "image/png")},
            data={"material_type": material_type},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


async def citizen(
    api: httpx.AsyncClient, openid: str, *, bind: bool = True, seq: int = 1, name: str = "王秀英"
) -> CitizenClient:
    login = await api.post("/api/v1/auth/wechat/login", json={"code": f"test:{openid}"})
    assert login.status_code == 200, login.text
    body = login.json()
    client = CitizenClient(
        api, {"Authorization": f"Bearer {body['access_token']}"}, body["citizen"]["id"]
    )
    if bind:
        client.id_number = make_id_number(seq=seq, birth="19560312", male=False)
        client.name = name
        bound = await api.put(
            "/api/v1/me/identity",
            json={
                "name": name,
                "id_number": client.id_number,
                "village_code": VILLAGE,
                "consent_version": "2026-01",
            },
            headers=client.headers,
        )
        assert bound.status_code == 200, bound.text
    return client


def screenshots(name: str) -> Path:
    """Where a test keeps the pictures it takes of ``name`` (pages, PDF previews) for people to
    look at: ``SCREENSHOTS_DIR`` if set, else ``test-artifacts/screenshots/`` in the checkout."""
    root = Path(__file__).resolve().parent.parent
    base = Path(os.environ.get("SCREENSHOTS_DIR", root / "test-artifacts" / "screenshots"))
    return base / name
