"""Helpers for the window tests: staff clients, queued cases, the cases' rows."""

from __future__ import annotations

from typing import Any

import httpx

from backend.cases import views as case_views
from backend.cases.store.cases import CaseRecord
from backend.outbox.runner import HandlerContext
from backend.platform.forward import forward_case
from tests.factories import DEFAULT_PASSWORD, make_staff
from tests.support import CitizenClient

TOWNSHIP = "330109110"  # 益农镇 (the test citizens' village is in it)
OTHER_TOWNSHIP = "330109105"  # 瓜沥镇

BIRTH = {
    "delivery": {"method": "window"},
    "form": {
        "baby_name": "王小宝",
        "birth_date": "2026-11-20",
        "relationship": "子",
        "guardian_phone": "13800001111",
    },
}
SINGLE = {**BIRTH, "item_code": "GA-CSDJ"}  # every material shared: nothing to upload
INSURANCE = {"delivery": {"method": "window"}, "item_code": "YB-CBDJ"}  # district-wide


async def staff(
    api: httpx.AsyncClient,
    *,
    role: str = "window",
    username: str,
    area_code: str | None = None,
    department_code: str | None = None,
    display_name: str | None = None,
) -> CitizenClient:
    """A staff member logged in; the client's ``id`` is their staff id."""
    account = await make_staff(
        role=role,
        username=username,
        area_code=area_code,
        department_code=department_code,
        display_name=display_name or username,
    )
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    return CitizenClient(api, {"Authorization": f"Bearer {token}"}, account.id)


async def clerk(
    api: httpx.AsyncClient, username: str = "window-a", area_code: str = TOWNSHIP
) -> CitizenClient:
    return await staff(api, username=username, area_code=area_code)


async def approver(
    api: httpx.AsyncClient, department: str = "GA", area_code: str | None = None
) -> CitizenClient:
    return await staff(
        api,
        role="approver",
        username=f"approver-{department.lower()}-{area_code or 'district'}",
        area_code=area_code,
        department_code=department,
    )


async def row(number: str) -> CaseRecord:
    found = await case_views.case_row(number=number)
    assert found is not None, number
    return found


async def forward(number: str) -> None:
    """What the worker's ``case.forward`` job does, run here (the API server has no worker)."""
    found = await row(number)
    await forward_case(HandlerContext(0, "case.forward", 1), {"case_id": found.id})


async def submitted(me: CitizenClient, body: dict[str, Any] | None = None) -> str:
    response = await me.post("/api/v1/cases", json=body or SINGLE)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


async def queued(me: CitizenClient, body: dict[str, Any] | None = None) -> str:
    number = await submitted(me, body)
    await forward(number)
    return number


def at_window(me: CitizenClient, name: str = "王秀英") -> dict[str, Any]:
    """A delivery at the window, collected by the applicant ``me`` (their ID number checked)."""
    return {"method": "window", "collector_name": name, "collector_id_number": me.id_number}


async def act(
    who: CitizenClient, number: str, action: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    prefix = "review" if action in {"approve", "deny"} else "window"
    return await who.post(f"/api/v1/{prefix}/cases/{number}/{action}", json=body or {})


async def ok(
    who: CitizenClient,
    number: str,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    prefix: str = "window",
) -> dict[str, Any]:
    response = await who.post(f"/api/v1/{prefix}/cases/{number}/{action}", json=body or {})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
