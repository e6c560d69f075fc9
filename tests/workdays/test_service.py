"""The calendar's use cases against real PostgreSQL, and the command line reading the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from backend import db
from backend.errors import InvalidInput, NotFound
from backend.workdays import service
from backend.workdays.tables import CalendarDay, CalendarYear
from tests.conftest import ROOT
from tests.factories import make_staff

pytestmark = pytest.mark.integration

D = date.fromisoformat


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    service.forget_calendar()  # tables were truncated behind the cache's back


async def test_a_day_set_by_an_administrator_wins_at_once():
    admin = await make_staff(role="admin")
    assert (await service.due_date(start=D("2026-09-24"), days=5)).due == D("2026-10-09")
    async with db.engine().transaction():
        saved = await service.set_day(
            day=D("2026-09-28"), kind="holiday", note=" 停电 ", staff_id=admin.id
        )
    assert (saved.kind, saved.note, saved.updated_by) == ("holiday", "停电", admin.id)
    found = await service.due_date(start=D("2026-09-24"), days=5)
    assert found.due == D("2026-10-10")
    assert D("2026-09-28") in [d.date for d in found.skipped]
    info = await service.day_info(day=D("2026-09-28"))
    assert (info.working, info.reason, info.name) == (False, "admin_holiday", "停电")


async def test_setting_a_day_again_replaces_it_and_delete_restores_the_library():
    admin = await make_staff(role="admin")
    await service.set_day(day=D("2026-10-07"), kind="holiday", note="", staff_id=admin.id)
    again = await service.set_day(day=D("2026-10-07"), kind="workday", note="值班", staff_id=None)
    assert (again.kind, again.note) == ("workday", "值班")
    assert await CalendarDay.count().run() == 1
    assert (await service.day_info(day=D("2026-10-07"))).reason == "admin_workday"
    await service.delete_day(day=D("2026-10-07"))
    assert (await service.day_info(day=D("2026-10-07"))).reason == "holiday"
    with pytest.raises(NotFound) as missing:
        await service.delete_day(day=D("2026-10-07"))
    assert missing.value.code == "calendar_day_not_found"


async def test_a_day_equal_to_the_library_is_recorded_too():
    await service.set_day(day=D("2026-10-01"), kind="holiday", note="国庆节", staff_id=None)
    page = await service.list_days(year=2026, page=1, page_size=20)
    assert [(r.day, r.kind) for r in page.items] == [(D("2026-10-01"), "holiday")]


def _set(day: str = "2026-10-01", kind: str = "holiday", note: str = ""):
    return lambda: service.set_day(day=D(day), kind=kind, note=note, staff_id=None)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (_set(kind="rest"), "calendar_kind_invalid"),
        (_set(note="长" * 201), "note_too_long"),
        (_set(day="1999-10-01"), "date_out_of_range"),
        (lambda: service.confirm_year(year=2101, staff_id=None, note=""), "year_out_of_range"),
        (lambda: service.due_date(start=D("2026-10-01"), days=3651), "days_out_of_range"),
        (lambda: service.due_date(start=D("2026-10-01"), days=-1), "days_out_of_range"),
    ],
)
async def test_bad_values_change_nothing(call, code):
    with pytest.raises(InvalidInput) as refused:
        await call()
    assert refused.value.code == code
    assert refused.value.detail.endswith("。")
    assert await CalendarDay.count().run() == 0
    assert await CalendarYear.count().run() == 0


async def test_confirming_a_year_clears_its_warning():
    admin = await make_staff(role="admin")
    today = D("2026-11-27")
    warnings = await service.year_warnings(today=today)
    assert [(s.year, s.needs_attention) for s in warnings] == [(2027, True)]
    status = await service.confirm_year(year=2027, staff_id=admin.id, note="已核对 2027 年通知")
    assert (status.official, status.confirmed, status.needs_attention) == (False, True, False)
    assert await service.year_warnings(today=today) == []
    again = await service.confirm_year(year=2027, staff_id=admin.id, note="再次核对")
    assert again.confirmed
    assert await CalendarYear.count().run() == 1
    assert (await service.year_warnings(today=D("2027-03-01")))[0].year == 2028


async def test_list_days_by_year_with_the_years_concerned():
    for day in ("2027-02-11", "2027-02-12", "2026-12-31", "2030-01-02"):
        await service.set_day(day=D(day), kind="holiday", note="", staff_id=None)
    page = await service.list_days(year=2027, page=1, page_size=1)
    assert page.total == 2
    assert [r.day for r in page.items] == [D("2027-02-11")]
    assert [(s.year, s.official) for s in page.years] == [(2027, False)]
    second = await service.list_days(year=2027, page=2, page_size=1)
    assert [r.day for r in second.items] == [D("2027-02-12")]
    everything = await service.list_days(year=None, page=1, page_size=20, today=D("2026-11-27"))
    assert everything.total == 4
    assert [s.year for s in everything.years] == [2026, 2027, 2030]
    assert [s.needs_attention for s in everything.years] == [False, True, True]


async def test_the_cache_is_dropped_when_a_change_is_made():
    first = await service.load_calendar()
    assert await service.load_calendar() is first
    await service.set_day(day=D("2026-12-30"), kind="holiday", note="", staff_id=None)
    second = await service.load_calendar()
    assert second is not first
    assert not second.is_working_day(D("2026-12-30"))


async def test_the_command_line_uses_the_administrators_days(test_env: dict[str, str]):
    await service.set_day(day=D("2026-09-28"), kind="holiday", note="停电", staff_id=None)
    await service.confirm_year(year=2027, staff_id=None, note="")

    def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "backend.workdays.cli", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **test_env, **env},
            cwd=ROOT,
            timeout=60,
        )

    due = cli("due", "2026-09-24", "5")
    assert due.returncode == 0, due.stderr
    assert due.stdout.splitlines()[0] == "2026-10-10 (周六)"
    assert "2026-09-28 (周一) 管理员设为休息日：停电（管理员调整）" in due.stdout
    check = cli("check", "2027")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("2027 年：未收录国务院通知，已由管理员确认。")
    offline = cli("due", "2026-09-24", "5", "--offline")
    assert offline.stdout.splitlines()[0] == "2026-10-09 (周五)"
    gone = cli("due", "2026-09-24", "5", DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert gone.returncode == 0
    assert gone.stdout.splitlines()[0] == "2026-10-09 (周五)"
    assert "数据库不可用" in gone.stderr
