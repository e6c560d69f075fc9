"""``case.event`` payloads carry their facts: typed, versioned, with ids and codes only.

The outbox row of a step names the case, its applicant (by id) and who serves it, so the
planner writes its messages without reading the case tables; a row written before payloads
carried their facts (only ``{"event_id"}``) plans the same messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from backend import db
from backend.cases import events
from backend.cases.events import CaseEventV1, UnknownVersion
from notifications import planner
from tests.notifications.test_delivery import submit
from tests.support import citizen
from tests.window.support import TOWNSHIP, clerk, ok, queued

pytestmark = pytest.mark.integration


async def _payload(number: str, action: str) -> dict[str, Any]:
    rows = await db.fetch(
        "SELECT o.payload FROM outbox_event o WHERE o.kind = 'case.event'"
        " AND o.payload->'case'->>'number' = $1 AND o.payload->>'action' = $2",
        number,
        action,
    )
    assert len(rows) == 1, rows
    payload = rows[0]["payload"]
    return dict(json.loads(payload) if isinstance(payload, str) else payload)


async def test_the_payload_of_a_step_names_its_case_by_ids_and_codes_only(
    api, small_catalogue: Path, elicense
) -> None:
    me = await citizen(api, "ce-facts", name="欧阳明")
    number = await submit(me)
    payload = await _payload(number, "submit")

    event = msgspec.convert(payload, CaseEventV1)
    assert event.version == events.CASE_EVENT_VERSION
    assert event.case.number == number and event.case.applicant_id == me.id
    assert event.case.filed_by_kind == "self" and event.case.parent_id is None
    text = json.dumps(payload, ensure_ascii=False)
    assert "欧阳明" not in text and me.id_number not in text and "ce-facts" not in text


async def test_a_row_of_the_old_shape_plans_the_same_message(
    api, small_catalogue: Path, elicense
) -> None:
    me = await citizen(api, "ce-legacy")
    number = await submit(me)
    payload = await _payload(number, "submit")

    current = await events.read_case_event(payload)
    legacy = await events.read_case_event({"event_id": payload["event_id"]})
    assert current is not None and legacy == current
    planned = await planner.plan_case_event(current)
    assert planned is not None
    assert planned.key == f"case-event:{payload['event_id']}"
    assert planned.recipient.citizen_id == me.id and planned.recipient.openid == "ce-legacy"
    assert number in planned.body
    assert await events.read_case_event({"event_id": 0}) is None


async def test_a_newer_version_than_the_handler_knows_is_left_for_a_later_run() -> None:
    with pytest.raises(UnknownVersion):
        await events.read_case_event({"version": events.CASE_EVENT_VERSION + 1, "event_id": 1})


async def test_a_rejection_keeps_its_reason_out_of_the_outbox_and_in_the_message(
    api, small_catalogue: Path, elicense
) -> None:
    me = await citizen(api, "ce-reject")
    number = await queued(me)
    reason = "申请人欧阳明的材料不全"
    await ok(await clerk(api), number, "reject", {"reason": reason})
    payload = await _payload(number, "reject")

    assert reason not in json.dumps(payload, ensure_ascii=False)
    event = await events.read_case_event(payload)
    assert event is not None and event.case.township == TOWNSHIP
    planned = await planner.plan_case_event(event)
    assert planned is not None and planned.event == "case.rejected"
    assert reason in planned.body


async def test_an_accepted_case_carries_its_deadline_to_the_message(
    api, small_catalogue: Path, elicense
) -> None:
    me = await citizen(api, "ce-deadline")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    payload = await _payload(number, "accept")

    deadline = await db.fetchval("SELECT deadline FROM case_record WHERE number = $1", number)
    assert deadline is not None and payload["deadline"] == deadline.isoformat()
    event = await events.read_case_event(payload)
    assert event is not None and event.deadline == deadline
    planned = await planner.plan_case_event(event)
    assert planned is not None and planned.event == "case.accepted"
    assert str(deadline) in str(planned.values["note"])

    older = {k: v for k, v in payload.items() if k != "deadline"}  # a row written before
    from_older = await events.read_case_event(older)
    assert from_older is not None and from_older.deadline is None
    assert await planner.plan_case_event(from_older) == planned
