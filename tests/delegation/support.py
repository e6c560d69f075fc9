"""Helpers for the delegation tests: agents, villagers, mandates, filed cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.clock import today
from tests.factories import make_area, make_id_number
from tests.support import VILLAGE, CitizenClient
from tests.window.support import TOWNSHIP, staff

OTHER_VILLAGE = "330109110002"
VILLAGER = {
    "name": "张阿大",
    "id_number": make_id_number(seq=71, birth="19440205"),
    "village_code": VILLAGE,
}
BIRTH_FORM = {
    "baby_name": "张小宝",
    "birth_date": "2026-11-20",
    "relationship": "孙子",
    "guardian_phone": "13800002222",
}
FILING = {"item_code": "GA-CSDJ", "form": BIRTH_FORM, "delivery": {"method": "agent"}}


async def agent(
    api: Any, username: str = "agent-a", area_code: str = VILLAGE, name: str = "陈代办"
) -> CitizenClient:
    if area_code not in (VILLAGE,):
        await make_area(area_code)
    return await staff(api, role="agent", username=username, area_code=area_code, display_name=name)


async def bank_clerk(api: Any, username: str = "bank-a") -> CitizenClient:
    return await staff(
        api, role="agent", username=username, area_code=TOWNSHIP, display_name="农商行柜员"
    )


async def villager(who: CitizenClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await who.post("/api/v1/agent/citizens", json=body or VILLAGER)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


async def paper_mandate(
    who: CitizenClient, citizen_id: str, *, items: list[str] | None = None, expires: int = 30
) -> dict[str, Any]:
    evidence = [await who.upload("委托书"), await who.upload("身份证")]
    response = await who.post(
        "/api/v1/agent/mandates",
        json={
            "citizen_id": citizen_id,
            "item_codes": items or ["GA-CSDJ"],
            "expires_on": days(expires),
            "evidence_upload_ids": evidence,
        },
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def filed(
    who: CitizenClient, mandate_id: str, body: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    response = await who.post(
        "/api/v1/agent/cases", json={**(body or FILING), "mandate_id": mandate_id, **extra}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
