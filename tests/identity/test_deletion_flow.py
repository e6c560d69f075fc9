"""A deletion request carried out end to end (PIPL art. 47).

The real app (uvicorn) takes the request and the administrator's decision; an in-process
worker runs the outbox (the citizen told, then erased); ``pg_dump`` of the whole database is
searched for what identified the person. One person has no case (nothing of them may be
left), one has a delivered case (the file kept intact and restricted, everything else gone).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from backend.audit.tables import AuditEvent
from backend.cases.tables import Case, CaseEvent
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.tables import Citizen, DeletionRequest
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.settings import Settings
from backend.uploads.tables import Upload
from notifications import privacy
from notifications.tables import Message
from tests.api.test_login import assert_problem
from tests.support import CitizenClient, citizen
from tests.window.support import approver, at_window, clerk, ok, queued, staff
from tests.workers.conftest import running_worker

pytestmark = pytest.mark.workers

PHONE = "13912345678"


async def _person(api: Any, openid: str, name: str, seq: int) -> CitizenClient:
    me = await citizen(api, openid, name=name, seq=seq)
    assert (await me.post("/api/v1/me/phone", json={"code": f"phone:{PHONE}"})).status_code == 200
    await me.upload("身份证")  # never attached to a case
    return me


async def _ask(me: CitizenClient) -> str:
    asked = await me.post("/api/v1/me/deletion-request", json={"reason": "不再使用"})
    assert asked.status_code == 202, asked.text
    return str(asked.json()["id"])


async def _decide(api: Any, request_id: str) -> CitizenClient:
    admin = await staff(api, role="admin", username=f"admin-{request_id[:6]}")
    listed = (
        await admin.get("/api/v1/admin/deletion-requests", params={"status": "pending"})
    ).json()
    assert [r["id"] for r in listed["items"]] == [request_id]
    no_reason = await admin.post(
        f"/api/v1/admin/deletion-requests/{request_id}/approve", json={"reason": " "}
    )
    assert_problem(no_reason, 422, "reason_required")
    done = await admin.post(
        f"/api/v1/admin/deletion-requests/{request_id}/approve", json={"reason": "核实无误"}
    )
    assert done.status_code == 200 and done.json()["status"] == "approved", done.text
    return admin


async def _told_then_erased(me: CitizenClient, request_id: str, settings: Settings) -> None:
    """The citizen reads the outcome in the inbox before anything is erased; then the worker
    carries the erasure out."""
    decided = (
        await OutboxEvent.select()
        .where(OutboxEvent.kind == "privacy.deletion_decided")
        .first()
        .run()
    )
    payload = decided["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    await privacy.on_deletion_decided(HandlerContext(decided["id"], decided["kind"], 1), payload)
    inbox = (await me.get("/api/v1/messages")).json()
    told = [m for m in inbox["items"] if m["title"] == "个人信息删除申请处理结果"]
    assert told and "已通过" in told[0]["body"], inbox
    async with running_worker(settings, {}):
        deadline = time.monotonic() + 60  # a liveness deadline, not a timing assertion
        while time.monotonic() < deadline:
            row = (
                await DeletionRequest.select().where(DeletionRequest.id == request_id).first().run()
            )
            if row["status"] == "completed":
                break
            await asyncio.sleep(0.1)
        assert row["status"] == "completed", row


async def _refused_token(me: CitizenClient) -> float:
    """Seconds until the old token is refused (each API process trusts a citizen it has seen
    for CITIZEN_CHECK_TTL_S; see the report of this change)."""
    started = time.monotonic()
    while time.monotonic() - started < 30:
        response = await me.get("/api/v1/me")
        if response.status_code == 401:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    raise AssertionError("the old token still works")


def _dump(settings: Settings) -> str:
    return subprocess.run(
        ["pg_dump", "--data-only", settings.database_url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _found(dump: str, needles: dict[str, str]) -> dict[str, int]:
    return {label: dump.count(value) for label, value in needles.items()}


async def test_a_person_without_cases_leaves_nothing_behind(
    api, wechat: FakeWeChat, small_catalogue: Path, settings: Settings
):
    name, openid = "欧阳娜娜", "del-openid-nocase"
    me = await _person(api, openid, name, seq=501)
    stored = [
        Path(settings.storage_dir) / r["storage_key"]
        for r in await Upload.select(Upload.storage_key).run()
    ]
    assert stored and all(p.exists() for p in stored)
    request_id = await _ask(me)
    await _decide(api, request_id)
    await _told_then_erased(me, request_id, settings)
    waited = await _refused_token(me)

    dump = _dump(settings)
    found = _found(
        dump,
        {
            "name": name,
            "id number": str(me.id_number),
            "masked id": str(me.id_number)[:3] + "*" * 11 + str(me.id_number)[-4:],
            "phone": PHONE,
            "masked phone": PHONE[:3] + "****" + PHONE[-4:],
            "openid": openid,
            "citizen id": me.id,
        },
    )
    erased = await AuditEvent.select().where(AuditEvent.action == "privacy_erased").run()
    print(f"\nno case: pg_dump occurrences {found}; old token refused after {waited:.1f} s;")
    print(f"audit: {[(e['action'], e['subject_kind'], e['reason']) for e in erased]}")
    left = [line[:300] for line in dump.splitlines() if any(v in line for v in (me.id, name))]
    assert found == dict.fromkeys(found, 0), f"left in the dump: {left}"
    assert await Upload.count().run() == 0
    assert not any(p.exists() for p in stored)  # the stored files went with the rows
    assert await Citizen.count().run() == 0
    assert len(erased) == 1 and erased[0]["subject_id"] == request_id
    assert name not in erased[0]["reason"]


async def test_a_delivered_case_is_kept_restricted_and_the_rest_goes(
    api, wechat: FakeWeChat, small_catalogue: Path, elicense, settings: Settings
):
    name, openid = "司马青", "del-openid-case"
    me = await _person(api, openid, name, seq=502)
    number = await queued(me)
    desk, ga = await clerk(api), await approver(api, "GA")
    for action, prefix, body in (
        ("accept", "window", {}),
        ("transfer", "window", {}),
        ("approve", "review", {"note": "符合条件"}),
        ("result", "window", {}),
        ("deliver", "window", at_window(me, name)),
    ):
        await ok(ga if prefix == "review" else desk, number, action, body, prefix=prefix)
    case_before = await Case.select().where(Case.number == number).first().run()
    events_before = await CaseEvent.count().where(CaseEvent.case == case_before["id"]).run()

    request_id = await _ask(me)
    admin = await _decide(api, request_id)
    # Between the approval and the erasure nothing new may be filed: it would be restricted
    # (hidden) while still open.
    late = await me.post(
        "/api/v1/cases",
        json={
            "item_code": "GA-CSDJ",
            "form": {},
            "materials": [],
            "delivery": {"method": "window"},
        },
    )
    assert_problem(late, 409, "erasure_pending")
    await _told_then_erased(me, request_id, settings)
    waited = await _refused_token(me)

    case_after = await Case.select().where(Case.number == number).first().run()
    assert case_after["restricted_at"] is not None
    assert {k: v for k, v in case_after.items() if k not in {"restricted_at"}} == {
        k: v for k, v in case_before.items() if k not in {"restricted_at"}
    }
    assert await CaseEvent.count().where(CaseEvent.case == case_before["id"]).run() == events_before
    kept = await Citizen.select().where(Citizen.id == me.id).first().run()
    assert kept["restricted_at"] is not None and kept["name"] == name
    assert kept["openid"] is None and kept["phone_enc"] is None and kept["id_number_hash"] is None

    listed = (await desk.get("/api/v1/window/cases")).json()
    assert number not in {c["number"] for c in listed["items"]}
    assert (await desk.get(f"/api/v1/window/cases/{number}")).status_code == 404
    no_reason = await admin.post(
        f"/api/v1/admin/restricted-cases/{number}/open", json={"reason": ""}
    )
    assert_problem(no_reason, 422, "reason_required")
    opened = await admin.post(
        f"/api/v1/admin/restricted-cases/{number}/open", json={"reason": "法院调取档案"}
    )
    assert opened.status_code == 200 and opened.json()["number"] == number, opened.text
    assert (
        await desk.post(f"/api/v1/admin/restricted-cases/{number}/open", json={"reason": "看看"})
    ).status_code == 403
    audited = await AuditEvent.select().where(AuditEvent.action == "open_restricted_case").run()

    dump = _dump(settings)
    found = _found(
        dump,
        {"phone": PHONE, "openid": openid, "masked phone": PHONE[:3] + "****" + PHONE[-4:]},
    )
    uploads_left = await Upload.select(
        Upload.attached_id, Upload.owner_kind, Upload.owner_id, Upload.material_type
    ).run()
    messages = await Message.count().where(Message.recipient_id == me.id).run()
    print(
        f"\ndelivered case: {number} restricted and intact ({events_before} events);"
        f" pg_dump occurrences {found}; uploads left {uploads_left}; messages {messages};"
        f" old token refused after {waited:.1f} s; restricted opens audited: {len(audited)}"
    )
    assert found == dict.fromkeys(found, 0)
    assert all(u["attached_id"] == number for u in uploads_left)
    assert messages == 0
    assert len(audited) == 1 and audited[0]["reason"] == "法院调取档案"
