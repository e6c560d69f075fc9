"""PIPL rights over HTTP: the export (with the full number, audited) and the deletion request."""

from typing import Any

import pytest

from backend.audit.service import AuditLog
from backend.audit.tables import AuditEvent
from backend.audit.verify import verify_chain
from backend.fakes.wechat_server import FakeWeChat
from backend.identity import export
from backend.identity.tables import DeletionRequest
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.identity.helpers import VILLAGE, bind_body, login, make_id_number, make_village

pytestmark = pytest.mark.api


async def test_export_holds_everything_including_the_full_number_and_is_audited(
    api, wechat: FakeWeChat, settings: Settings
):
    await make_village()
    me = await login(api, "export-ivy")
    number = make_id_number(birth="19720908", seq=30, male=True)
    assert (
        await me.put("/api/v1/me/identity", bind_body(number, name="赵卫东"))
    ).status_code == 200
    assert (await me.post("/api/v1/me/phone", {"code": "phone:13912345678"})).status_code == 200

    response = await me.get("/api/v1/me/export")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    profile = body["profile"]
    assert profile["id"] == me.id
    assert profile["name"] == "赵卫东"
    assert profile["id_number"] == number
    assert profile["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    assert profile["birth_year"] == 1972 and profile["sex"] == "male"
    assert profile["village_code"] == VILLAGE
    assert body["phone"] == {"number": "13912345678", "masked": "139****5678"}
    assert body["consent"]["version"] == "2026-01" and body["consent"]["consented_at"]
    accounts = body["wechat"].pop("accounts")
    assert body["wechat"] == {
        "openid": "export-ivy",
        "unionid": "u_export-ivy",
        "session_key_held": True,
    }
    assert [(a["appid"], a["openid"], a["unionid"]) for a in accounts] == [
        ("wx-test-appid", "export-ivy", "u_export-ivy")
    ]
    assert wechat.session_key("export-ivy") not in response.text
    assert body["cases"] == [] and body["uploads"] == [] and body["mandates"] == []

    rows = await AuditEvent.select().where(AuditEvent.subject_id == me.id).run()
    assert [(r["action"], r["actor_kind"], r["actor_id"]) for r in rows] == [
        ("export_personal_data", "citizen", me.id)
    ]
    assert (await verify_chain(key=settings.audit_key)).ok

    again = (await me.get("/api/v1/me/export")).json()
    assert [r["action"] for r in again["access_records"]] == ["export_personal_data"]
    assert again["access_records"][0]["reason"]


async def test_export_before_binding_has_no_number(api, wechat: FakeWeChat):
    me = await login(api, "export-jack")
    body = (await me.get("/api/v1/me/export")).json()
    assert body["profile"]["id_number"] is None
    assert body["phone"] is None


async def test_other_packages_add_their_part_through_exporters(settings: Settings):
    from backend.identity.tables import Citizen

    citizen = Citizen(openid="exporter-kim")
    await citizen.save().run()

    row = {
        "number": "XS20261127000001",
        "item_code": "GA-SFZ-HL",
        "bundle_code": None,
        "status": "submitted",
        "channel": "miniprogram",
        "created_at": "2026-11-27T09:30:00+08:00",
        "applicant": "not part of the section",
    }

    async def cases(citizen_id: str) -> tuple[str, Any]:
        return "cases", [row]

    async def unknown(citizen_id: str) -> tuple[str, Any]:
        return "hobbies", []

    async def sneaky(citizen_id: str) -> tuple[str, Any]:
        return "profile", {}

    cipher, audit = FieldCipher(settings.field_key_ring()), AuditLog(settings.audit_key)
    body = await export.export_personal_data(
        citizen_id=str(citizen.id), cipher=cipher, audit=audit, exporters=(cases,)
    )
    assert [(c.number, c.item_code, c.status) for c in body.cases] == [
        ("XS20261127000001", "GA-SFZ-HL", "submitted")
    ]
    assert body.uploads == [] and body.mandates == []
    for wrong, key in ((sneaky, "profile"), (unknown, "hobbies")):
        with pytest.raises(ValueError, match=key):
            await export.export_personal_data(
                citizen_id=str(citizen.id), cipher=cipher, audit=audit, exporters=(wrong,)
            )
    export.register_exporter(cases)
    export.register_exporter(cases)
    try:
        assert export.registered_exporters().count(cases) == 1
    finally:
        export._EXPORTERS.remove(cases)


async def test_a_deletion_request_is_recorded_and_names_what_is_kept(
    api, wechat: FakeWeChat, settings: Settings
):
    me = await login(api, "delete-lily")
    response = await me.post("/api/v1/me/deletion-request", {"reason": "不再使用"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending"
    assert any("手机号码" in item for item in body["will_delete"])
    kept = {k["retention"] for k in body["will_keep"]}
    assert f"{settings.retention_case_years} 年" in kept
    assert f"{settings.retention_audit_years} 年" in kept
    assert all(k["data"] and k["basis"] for k in body["will_keep"])
    assert "删除" in body["detail"]

    rows = await DeletionRequest.select().where(DeletionRequest.citizen == me.id).run()
    assert [(str(r["id"]), r["status"], r["reason"]) for r in rows] == [
        (body["id"], "pending", "不再使用")
    ]

    again = await me.post("/api/v1/me/deletion-request")  # no body at all
    assert again.status_code == 202, again.text
    assert again.json()["id"] == body["id"]
    assert "已提交" in again.json()["detail"]
    assert await DeletionRequest.count().where(DeletionRequest.citizen == me.id).run() == 1
    exported = (await me.get("/api/v1/me/export")).json()
    assert [r["id"] for r in exported["deletion_requests"]] == [body["id"]]
