"""Daily reminders: deadlines warned a working day ahead and on the day, results waiting for
agents; once each however often the reminder runs. Dates are chosen against the real 2026
calendar (National Day: 1–7 October off, Saturday 10 October a make-up working day)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import date
from typing import Any

import pytest

from backend.settings import Settings
from backend.worker import worker_settings
from notifications import service
from notifications.reminders import remind
from notifications.tables import StaffNotice
from tests.conftest import ROOT
from tests.factories import DISTRICT, TOWNSHIP, VILLAGE, make_area, make_staff

pytestmark = pytest.mark.integration

OTHER_TOWNSHIP = "330109105"
BEFORE_HOLIDAY = date(2026, 9, 30)  # Wednesday; the next working day is Thursday 8 October
AFTER_HOLIDAY = date(2026, 10, 8)
HOLIDAY = date(2026, 10, 1)
MAKE_UP_SATURDAY = date(2026, 10, 10)  # a working day; the next one is Monday 12 October


async def make_citizen(name: str = "王秀英") -> str:
    citizen_id = str(uuid.uuid4())
    await StaffNotice.raw(
        "INSERT INTO citizen (id, name, village, identity_bound, identity_verified, created_at,"
        " updated_at) VALUES ({}::uuid, {}, {}, true, true, now(), now())",
        citizen_id,
        name,
        await make_area(VILLAGE),
    ).run()
    return citizen_id


async def make_case(
    number: str,
    *,
    deadline: date | None,
    status: str = "accepted",
    township: str = TOWNSHIP,
    closed: bool = False,
    agent: str | None = None,
) -> dict[str, Any]:
    await make_area(township)
    rows = await StaffNotice.raw(
        "INSERT INTO case_record (number, item_code, applicant, filed_by_kind, filed_by_staff,"
        " channel, status, township, form, delivery_method, delivery_address, committed_days,"
        " deadline, accepted_at, created_at, updated_at) VALUES ({}, 'GA-CSDJ', {}::uuid, {},"
        " {}::uuid, 'app', {}, {}, {}::jsonb, {}, '', 5, {}, now(), now(), now())"
        " RETURNING *",
        number,
        await make_citizen(),
        "agent" if agent else "self",
        agent,
        status,
        township,
        "{}",
        "agent" if agent else "window",
        deadline,
    ).run()
    row = dict(rows[0])
    if closed:
        await StaffNotice.raw(
            "UPDATE case_record SET closed_at = now() WHERE id = {}", row["id"]
        ).run()
    return row


async def notices() -> list[dict[str, Any]]:
    return list(await StaffNotice.select().order_by(StaffNotice.key).run())


async def test_a_deadline_after_the_holiday_is_warned_on_the_last_working_day_before_it():
    await make_case("XS2026093000001", deadline=AFTER_HOLIDAY)
    await make_case("XS2026093000002", deadline=AFTER_HOLIDAY, status="in_review")
    await make_case("XS2026093000003", deadline=AFTER_HOLIDAY, status="awaiting_supplement")
    await make_case("XS2026093000004", deadline=AFTER_HOLIDAY, status="approved")
    await make_case("XS2026093000005", deadline=AFTER_HOLIDAY, status="denied", closed=True)
    await make_case("XS2026093000006", deadline=date(2026, 10, 9))  # two working days away

    done = await remind(day=BEFORE_HOLIDAY)

    assert done.working_day and done.created == {"deadline_soon": 4}
    found = await notices()
    assert [(n["key"], n["township"], n["staff"]) for n in found] == [
        ("deadline-soon:XS2026093000001:2026-10-08", TOWNSHIP, None),
        ("deadline-soon:XS2026093000001:2026-10-08:supervisor", DISTRICT, None),
        ("deadline-soon:XS2026093000002:2026-10-08", TOWNSHIP, None),
        ("deadline-soon:XS2026093000002:2026-10-08:supervisor", DISTRICT, None),
    ]
    assert "2026-10-08" in found[0]["text"] and "XS2026093000001" in found[0]["text"]
    assert {n["kind"] for n in found} == {"deadline_soon"}


async def test_nothing_on_a_holiday_and_the_make_up_saturday_is_a_working_day():
    await make_case("XS2026100100001", deadline=AFTER_HOLIDAY)
    await make_case("XS2026101000001", deadline=MAKE_UP_SATURDAY)
    await make_case("XS2026101000002", deadline=date(2026, 10, 12))

    holiday = await remind(day=HOLIDAY)
    assert not holiday.working_day and holiday.total == 0
    assert await notices() == []

    saturday = await remind(day=MAKE_UP_SATURDAY)
    assert saturday.created == {"deadline_soon": 2, "deadline_today": 2}
    keys = {n["key"] for n in await notices()}
    assert "deadline-today:XS2026101000001:2026-10-10" in keys
    assert "deadline-soon:XS2026101000002:2026-10-12" in keys


async def test_the_deadline_day_warns_while_the_case_is_still_open():
    await make_case("XS2026100800001", deadline=AFTER_HOLIDAY)
    await make_case("XS2026100800002", deadline=AFTER_HOLIDAY, status="approved")

    done = await remind(day=AFTER_HOLIDAY)

    assert done.created == {"deadline_today": 2}
    today = [n for n in await notices() if n["kind"] == "deadline_today"]
    assert [n["case_number"] for n in today] == ["XS2026100800001"] * 2
    assert "今天" in today[0]["text"]


async def test_running_twice_or_on_two_workers_at_once_writes_each_notice_once():
    for n in range(5):
        await make_case(f"XS20260930100{n:02d}", deadline=AFTER_HOLIDAY)

    first, second = await asyncio.gather(remind(day=BEFORE_HOLIDAY), remind(day=BEFORE_HOLIDAY))
    again = await remind(day=BEFORE_HOLIDAY)

    assert first.total + second.total == 10
    assert again.total == 0
    assert await StaffNotice.count().run() == 10


async def test_the_desk_and_supervisors_see_their_warnings_others_do_not():
    await make_case("XS2026093000001", deadline=AFTER_HOLIDAY)
    clerk = await make_staff(role="window", area_code=TOWNSHIP, username="clerk-a")
    elsewhere = await make_staff(role="window", area_code=OTHER_TOWNSHIP, username="clerk-b")
    supervisor = await make_staff(role="supervisor", username="supervisor")
    await remind(day=BEFORE_HOLIDAY)

    async def unread(who: Any) -> int:
        return await service.unread_notices(staff_id=who.id, role=who.role, area_code=who.area_code)

    assert await unread(clerk) == 1
    assert await unread(supervisor) == 1
    assert await unread(elsewhere) == 0


async def _result_batch(case: dict[str, Any], agent: str, *, received: bool) -> None:
    handover = str(uuid.uuid4())
    await StaffNotice.raw(
        "INSERT INTO handover (id, code, direction, agent, township, created_by, created_at,"
        " status) VALUES ({}::uuid, {}, 'to_village', {}::uuid, {}, {}::uuid, now(), {})",
        handover,
        handover[:8].upper(),
        agent,
        TOWNSHIP,
        agent,
        "received" if received else "sent",
    ).run()
    await StaffNotice.raw(
        'INSERT INTO handover_line (handover, "case", items, missing)'
        " VALUES ({}::uuid, {}, ARRAY['result'], ARRAY[]::varchar[])",
        handover,
        case["id"],
    ).run()


async def test_an_agent_is_reminded_of_a_result_to_pick_up_then_to_hand_over():
    agent = await make_staff(role="agent", username="agent-a")
    case = await make_case("XS2026093000010", deadline=None, status="result_ready", agent=agent.id)
    await make_case("XS2026093000011", deadline=None, status="result_ready", agent=agent.id)

    await _result_batch(case, agent.id, received=False)
    assert (await remind(day=BEFORE_HOLIDAY)).created == {"result_waiting": 1}
    await StaffNotice.raw("UPDATE handover SET status = 'received'").run()
    assert (await remind(day=BEFORE_HOLIDAY)).created == {"result_waiting": 1}
    assert (await remind(day=date(2026, 10, 9))).total == 0  # once per stage, not daily

    found = await notices()
    assert [(n["key"], n["staff"]) for n in found] == [
        ("result-waiting:XS2026093000010:hand_over", uuid.UUID(agent.id)),
        ("result-waiting:XS2026093000010:pick_up", uuid.UUID(agent.id)),
    ]
    assert "领取" in found[1]["text"] and "交到申请人手中" in found[0]["text"]
    assert await service.unread_notices(staff_id=agent.id, role="agent", area_code=VILLAGE) == 2

    await StaffNotice.raw(
        'INSERT INTO citizen_handover ("case", agent, photo_upload_id, at)'
        " VALUES ({}, {}::uuid, 'photo', now())",
        case["id"],
        agent.id,
    ).run()
    await StaffNotice.delete(force=True).run()
    assert (await remind(day=date(2026, 10, 9))).total == 0  # handed over: nothing waits


async def test_the_worker_runs_the_reminders_daily_at_the_reminder_hour(settings: Settings):
    options = worker_settings(settings)
    job = next(c for c in options["cron_jobs"] if c.name.endswith("send_reminders"))
    assert job.hour == {settings.reminder_hour} and job.minute == {0} and job.second == {0}
    assert str(options["timezone"]) == "Asia/Shanghai"
    assert await job.coroutine({}) == 0  # nothing due today in an empty database


async def test_the_remind_command_writes_the_reminders_of_a_day(test_env: dict[str, str]):
    await make_case("XS2026093000001", deadline=AFTER_HOLIDAY)
    env = {**os.environ, **test_env}
    holiday = await asyncio.to_thread(
        _cli, ["notifications", "remind", "--date", "2026-10-01"], env
    )
    assert "not a working day" in holiday
    day = await asyncio.to_thread(_cli, ["notifications", "remind", "--date", "2026-09-30"], env)
    assert "2 reminders written (deadline_soon=2)" in day
    again = await asyncio.to_thread(_cli, ["notifications", "remind", "--date", "2026-09-30"], env)
    assert "0 reminders written" in again


def _cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
