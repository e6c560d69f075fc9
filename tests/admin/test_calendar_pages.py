"""The administrator's calendar page (节假日): a year's days with the notice each comes from;
setting, correcting and removing a day and confirming a year, each audited with before and
after; bad input named field by field with nothing changed; other roles refused."""

from __future__ import annotations

import html

import pytest

from backend.clock import today
from backend.workdays.service import year_warnings
from backend.workdays.tables import CalendarDay, CalendarYear
from tests.admin.settings_support import audit_rows, portal, post_form

pytestmark = pytest.mark.api

PAGE = "/portal/admin/calendar"


async def test_a_year_lists_its_days_with_the_notice_they_come_from(api) -> None:
    admin = await portal(api, "cal-admin-view")
    shown = await admin.get(PAGE, params={"year": "2026"})
    assert shown.status_code == 200, shown.text
    text = html.unescape(shown.text)
    assert (
        "《国务院办公厅关于2026年部分节假日安排的通知》（国办发明电〔2025〕7号，2025年11月4日）"
        in text
    )
    assert 'data-day="2026-10-01"' in text and "国庆节" in text
    assert 'data-day="2026-10-10"' in text  # a make-up Saturday (调休上班)
    assert "调休上班" in text

    later = html.unescape((await admin.get(PAGE, params={"year": "2031"})).text)
    assert "按《全国年节及纪念日放假办法》推算" in later and "尚未收录" in later


async def test_an_administrator_sets_corrects_and_removes_a_day_each_audited(api) -> None:
    admin = await portal(api, "cal-admin-set")
    notice = "国务院办公厅关于2027年部分节假日安排的通知"
    day = {"day": "2027-02-20", "kind": "workday", "note": "春节调休上班", "source": notice}
    saved = await post_form(admin, PAGE, f"{PAGE}/days", day)
    assert saved.status_code == 303 and saved.headers["location"].endswith("year=2027&done=saved")
    shown = html.unescape((await admin.get(saved.headers["location"])).text)
    assert "已保存这一天的设定" in shown and notice in shown and "春节调休上班" in shown
    row = await CalendarDay.select().first().run()
    assert row["kind"] == "workday" and row["source"] == notice

    corrected = await post_form(admin, PAGE, f"{PAGE}/days", {**day, "kind": "holiday"})
    assert corrected.status_code == 303
    removed = await post_form(admin, PAGE, f"{PAGE}/days/2027-02-20/delete", {})
    assert removed.status_code == 303 and removed.headers["location"].endswith("done=removed")
    assert await CalendarDay.count().run() == 0

    first, second = await audit_rows("calendar_set_day")
    assert first["reason"]["before"] is None
    assert first["reason"]["after"] == {"kind": "workday", "note": "春节调休上班", "source": notice}
    assert second["reason"]["before"]["kind"] == "workday"
    assert second["reason"]["after"]["kind"] == "holiday"
    assert first["subject_id"] == "2027-02-20" and first["actor_kind"] == "staff"
    (gone,) = await audit_rows("calendar_remove_day")
    assert gone["reason"]["before"]["kind"] == "holiday" and gone["reason"]["after"] is None


async def test_bad_input_names_each_field_and_changes_nothing(api) -> None:
    admin = await portal(api, "cal-admin-bad")
    bad = {"day": "2027-13-01", "kind": "sometimes", "note": "", "source": "通" * 201}
    refused = await post_form(admin, PAGE, f"{PAGE}/days", bad)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "日期格式应为 YYYY-MM-DD" in text
    assert "类型须为 holiday（休息日）或 workday（工作日）" in text
    assert "依据（通知名称和文号）不能超过 200 个字" in text
    assert 'value="2027-13-01"' in text  # what was typed is kept
    empty = await post_form(admin, PAGE, f"{PAGE}/days", {"day": "", "kind": "holiday"})
    assert empty.status_code == 422 and "请填写日期" in html.unescape(empty.text)
    assert (await admin.get(PAGE, params={"year": "1999"})).status_code == 422
    missing = await post_form(admin, PAGE, f"{PAGE}/days/2027-03-03/delete", {})
    assert missing.status_code == 404 and "没有管理员调整记录" in html.unescape(missing.text)
    assert await CalendarDay.count().run() == 0
    assert await audit_rows("calendar_set_day") == []


async def test_confirming_a_year_removes_the_home_banner(api) -> None:
    pending = [s.year for s in await year_warnings(today=today())]
    assert pending, "the test runs when next year's notice is not in python-holidays"
    admin = await portal(api, "cal-admin-confirm")
    home = html.unescape((await admin.get("/portal/")).text)
    for year in pending:
        assert f"{year} 年的节假日安排尚未收录国务院通知" in home
    assert '<a href="/portal/admin/calendar">' in home  # the banner leads to the page

    for year in pending:
        done = await post_form(
            admin, PAGE, f"{PAGE}/years/{year}/confirm", {"note": "已按通知核对"}
        )
        assert done.status_code == 303 and done.headers["location"].endswith("done=confirmed")
    home = html.unescape((await admin.get("/portal/")).text)
    assert "尚未收录国务院通知" not in home
    assert await CalendarYear.count().run() == len(pending)
    rows = await audit_rows("calendar_confirm_year")
    assert [r["subject_id"] for r in rows] == [str(y) for y in pending]
    assert (
        rows[0]["reason"]["before"] is None and rows[0]["reason"]["after"]["note"] == "已按通知核对"
    )
    too_long = await post_form(
        admin, PAGE, f"{PAGE}/years/{pending[0]}/confirm", {"note": "注" * 201}
    )
    assert too_long.status_code == 422 and "备注不能超过 200 个字" in html.unescape(too_long.text)


@pytest.mark.parametrize("role", ["supervisor", "window", "agent"])
async def test_other_roles_are_refused(api, role: str) -> None:
    other = await portal(api, f"cal-{role}", role=role)
    assert (await other.get(PAGE)).status_code == 403
    token_page = await other.get("/portal/password")
    token = token_page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    posted = await other.post(
        f"{PAGE}/days", data={"day": "2027-02-20", "kind": "holiday", "_csrf_token": token}
    )
    assert posted.status_code == 403
    confirmed = await other.post(f"{PAGE}/years/2027/confirm", data={"_csrf_token": token})
    assert confirmed.status_code == 403
    assert await CalendarDay.count().run() == 0 and await CalendarYear.count().run() == 0
