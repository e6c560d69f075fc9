"""A supervisor on one case (督办查看, audited; 催办) and the overdue list paged in SQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from agent_portal.supervision import overdue_view
from backend.audit.service import AuditLog
from backend.cases.store.overdue_list import OverdueFilter
from backend.cases.tables import Case
from backend.clock import today
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.supervision import service
from backend.supervision.scope import Scope
from notifications import supervision as notify
from notifications.tables import StaffNotice
from tests.factories import TOWNSHIP, make_staff
from tests.supervision.support import OTHER_TOWNSHIP, event, make_case, noon

pytestmark = pytest.mark.integration

AUDIT = AuditLog("test-chain-key")


def district(staff_id: str = "00000000-0000-0000-0000-000000000001") -> Scope:
    return Scope(staff_id, "supervisor", "330109", None)


def township(code: str = TOWNSHIP) -> Scope:
    return Scope("00000000-0000-0000-0000-000000000002", "supervisor", code, code)


async def audited(number: str) -> int:
    rows = await Case.raw(
        "SELECT count(*) AS n FROM audit_event WHERE action = 'supervision_read_case'"
        " AND subject_kind = 'case' AND subject_id = {}",
        number,
    ).run()
    return int(rows[0]["n"])


async def set_case(number: str, **values: object) -> None:
    for column, value in values.items():
        await Case.raw(
            f"UPDATE case_record SET {column} = {{}} WHERE number = {{}}",
            value,
            number,
        ).run()


async def test_a_township_supervisor_opens_only_their_township_and_every_open_is_audited():
    await make_case("XS20261207000001", accepted_on=today(), township=OTHER_TOWNSHIP)
    with pytest.raises(NotFound):
        await service.case(scope=township(), number="XS20261207000001", doorbell=None, audit=AUDIT)
    assert await audited("XS20261207000001") == 0

    view, _ = await service.case(
        scope=district(), number="XS20261207000001", doorbell=None, audit=AUDIT
    )
    await service.case(
        scope=township(OTHER_TOWNSHIP), number="XS20261207000001", doorbell=None, audit=AUDIT
    )
    assert view.applicant.name == "王秀英"
    assert view.applicant.id_number_masked is None or "*" in view.applicant.id_number_masked
    assert await audited("XS20261207000001") == 2


async def test_an_urge_reaches_the_department_holding_the_case_and_is_on_its_timeline():
    approver = await make_staff(role="approver", area_code=TOWNSHIP, username="ga-town")
    await make_staff(role="approver", area_code=OTHER_TOWNSHIP, username="ga-other")
    sup = await make_staff(role="supervisor", area_code=TOWNSHIP, username="sup-urge")
    row = await make_case("XS20261207000002", accepted_on=today() - timedelta(days=20))
    await set_case("XS20261207000002", status="in_review", department="GA")
    await event(row["id"], "transfer", "accepted", "in_review", at=noon(today()))
    scope = Scope(sup.id, "supervisor", TOWNSHIP, TOWNSHIP)

    with pytest.raises(InvalidInput):
        await service.urge(scope=scope, number=row["number"], note="长" * 201, doorbell=None)
    with pytest.raises(InvalidInput) as hidden:  # a right-to-left override reads backwards
        await service.urge(scope=scope, number=row["number"], note="请\u202e办结", doorbell=None)
    assert "看不见的控制字符" in hidden.value.detail
    await service.check_in_scope(scope=scope, number=row["number"])  # a check, not an open
    assert await audited(row["number"]) == 0
    with pytest.raises(NotFound):
        await service.urge(
            scope=township(OTHER_TOWNSHIP), number=row["number"], note="", doorbell=None
        )
    assert await OutboxEvent.count().where(OutboxEvent.kind == "supervision.urged").run() == 0

    await service.urge(scope=scope, number=row["number"], note="请今天办结", doorbell=None)
    with pytest.raises(Conflict) as again:
        await service.urge(scope=scope, number=row["number"], note="", doorbell=None)
    assert again.value.code == "urge_too_soon"

    events = await OutboxEvent.select().where(OutboxEvent.kind == "supervision.urged").run()
    assert len(events) == 1
    payload = json.loads(events[0]["payload"])
    assert "请今天办结" not in json.dumps(payload, ensure_ascii=False)
    for _ in range(2):  # at-least-once delivery
        await notify.on_urged(HandlerContext(events[0]["id"], events[0]["kind"], 1), payload)
    notices = await StaffNotice.select().run()
    assert [(str(n["staff"]), n["kind"]) for n in notices] == [(approver.id, "urged")]
    assert "XS20261207000002" in notices[0]["text"] and "请今天办结" in notices[0]["text"]

    view, _ = await service.case(scope=scope, number=row["number"], doorbell=None, audit=AUDIT)
    urge = [e for e in view.timeline if e.action == "urge"]
    assert len(urge) == 1 and urge[0].note == "督办催办"
    assert urge[0].data["supervisor_note"] == "请今天办结"
    assert [c.urges for c in (await service.urge_counts(scope=scope, by="department"))] == [1]


async def test_a_case_waiting_for_the_applicant_has_nobody_to_urge():
    row = await make_case("XS20261207000003", accepted_on=today(), status="awaiting_supplement")
    with pytest.raises(Conflict) as refused:
        await service.urge(scope=district(), number=row["number"], note="", doorbell=None)
    assert refused.value.code == "urge_no_holder"


async def _listed_numbers(scope: Scope, where: OverdueFilter, sort: str) -> list[str]:
    found, total = await service.overdue_list(
        scope=scope, where=where, sort=sort, page=1, page_size=20
    )
    assert total == len(found)
    return [c.line.number for c in found]


async def test_the_overdue_list_filters_sorts_and_pages_in_sql_and_exports_what_it_shows():
    day = today()
    # far late in this township, a little late in the other, one due far ahead (not listed)
    for number, town, deadline in (
        ("XS20261207000011", TOWNSHIP, day - timedelta(days=40)),
        ("XS20261207000012", OTHER_TOWNSHIP, day - timedelta(days=8)),
        ("XS20261207000013", TOWNSHIP, day + timedelta(days=60)),
    ):
        await make_case(number, accepted_on=deadline - timedelta(days=3), township=town)
        await set_case(number, deadline=deadline)

    everyone = OverdueFilter(soon_days=3)
    assert await _listed_numbers(district(), everyone, "late") == [
        "XS20261207000011",
        "XS20261207000012",
    ]
    by_township = await _listed_numbers(district(), everyone, "township")
    assert sorted(by_township) == ["XS20261207000011", "XS20261207000012"]
    assert await _listed_numbers(township(), everyone, "late") == ["XS20261207000011"]
    assert await _listed_numbers(township(), OverdueFilter(township=OTHER_TOWNSHIP), "late") == []
    assert await _listed_numbers(district(), OverdueFilter(min_late=10), "late") == [
        "XS20261207000011"
    ]
    assert await _listed_numbers(district(), OverdueFilter(holder_kind="department"), "late") == []
    assert await _listed_numbers(district(), OverdueFilter(holder_kind="township"), "deadline") == [
        "XS20261207000011",
        "XS20261207000012",
    ]
    second, total = await service.overdue_list(
        scope=district(), where=everyone, sort="late", page=2, page_size=1
    )
    assert [c.line.number for c in second] == ["XS20261207000012"] and total == 2
    past, total = await service.overdue_list(
        scope=district(), where=everyone, sort="late", page=5, page_size=1
    )
    assert past == [] and total == 2

    found, _ = await service.overdue_list(
        scope=district(), where=everyone, sort="late", page=None, page_size=0
    )
    body, disposition = overdue_view.export(found)
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("办件编号,事项,镇街")
    assert "XS20261207000011" in text and "XS20261207000013" not in text
    assert "王秀英" not in text and "138" not in text
    assert "filename*=UTF-8''" in disposition
