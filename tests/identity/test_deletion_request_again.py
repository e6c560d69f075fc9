"""Asking for deletion again: the same pending request, and a 409 once one is approved.

Without the refusal, a second request made while an approved one awaits its erasure could be
refused by an administrator, telling the citizen "refused" after "approved".
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from backend.audit.tables import AuditEvent
from backend.fakes.wechat_server import FakeWeChat
from backend.identity.tables import DeletionRequest
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import staff

pytestmark = pytest.mark.api


async def test_a_new_request_is_refused_while_an_approved_one_awaits_erasure(
    api: Any, wechat: FakeWeChat
) -> None:
    me = await citizen(api, "again-approved", bind=False)
    first = await me.post("/api/v1/me/deletion-request", json={"reason": "不再使用"})
    assert first.status_code == 202, first.text
    request_id = first.json()["id"]

    # while pending, asking again answers the same request
    same = await me.post("/api/v1/me/deletion-request")
    assert same.status_code == 202 and same.json()["id"] == request_id

    admin = await staff(api, role="admin", username="admin-again")
    approved = await admin.post(
        f"/api/v1/admin/deletion-requests/{request_id}/approve", json={"reason": "核实无误"}
    )
    assert approved.status_code == 200, approved.text

    again = await me.post("/api/v1/me/deletion-request", json={"reason": "再申请一次"})
    assert_problem(again, 409, "deletion_request_exists")
    assert "已获批准" in again.json()["detail"]
    rows = await DeletionRequest.select().where(DeletionRequest.citizen == me.id).run()
    assert [r["status"] for r in rows] == ["approved"]

    # the decision's audit entry holds the state before and after
    [entry] = await AuditEvent.select().where(AuditEvent.subject_id == request_id).run()
    reason = json.loads(entry["reason"])
    assert reason["note"] == "核实无误"
    assert reason["before"] == {"status": "pending"}
    assert reason["after"]["status"] == "approved" and reason["after"]["handled_at"]


async def test_after_a_refusal_the_citizen_may_ask_again(api: Any, wechat: FakeWeChat) -> None:
    me = await citizen(api, "again-refused", bind=False)
    first = (await me.post("/api/v1/me/deletion-request")).json()["id"]
    admin = await staff(api, role="admin", username="admin-refuser")
    refused = await admin.post(
        f"/api/v1/admin/deletion-requests/{first}/refuse", json={"reason": "请先到窗口核实身份"}
    )
    assert refused.status_code == 200, refused.text
    second = await me.post("/api/v1/me/deletion-request")
    assert second.status_code == 202 and second.json()["id"] != first


async def test_a_request_racing_an_approval_is_either_the_same_or_refused(
    api: Any, wechat: FakeWeChat
) -> None:
    """The request waits for a decision on the same row; it never slips in beside an approval."""
    me = await citizen(api, "again-race", bind=False)
    first = (await me.post("/api/v1/me/deletion-request")).json()["id"]
    admin = await staff(api, role="admin", username="admin-racer")
    decided, asked = await asyncio.gather(
        admin.post(f"/api/v1/admin/deletion-requests/{first}/approve", json={"reason": "核实无误"}),
        me.post("/api/v1/me/deletion-request"),
    )
    assert decided.status_code == 200, decided.text
    assert (asked.status_code, asked.json().get("id", first)) in ((202, first), (409, first))
    statuses = [
        r["status"]
        for r in await DeletionRequest.select().where(DeletionRequest.citizen == me.id).run()
    ]
    assert statuses == ["approved"]
