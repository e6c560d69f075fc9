"""``mandate.requested`` payloads name the mandate, its citizen and its agent by id only.

The message asking the citizen to confirm names the agent and the scope; the planner reads
them through delegation's and identity's stores when it runs — and writes nothing once the
mandate no longer awaits the citizen. A row of the old, unversioned shape plans the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend import db
from backend.delegation.events import read_mandate_requested
from notifications import planner
from tests.delegation.support import agent, days
from tests.support import citizen

pytestmark = pytest.mark.integration


async def _payload(mandate_id: str) -> dict[str, Any]:
    rows = await db.fetch(
        "SELECT payload FROM outbox_event WHERE kind = 'mandate.requested'"
        " AND payload->>'mandate_id' = $1",
        mandate_id,
    )
    assert len(rows) == 1, rows
    payload = rows[0]["payload"]
    return dict(json.loads(payload) if isinstance(payload, str) else payload)


async def test_a_mandate_request_asks_the_citizen_and_keeps_names_out_of_the_outbox(
    api, small_catalogue: Path, wechat
) -> None:
    me = await agent(api)
    person = await citizen(api, "me-asked", seq=74, name="欧阳明")
    asked = await me.post(
        "/api/v1/agent/mandates",
        json={"citizen_id": person.id, "item_codes": ["GA-CSDJ"], "expires_on": days(10)},
    )
    assert asked.status_code == 201, asked.text
    mandate_id = asked.json()["id"]
    payload = await _payload(mandate_id)

    text = json.dumps(payload, ensure_ascii=False)
    assert "欧阳明" not in text and "陈代办" not in text and "me-asked" not in text
    assert person.id_number not in text
    event = read_mandate_requested(payload)
    assert (event.mandate_id, event.citizen_id) == (mandate_id, person.id)

    planned = await planner.plan_mandate(event)
    assert planned is not None and planned.key == f"mandate:{mandate_id}"
    assert planned.recipient.citizen_id == person.id and planned.recipient.openid == "me-asked"
    assert planned.body == "代办员陈代办申请代您办理“出生登记”，请在小程序“我的委托”中确认或拒绝。"
    assert planned.values["expires"] == days(10)
    legacy = {k: v for k, v in payload.items() if k != "version"}
    assert await planner.plan_mandate(read_mandate_requested(legacy)) == planned

    confirmed = await person.post(f"/api/v1/mandates/{mandate_id}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert await planner.plan_mandate(event) is None  # no longer awaits the citizen
