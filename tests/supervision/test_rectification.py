"""整改通知: a supervisor's order to a township or department, its response, its closing or
return; refusals that change nothing; scope; the bell notices; the counts per township."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from backend.audit.service import AuditLog
from backend.clock import today
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.outbox.runner import HandlerContext
from backend.outbox.tables import OutboxEvent
from backend.supervision import service
from backend.supervision.rectification import OrderDraft
from backend.supervision.scope import Scope
from backend.workdays.service import load_calendar
from notifications import supervision as notify
from notifications.tables import StaffNotice
from tests.factories import DISTRICT, TOWNSHIP, make_area, make_department, make_staff
from tests.supervision.support import OTHER_TOWNSHIP, make_case

pytestmark = pytest.mark.integration

AUDIT = AuditLog("test-chain-key")


async def working_day(after: int = 3) -> str:
    return (await load_calendar()).add_working_days(today(), after).isoformat()


async def a_day_off() -> str:
    calendar = await load_calendar()
    day = today() + timedelta(days=1)
    while calendar.is_working_day(day):
        day += timedelta(days=1)
    return day.isoformat()


async def orders_in_db() -> int:
    rows = await OutboxEvent.raw("SELECT count(*) AS n FROM rectification_order").run()
    return int(rows[0]["n"])


async def deliver_events() -> None:
    """What the worker does with the order's outbox events (twice: at-least-once)."""
    events = (
        await OutboxEvent.select()
        .where(OutboxEvent.kind == "supervision.rectification_step")
        .order_by(OutboxEvent.id)
        .run()
    )
    for _ in range(2):
        for e in events:
            await notify.on_rectification(
                HandlerContext(e["id"], e["kind"], 1), json.loads(e["payload"])
            )


async def notices_of(**where: str) -> list[str]:
    rows = (
        await StaffNotice.select()
        .where(StaffNotice.kind == "rectification")
        .order_by(StaffNotice.id)
        .run()
    )
    return [r["text"] for r in rows if all(str(r[k]) == v for k, v in where.items())]


async def people() -> tuple[Scope, Scope, object, object, object]:
    await make_area(OTHER_TOWNSHIP)
    await make_department("GA")
    sup = await make_staff(role="supervisor", area_code=TOWNSHIP, username="sup-r")
    boss = await make_staff(role="supervisor", area_code=DISTRICT, username="sup-d")
    clerk = await make_staff(role="window", area_code=TOWNSHIP, username="win-r")
    stranger = await make_staff(role="window", area_code=OTHER_TOWNSHIP, username="win-o")
    approver = await make_staff(role="approver", area_code=DISTRICT, username="ga-r")
    return (
        Scope(sup.id, "supervisor", TOWNSHIP, TOWNSHIP),
        Scope(boss.id, "supervisor", DISTRICT, None),
        clerk,
        stranger,
        approver,
    )


