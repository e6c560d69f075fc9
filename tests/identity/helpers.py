"""Helpers of the identity and audit tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.factories import VILLAGE, make_area, make_id_number

__all__ = ["VILLAGE", "Me", "bind_body", "login", "make_id_number", "make_village"]


@dataclass
class Me:
    api: httpx.AsyncClient
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str) -> httpx.Response:
        return await self.api.get(path, headers=self.headers)

    async def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.api.put(path, json=body, headers=self.headers)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.api.post(path, json=body, headers=self.headers)


async def login(api: httpx.AsyncClient, openid: str) -> Me:
    response = await api.post("/api/v1/auth/wechat/login", json={"code": f"test:{openid}"})
    assert response.status_code == 200, response.text
    body = response.json()
    return Me(api, body["citizen"]["id"], body["access_token"])


async def make_village() -> str:
    return await make_area(VILLAGE)


def bind_body(id_number: str, *, name: str = "王秀英", village: str = VILLAGE) -> dict[str, str]:
    return {
        "name": name,
        "id_number": id_number,
        "village_code": village,
        "consent_version": "2026-01",
    }
