"""The events about an agent's mandates and registrations reach the agent's bell.

``mandate.revoked`` and ``citizen.takeover_refused`` used to wait in the outbox with no handler;
run through the worker's own handlers they now leave the agent a notice, once however often
they run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.delegation import service as delegation_service
from backend.outbox.doorbell import ArqDoorbell
from backend.outbox.runner import OutboxRunner, RunnerConfig
from backend.outbox.tables import OutboxEvent
from backend.worker import domain_handlers
from notifications.tables import StaffNotice
from tests.delegation.support import agent, paper_mandate, villager
from tests.support import citizen

pytestmark = pytest.mark.workers


async def _run(kind: str, doorbell: ArqDoorbell) -> None:
    runner = OutboxRunner(
        handlers=domain_handlers(),
        config=RunnerConfig(lease_s=30, handler_timeout_s=10, max_attempts=3),
        doorbell=doorbell,
    )
    rows = await OutboxEvent.select(OutboxEvent.id).where(OutboxEvent.kind == kind).run()
    assert rows, kind
    for row in rows:
        assert await runner.run(row["id"]) == "done"
        await (
            OutboxEvent.update({OutboxEvent.status: "pending"})
            .where(OutboxEvent.id == row["id"])
            .run()
        )
        assert await runner.run(row["id"]) == "done"  # a second run writes nothing more


async def _payload_texts(kind: str) -> str:
    rows = await OutboxEvent.select(OutboxEvent.payload).where(OutboxEvent.kind == kind).run()
    assert rows, kind
    return json.dumps([row["payload"] for row in rows], ensure_ascii=False)


async def _notices(who) -> list[dict]:
    response = await who.get("/api/v1/staff/notices")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_revoked_mandate_tells_the_agent(
    api, small_catalogue: Path, elicense, wechat, doorbell: ArqDoorbell
):
    me = await agent(api)
    person = await citizen(api, "c-revokes", name="王秀英")
    mandate = await paper_mandate(me, person.id, items=["GA-CSDJ"])
    revoked = await person.post(f"/api/v1/mandates/{mandate['id']}/revoke")
    assert revoked.status_code == 200, revoked.text

    payloads = await _payload_texts("mandate.revoked")
    assert "王秀英" not in payloads and person.id_number not in payloads

    await _run("mandate.revoked", doorbell)
    notices = await _notices(me)
    assert len(notices) == 1
    assert "王秀英已撤销对您的委托（出生登记）" in notices[0]["text"]
    assert await StaffNotice.count().run() == 1


async def test_a_refused_takeover_tells_the_agent_who_registered_the_villager(
    api, small_catalogue: Path, doorbell: ArqDoorbell
):
    me = await agent(api)
    registered = await villager(me)
    someone = await citizen(api, "c-takes-over", bind=False)
    # What identity binding tells its refusal listeners (backend.identity.takeover).
    await delegation_service.takeover_refused(registered["id"], someone.id, "name_mismatch")
    await delegation_service.takeover_refused(registered["id"], someone.id, "not_matched")

    payloads = await _payload_texts("citizen.takeover_refused")
    assert "张阿大" not in payloads and registered["id_number_masked"] not in payloads
    assert "c-takes-over" not in payloads

    await _run("citizen.takeover_refused", doorbell)
    texts = sorted(n["text"] for n in await _notices(me))
    assert len(texts) == 2
    masked = registered["id_number_masked"]
    assert masked and all(t.startswith(f"您登记的群众张阿大（身份证 {masked}）") for t in texts)
    assert any("填写的姓名与登记的不一致" in t for t in texts)
    assert any("实名核验未通过" in t for t in texts)
