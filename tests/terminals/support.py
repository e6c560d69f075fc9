"""A self-service terminal in the small test catalogue, and the helpers its tests share.

The catalogue's terminal point ``TERM-330109105`` (瓜沥镇) is made to handle 出生登记 and the
item is offered at self-service terminals, by importing the catalogue again with those two
changes (the administrator's own import path).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx

from backend.audit.service import Actor, AuditLog
from backend.terminals import service
from tests.support import CitizenClient
from tests.window.support import OTHER_TOWNSHIP

POINT = "TERM-330109105"
POINT_TOWNSHIP = OTHER_TOWNSHIP  # 瓜沥镇
HALL = "HALL-330109110"  # not a terminal point
ADMIN = Actor("system", "cli:test")


async def kiosk_catalogue(fixtures: Path, tmp: Path) -> None:
    """The small catalogue with 出生登记 offered at the terminal ``POINT``."""
    from backend.clock import today
    from backend.imports.service import import_batch, read_file

    folder = tmp / "catalogue"
    shutil.copytree(fixtures, folder)
    items = (folder / "items.csv").read_text(encoding="utf-8")
    items = items.replace(
        "GA-CSDJ,出生登记,GA,镇街,窗口、代办、网办",
        "GA-CSDJ,出生登记,GA,镇街,窗口、代办、网办、自助",
    )
    (folder / "items.csv").write_text(items, encoding="utf-8")
    with (folder / "handles.csv").open("a", encoding="utf-8") as handles:
        handles.write(f"{POINT},GA-CSDJ\n")
    await import_batch(read_file(folder), effective_from=today())


async def issued(audit_key: str, name: str = "1号自助机") -> service.Credential:
    return await service.issue(audit=AuditLog(audit_key), actor=ADMIN, point_code=POINT, name=name)


async def terminal_login(api: httpx.AsyncClient, credential: service.Credential) -> CitizenClient:
    response = await api.post(
        "/api/v1/auth/terminal/login",
        json={"terminal_id": credential.terminal.id, "secret": credential.secret},
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    return CitizenClient(api, {"Authorization": f"Bearer {token}"}, credential.terminal.id)


def card(name: str, id_number: str) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": id_number,
        "reader": {"serial": "SR-TEST-01", "read_at": "2026-12-07T09:30:00+08:00"},
    }


async def session(
    device: CitizenClient, name: str, id_number: str
) -> tuple[CitizenClient, dict[str, Any]]:
    """A citizen's session opened at ``device`` by a card read; the client and the answer."""
    response = await device.post("/api/v1/terminal/sessions", json=card(name, id_number))
    assert response.status_code == 201, response.text
    body = response.json()
    client = CitizenClient(
        device.api, {"Authorization": f"Bearer {body['access_token']}"}, body["citizen"]["id"]
    )
    client.name, client.id_number = name, id_number
    return client, body
