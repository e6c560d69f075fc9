"""Restricted case files are purged when RETENTION_CASE_YEARS runs out, and only then."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from backend import clock
from backend.audit.service import AuditLog
from backend.audit.tables import AuditEvent
from backend.cases import erase
from backend.cases.tables import Case, CaseEvent
from backend.identity.tables import Citizen
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def _restricted_case(citizen_id: uuid.UUID, number: str, closed_years_ago: float) -> int:
    closed = clock.now_utc() - timedelta(days=365.25 * closed_years_ago)
    case = Case(
        number=number,
        applicant=citizen_id,
        filed_by_kind="citizen",
        channel="miniprogram",
        status="delivered",
        delivery_method="window",
        closed_at=closed,
        restricted_at=clock.now_utc(),
    )
    await case.save().run()
    await CaseEvent.insert(
        CaseEvent(
            case=case.id,
            action="deliver",
            to_status="delivered",
            actor_kind="staff",
            actor_role="window",
            at=closed,
        )
    ).run()
    return int(case.id)


async def test_expired_restricted_files_go_with_their_applicant(settings: Settings) -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()
    for citizen_id, name in ((old, "上官旧"), (recent, "上官新")):
        await Citizen.insert(Citizen(id=citizen_id, name=name, restricted_at=clock.now_utc())).run()
    await _restricted_case(old, "XS19900101000001", closed_years_ago=31)
    kept = await _restricted_case(recent, "XS20200101000001", closed_years_ago=5)

    audit = AuditLog(settings.audit_key)
    purged = await erase.purge_expired(retention_years=30, audit=audit)
    again = await erase.purge_expired(retention_years=30, audit=audit)

    left = [r["number"] for r in await Case.select(Case.number).run()]
    people = [r["name"] for r in await Citizen.select(Citizen.name).run()]
    rows = await AuditEvent.select().where(AuditEvent.action == "purge_restricted_case").run()
    print(f"\npurged {purged} then {again}; cases left {left}; people left {people}")
    assert (purged, again) == (1, 0)
    assert left == ["XS20200101000001"] and people == ["上官新"]
    assert await CaseEvent.count().run() == 1
    assert await CaseEvent.count().where(CaseEvent.case == kept).run() == 1
    assert [r["subject_id"] for r in rows] == ["XS19900101000001"]
