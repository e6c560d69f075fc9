"""Other people's numbers typed into a form: sealed in the database, masked for staff, and shown
in full only by 查看完整号码 with a reason, written to the audit chain and to the owner's export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.audit.tables import AuditEvent
from tests.api.test_login import assert_problem
from tests.support import citizen
from tests.window.support import BIRTH, OTHER_TOWNSHIP, SINGLE, approver, clerk, ok, queued, row

pytestmark = pytest.mark.api

ACCOUNT = "6228480012345678901"
PHONE = BIRTH["form"]["guardian_phone"]


async def _reveal(who, number: str, field: str, reason: str, prefix: str = "window"):
    return await who.post(
        f"/api/v1/{prefix}/cases/{number}/form/{field}/reveal", json={"reason": reason}
    )


async def _form_reads() -> list[dict]:
    return (
        await AuditEvent.select()
        .where(AuditEvent.action == "read_form_field")
        .order_by(AuditEvent.id)
        .run()
    )


async def test_staff_see_masks_and_a_reveal_is_audited_for_the_owner(
    api, small_catalogue: Path, elicense, wechat
):
    guardian = await citizen(api, "fr-guardian", seq=7, name="李建国")
    me = await citizen(api, "fr-applicant", seq=8)
    guardian_id = guardian.id_number or ""
    birth = guardian_id[6:14]
    cert = guardian_id + "42"
    form = {
        **BIRTH["form"],
        "guardian_id": guardian_id,
        "disability_cert_no": cert,
        "bank_account": ACCOUNT,
    }
    number = await queued(me, {**SINGLE, "form": form})

    stored = json.dumps((await row(number)).form, ensure_ascii=False)
    for plain in (guardian_id, cert, PHONE, ACCOUNT, birth):
        assert plain not in stored
    assert '"enc"' in stored and '"hash"' in stored

    desk = await clerk(api)
    seen = (await desk.get(f"/api/v1/window/cases/{number}")).json()
    assert seen["form"]["guardian_id"] == guardian_id[:3] + "*" * 11 + guardian_id[-4:]
    assert seen["form"]["guardian_phone"] == "*******" + PHONE[-4:]
    assert seen["form"]["bank_account"] == "*" * 15 + ACCOUNT[-4:]
    assert seen["form"]["baby_name"] == "王小宝"
    assert sorted(seen["masked_fields"]) == [
        "bank_account",
        "disability_cert_no",
        "guardian_id",
        "guardian_phone",
    ]
    assert guardian_id not in str(seen) and birth not in str(seen)

    # Refused: no reason, a field that is not masked, another township's clerk. Nothing written.
    assert_problem(await _reveal(desk, number, "guardian_id", "   "), 422, "audit_reason_required")
    assert_problem(await _reveal(desk, number, "baby_name", "核对"), 404, "form_field_not_found")
    stranger = await clerk(api, "window-b", OTHER_TOWNSHIP)
    assert_problem(await _reveal(stranger, number, "guardian_id", "核对"), 404, "case_not_found")
    assert await _form_reads() == []

    shown = await _reveal(desk, number, "guardian_id", "核对监护人身份")
    assert shown.status_code == 200, shown.text
    assert shown.json() == {"field": "guardian_id", "value": guardian_id}
    assert "no-store" in shown.headers["cache-control"]
    reads = await _form_reads()
    assert [(r["subject_kind"], r["subject_id"]) for r in reads] == [
        ("case_form", f"{number}:guardian_id"),
        ("citizen", guardian.id),
    ]
    assert all(r["actor_kind"] == "staff" and r["actor_id"] == desk.id for r in reads)
    assert str(reads[0]["on_behalf_of"]) == me.id and reads[0]["reason"] == "核对监护人身份"

    # The guardian sees the read in their own export; the number inside a certificate is found
    # the same way; a phone belongs to nobody we can name.
    exported = (await guardian.get("/api/v1/me/export")).json()
    mine = [a for a in exported["access_records"] if a["action"] == "read_form_field"]
    assert len(mine) == 1 and mine[0]["reason"].startswith("核对监护人身份")
    assert (await _reveal(desk, number, "disability_cert_no", "核对残疾人证")).json()[
        "value"
    ] == cert
    assert (await _reveal(desk, number, "guardian_phone", "联系监护人")).json()["value"] == PHONE
    reads = await _form_reads()
    assert [r["subject_kind"] for r in reads[2:]] == ["case_form", "citizen", "case_form"]

    # The back office, once the case is transferred to it, may reveal under its own scope.
    ga = await approver(api, "GA")
    assert_problem(
        await _reveal(ga, number, "bank_account", "核对账户", prefix="review"),
        404,
        "case_not_found",
    )
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    account = await _reveal(ga, number, "bank_account", "核对补贴账户", prefix="review")
    assert account.status_code == 200 and account.json()["value"] == ACCOUNT
    review = (await ga.get(f"/api/v1/review/cases/{number}")).json()
    assert review["form"]["bank_account"] == "*" * 15 + ACCOUNT[-4:]