async def test_an_order_to_a_township_is_answered_returned_answered_again_and_closed():
    sup, _, clerk, stranger, _ = await people()
    deadline = await working_day()
    await make_case("XS20261207000101", accepted_on=today())
    order_id = await service.issue_order(
        scope=sup,
        draft=OrderDraft(
            f"township:{TOWNSHIP}", " 一次性告知不到位 ", deadline, "xs20261207000101"
        ),
        doorbell=None,
        audit=AUDIT,
    )
    desk = await service.desk_of(
        staff_id=clerk.id, role="window", area_code=TOWNSHIP, department=None
    )
    other = await service.desk_of(
        staff_id=stranger.id, role="window", area_code=OTHER_TOWNSHIP, department=None
    )
    row, steps = await service.desk_order(desk=desk, order_id=order_id)
    assert (row.requirement, row.case_number, row.state) == (
        "一次性告知不到位",
        "XS20261207000101",
        "open",
    )
    assert [s.action for s in steps] == ["issue"]

    # another township never sees it, nor can answer it
    assert await service.desk_orders(desk=other, state="all", page=1, page_size=20) == ([], 0)
    with pytest.raises(NotFound):
        await service.desk_order(desk=other, order_id=order_id)
    with pytest.raises(NotFound):
        await service.respond_order(
            desk=other, order_id=order_id, text="x", doorbell=None, audit=AUDIT
        )
    # nothing to close before a response; an empty response is refused
    with pytest.raises(Conflict) as early:
        await service.decide_order(
            scope=sup, order_id=order_id, action="close", note="", doorbell=None, audit=AUDIT
        )
    assert early.value.code == "rectification_not_responded"
    with pytest.raises(InvalidInput):
        await service.respond_order(
            desk=desk, order_id=order_id, text="  ", doorbell=None, audit=AUDIT
        )
    assert (await service.order(scope=sup, order_id=order_id))[0].state == "open"

    await service.respond_order(
        desk=desk, order_id=order_id, text="已整改", doorbell=None, audit=AUDIT
    )
    with pytest.raises(InvalidInput):  # a return needs its reason
        await service.decide_order(
            scope=sup, order_id=order_id, action="return", note="", doorbell=None, audit=AUDIT
        )
    await service.decide_order(
        scope=sup, order_id=order_id, action="return", note="请补充台账", doorbell=None, audit=AUDIT
    )
    assert (await service.order(scope=sup, order_id=order_id))[0].state == "returned"
    await service.respond_order(
        desk=desk, order_id=order_id, text="台账已补", doorbell=None, audit=AUDIT
    )
    await service.decide_order(
        scope=sup, order_id=order_id, action="close", note="", doorbell=None, audit=AUDIT
    )
    row, steps = await service.order(scope=sup, order_id=order_id)
    assert row.state == "closed" and row.closed_on == today() and not row.late
    assert [s.action for s in steps] == ["issue", "respond", "return", "respond", "close"]
    for act in ("close", "return"):
        with pytest.raises(Conflict) as closed:
            await service.decide_order(
                scope=sup, order_id=order_id, action=act, note="再", doorbell=None, audit=AUDIT
            )
        assert closed.value.code == "rectification_closed"
    with pytest.raises(Conflict):
        await service.respond_order(
            desk=desk, order_id=order_id, text="再", doorbell=None, audit=AUDIT
        )

    audited = await OutboxEvent.raw(
        "SELECT action FROM audit_event WHERE subject_kind = 'rectification_order' ORDER BY id"
    ).run()
    assert [a["action"] for a in audited] == [
        "rectification_issue",
        "rectification_respond",
        "rectification_return",
        "rectification_respond",
        "rectification_close",
    ]

    # the bell: the township's desk gets issue, return and close; the supervisor the responses
    await deliver_events()
    desk_notices = await notices_of(township=TOWNSHIP)
    assert len(desk_notices) == 3
    assert "一次性告知不到位" in desk_notices[0] and deadline in desk_notices[0]
    assert "请补充台账" in desk_notices[1]
    assert len(await notices_of(staff=sup.staff_id)) == 2
    assert await notices_of(township=OTHER_TOWNSHIP) == []
    payloads = await OutboxEvent.select(OutboxEvent.payload).run()
    assert all("台账" not in p["payload"] for p in payloads)  # free text stays in the store


async def test_bad_orders_are_refused_with_reasons_and_nothing_is_stored():
    sup, boss, _, _, _ = await people()
    good = await working_day()
    await make_case("XS20261207000102", accepted_on=today(), township=OTHER_TOWNSHIP)
    bad = [
        OrderDraft("", "要求", good),  # no addressee
        OrderDraft(f"township:{OTHER_TOWNSHIP}", "要求", good),  # another township
        OrderDraft("township:330109999", "要求", good),  # unknown
        OrderDraft(f"township:{TOWNSHIP}", "", good),  # no requirement
        OrderDraft(f"township:{TOWNSHIP}", "长" * 1001, good),  # too long
        OrderDraft(f"township:{TOWNSHIP}", "限期\u202e整改", good),  # a hidden direction mark
        OrderDraft(f"township:{TOWNSHIP}", "限期\x1b[31m整改\x07", good),  # control characters
        OrderDraft(f"township:{TOWNSHIP}", "要求", ""),  # no deadline
        OrderDraft(f"township:{TOWNSHIP}", "要求", "2026-13-01"),  # not a date
        OrderDraft(f"township:{TOWNSHIP}", "要求", today().isoformat()),  # not in the future
        OrderDraft(f"township:{TOWNSHIP}", "要求", await a_day_off()),  # not a working day
        OrderDraft(f"township:{TOWNSHIP}", "要求", (today() + timedelta(days=400)).isoformat()),
        OrderDraft(f"township:{TOWNSHIP}", "要求", good, "XS20261207000102"),  # another's case
        OrderDraft(f"township:{TOWNSHIP}", "要求", good, "XS29991231999999"),  # no such case
    ]
    for draft in bad:
        with pytest.raises(InvalidInput) as refused:
            await service.issue_order(scope=sup, draft=draft, doorbell=None, audit=AUDIT)
        assert refused.value.code == "validation_failed"
        assert refused.value.detail and not refused.value.detail.isascii()
    with pytest.raises(InvalidInput) as holiday:
        await service.issue_order(
            scope=sup,
            draft=OrderDraft(f"township:{TOWNSHIP}", "要求", await a_day_off()),
            doorbell=None,
            audit=AUDIT,
        )
    assert "不是工作日" in holiday.value.detail
    # the district's case of township B, ordered to township A: not that township's case
    with pytest.raises(InvalidInput):
        await service.issue_order(
            scope=boss,
            draft=OrderDraft(f"township:{TOWNSHIP}", "要求", good, "XS20261207000102"),
            doorbell=None,
            audit=AUDIT,
        )
    assert await orders_in_db() == 0
    assert await OutboxEvent.count().run() == 0


async def test_a_department_order_reaches_its_approvers_and_only_them():
    _, boss, clerk, _, approver = await people()
    await make_department("YB", "区医保局")
    yb = await make_staff(
        role="approver", area_code=DISTRICT, username="yb-r", department_code="YB"
    )
    order_id = await service.issue_order(
        scope=boss,
        draft=OrderDraft("department:GA", "审批超时，请整改", await working_day()),
        doorbell=None,
        audit=AUDIT,
    )
    mine = await service.desk_of(
        staff_id=approver.id, role="approver", area_code=DISTRICT, department="GA"
    )
    theirs = await service.desk_of(
        staff_id=yb.id, role="approver", area_code=DISTRICT, department="YB"
    )
    window = await service.desk_of(
        staff_id=clerk.id, role="window", area_code=TOWNSHIP, department=None
    )
    assert [
        o.id for o in (await service.desk_orders(desk=mine, state="open", page=1, page_size=9))[0]
    ] == [order_id]
    for desk in (theirs, window):
        assert (await service.desk_orders(desk=desk, state="all", page=1, page_size=9))[1] == 0
    with pytest.raises(NotAllowed):
        await service.desk_of(staff_id=clerk.id, role="agent", area_code=TOWNSHIP, department=None)
    await deliver_events()
    assert len(await notices_of(staff=approver.id)) == 1
    assert await notices_of(staff=yb.id) == [] and await notices_of(township=TOWNSHIP) == []
    # a township supervisor does not see the district's department order
    sup = Scope("00000000-0000-0000-0000-000000000009", "supervisor", TOWNSHIP, TOWNSHIP)
    assert (await service.orders(scope=sup, state="all", page=1, page_size=9))[1] == 0


async def set_order(order_id: int, **values: object) -> None:
    sets = ", ".join(f"{column} = {{}}" for column in values)
    await OutboxEvent.raw(
        f"UPDATE rectification_order SET {sets} WHERE id = {{}}", *values.values(), order_id
    ).run()


async def test_counts_per_township_open_on_time_late_and_overdue_and_the_list_puts_open_first():
    _, boss, _, _, _ = await people()
    ids = []
    for town in (TOWNSHIP, TOWNSHIP, TOWNSHIP, TOWNSHIP, OTHER_TOWNSHIP):
        ids.append(
            await service.issue_order(
                scope=boss,
                draft=OrderDraft(f"township:{town}", "整改", await working_day()),
                doorbell=None,
                audit=None,
            )
        )
    past = today() - timedelta(days=5)
    await set_order(ids[1], deadline=past)  # overdue
    await set_order(ids[2], state="closed", closed_on=today())  # closed on time
    await set_order(ids[3], state="closed", closed_on=past + timedelta(days=1), deadline=past)
    counts = {c.township: c for c in await service.rectification_counts()}
    mine = counts[TOWNSHIP]
    assert (mine.open, mine.closed_on_time, mine.closed_late, mine.overdue) == (1, 1, 1, 1)
    assert (counts[OTHER_TOWNSHIP].open, counts[OTHER_TOWNSHIP].overdue) == (1, 0)
    assert [c.township for c in await service.rectification_counts(township=TOWNSHIP)] == [TOWNSHIP]
    assert await service.rectification_counts(since=today() + timedelta(days=1)) == []

    listed, total = await service.orders(scope=boss, state="all", page=1, page_size=20)
    assert total == 5
    assert [o.id for o in listed][:3] == [ids[1], ids[0], ids[4]]  # open first, by deadline
    assert {o.id for o in listed[3:]} == {ids[2], ids[3]}
    assert [
        o.id for o in (await service.orders(scope=boss, state="overdue", page=1, page_size=9))[0]
    ] == [ids[1]]
    second, total = await service.orders(scope=boss, state="all", page=2, page_size=2)
    assert total == 5 and len(second) == 2
    beyond, total = await service.orders(scope=boss, state="all", page=9, page_size=2)
    assert beyond == [] and total == 5
    late = await service.order(scope=boss, order_id=ids[3])
    assert late[0].late and not late[0].overdue
    assert isinstance(late[0].deadline, date)
