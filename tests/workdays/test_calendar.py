"""The working-day calendar against the State Council's notices, and its arithmetic (pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from holidays.countries.china import China

from backend.workdays.calendar import ChinaCalendar, Override, days_off, years_needing_attention
from backend.workdays.china import official_years

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database at all."""


D = date.fromisoformat

# 国务院办公厅关于2025年部分节假日安排的通知: days off and make-up workdays.
NOTICE_2025 = {
    "off": [
        ("2025-01-01", "2025-01-01"),  # 元旦
        ("2025-01-28", "2025-02-04"),  # 春节
        ("2025-04-04", "2025-04-06"),  # 清明节
        ("2025-05-01", "2025-05-05"),  # 劳动节
        ("2025-05-31", "2025-06-02"),  # 端午节
        ("2025-10-01", "2025-10-08"),  # 国庆节、中秋节
    ],
    "work": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
}
# 国务院办公厅关于2026年部分节假日安排的通知.
NOTICE_2026 = {
    "off": [
        ("2026-01-01", "2026-01-03"),  # 元旦
        ("2026-02-15", "2026-02-23"),  # 春节
        ("2026-04-04", "2026-04-06"),  # 清明节
        ("2026-05-01", "2026-05-05"),  # 劳动节
        ("2026-06-19", "2026-06-21"),  # 端午节
        ("2026-09-25", "2026-09-27"),  # 中秋节
        ("2026-10-01", "2026-10-07"),  # 国庆节
    ],
    "work": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
}


def _span(first: str, last: str) -> list[date]:
    start, end = D(first), D(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.mark.parametrize(("year", "notice"), [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_every_day_of_an_announced_year_follows_the_notice(year, notice):
    calendar = ChinaCalendar()
    off = {d for first, last in notice["off"] for d in _span(first, last)}
    work = {D(d) for d in notice["work"]}
    wrong = [
        d
        for d in _span(f"{year}-01-01", f"{year}-12-31")
        if calendar.is_working_day(d) != (d in work or (d.weekday() < 5 and d not in off))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2026-10-01", "国庆节"),
        ("2026-10-06", "国庆节"),  # moved from 2026-09-20: named after its block
        ("2026-02-16", "农历除夕"),
        ("2026-02-17", "春节"),
        ("2026-02-23", "春节"),
        ("2026-09-25", "中秋节"),
        ("2026-01-02", "元旦"),
        ("2025-10-06", "中秋节"),
        ("2025-02-03", "春节"),
        ("2025-06-02", "端午节"),  # observed: the （补假） mark is not part of the name
    ],
)
def test_official_holidays_carry_their_chinese_name(day, name):
    info = ChinaCalendar().kind_of(D(day))
    assert (info.working, info.reason, info.name, info.source) == (
        False,
        "holiday",
        name,
        "official",
    )


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2026-01-04", "元旦"),
        ("2026-02-14", "春节"),
        ("2026-02-28", "春节"),
        ("2026-05-09", "劳动节"),
        ("2026-09-20", "国庆节"),
        ("2026-10-10", "国庆节"),
        ("2025-01-26", "春节"),
        ("2025-04-27", "劳动节"),
        ("2025-09-28", "国庆节、中秋节"),
        ("2025-10-11", "国庆节、中秋节"),
    ],
)
def test_make_up_workdays_are_working_days(day, name):
    info = ChinaCalendar().kind_of(D(day))
    assert D(day).weekday() >= 5
    assert (info.working, info.reason, info.name, info.source) == (
        True,
        "makeup_workday",
        name,
        "official",
    )


def test_plain_days():
    calendar = ChinaCalendar()
    weekday, weekend, golden_sunday = (
        calendar.kind_of(D(d)) for d in ("2026-11-27", "2026-11-28", "2026-10-04")
    )
    assert (weekday.working, weekday.reason, weekday.name, weekday.source) == (
        True,
        "weekday",
        None,
        "default",
    )
    assert (weekend.working, weekend.reason, weekend.name) == (False, "weekend", None)
    assert (golden_sunday.working, golden_sunday.reason, golden_sunday.name) == (
        False,
        "weekend",
        "国庆节",
    )


def test_the_three_examples():
    calendar = ChinaCalendar()
    # Fri 09-25 中秋节, the weekend, 09-28..09-30, then 10-01..10-07 off: 10-08 and 10-09.
    assert calendar.add_working_days(D("2026-09-24"), 5) == D("2026-10-09")
    assert calendar.add_working_days(D("2026-10-10"), 0) == D("2026-10-10")
    # 12-29, 12-30, 12-31, then 2027-01-01 (元旦) and the weekend: 01-04, 01-05.
    assert calendar.add_working_days(D("2026-12-28"), 5) == D("2027-01-05")


def test_zero_days_is_the_start_even_on_a_holiday():
    calendar = ChinaCalendar()
    assert calendar.add_working_days(D("2026-10-01"), 0) == D("2026-10-01")
    assert calendar.add_working_days(D("2026-10-01"), 1) == D("2026-10-08")


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        ChinaCalendar().add_working_days(D("2026-09-24"), -1)


def test_the_start_day_is_not_counted():
    calendar = ChinaCalendar()
    assert calendar.add_working_days(D("2026-09-28"), 1) == D("2026-09-29")
    assert calendar.add_working_days(D("2026-09-27"), 1) == D("2026-09-28")  # from a Sunday


def test_crossing_into_2027_uses_its_statutory_holidays():
    calendar = ChinaCalendar()
    assert calendar.kind_of(D("2027-01-01")).reason == "holiday"
    assert calendar.kind_of(D("2027-01-01")).source == "computed"
    assert calendar.add_working_days(D("2026-12-31"), 1) == D("2027-01-04")
    # A long limit reaches well into 2028 without failing.
    far = calendar.add_working_days(D("2026-12-28"), 400)
    assert far.year == 2028
    assert calendar.working_days_between(D("2026-12-28"), far) == 400


def test_later_years_never_fail():
    calendar = ChinaCalendar()
    for year in (2027, 2030, 2050, 2100, 2101, 2500):
        assert calendar.year_status(year).needs_attention
        start = date(year, 12, 20)
        assert calendar.add_working_days(start, 10) > start
        assert calendar.kind_of(date(year, 10, 1)).working in (True, False)
    # Past the library's tables (2100): Monday to Friday.
    assert all(
        calendar.is_working_day(d) == (d.weekday() < 5) for d in _span("2101-01-01", "2101-12-31")
    )
    assert calendar.add_working_days(D("9999-12-01"), 10) == D("9999-12-15")
    with pytest.raises(ValueError, match="past the last date"):
        calendar.add_working_days(D("9999-12-01"), 100)


def test_working_days_between():
    calendar = ChinaCalendar()
    assert calendar.working_days_between(D("2026-09-24"), D("2026-10-09")) == 5
    assert calendar.working_days_between(D("2026-09-30"), D("2026-10-07")) == 0
    assert calendar.working_days_between(D("2026-10-09"), D("2026-09-24")) == 0
    assert calendar.working_days_between(D("2026-10-09"), D("2026-10-09")) == 0
    assert calendar.working_days_between(D("2026-10-09"), D("2026-10-10")) == 1  # make-up Sat
    # 261 weekdays, 19 of them days off, 6 make-up Saturdays and Sundays.
    assert calendar.working_days_between(D("2025-12-31"), D("2026-12-31")) == 248
    for start in _span("2026-01-01", "2026-12-31")[::7]:
        for days in (1, 5, 20, 60):
            due = calendar.add_working_days(start, days)
            assert calendar.working_days_between(start, due) == days
            assert calendar.is_working_day(due)


def test_an_administrator_holiday_wins_and_moves_deadlines():
    calendar = ChinaCalendar({D("2026-09-28"): Override("holiday", "区政府临时安排")})
    info = calendar.kind_of(D("2026-09-28"))
    assert (info.working, info.reason, info.name, info.source) == (
        False,
        "admin_holiday",
        "区政府临时安排",
        "admin",
    )
    assert calendar.add_working_days(D("2026-09-24"), 5) == D("2026-10-10")  # the make-up Sat
    # Over a make-up workday too.
    closed = ChinaCalendar({D("2026-10-10"): Override("holiday")})
    assert not closed.is_working_day(D("2026-10-10"))
    assert closed.add_working_days(D("2026-10-09"), 1) == D("2026-10-12")
    assert closed.kind_of(D("2026-10-10")).name == "国庆节"  # no note: the library's name


def test_an_administrator_workday_wins():
    calendar = ChinaCalendar(
        {D("2026-10-07"): Override("workday", "值班"), D("2026-09-26"): Override("workday")}
    )
    assert calendar.is_working_day(D("2026-10-07"))
    assert calendar.is_working_day(D("2026-09-26"))
    assert calendar.kind_of(D("2026-09-26")).reason == "admin_workday"
    assert calendar.add_working_days(D("2026-09-24"), 5) == D("2026-10-07")
    assert calendar.working_days_between(D("2026-09-24"), D("2026-10-09")) == 7


def test_an_override_equal_to_the_library_is_still_the_administrators():
    calendar = ChinaCalendar({D("2026-10-01"): Override("holiday", "国庆节")})
    info = calendar.kind_of(D("2026-10-01"))
    assert (info.reason, info.source) == ("admin_holiday", "admin")
    assert calendar.add_working_days(D("2026-09-24"), 5) == D("2026-10-09")


def test_official_years_come_from_the_library_data():
    years = official_years()
    assert {2001, 2025, 2026} <= years
    assert 2027 not in years
    announced = max(China().special_public_holidays)
    assert max(years) == announced


def test_year_status():
    calendar = ChinaCalendar()
    assert calendar.year_status(2026).official
    assert not calendar.year_status(2026).needs_attention
    status = calendar.year_status(2027)
    assert (status.official, status.confirmed, status.needs_attention) == (False, False, True)
    confirmed = ChinaCalendar(confirmed_years=[2027]).year_status(2027)
    assert (confirmed.official, confirmed.confirmed, confirmed.needs_attention) == (
        False,
        True,
        False,
    )


def test_explanations():
    calendar = ChinaCalendar()
    skipped = days_off(calendar, D("2026-09-24"), D("2026-10-09"))
    assert [d.date for d in skipped] == [
        *_span("2026-09-25", "2026-09-27"),
        *_span("2026-10-01", "2026-10-07"),
    ]
    assert years_needing_attention(calendar, D("2026-12-28"), D("2027-01-05")) == [2027]
    assert years_needing_attention(calendar, D("2026-09-24"), D("2026-10-09")) == []
    assert years_needing_attention(calendar, D("2026-12-31"), D("2026-12-31")) == []


def test_notable_days_of_a_year():
    calendar = ChinaCalendar({D("2027-02-11"): Override("holiday", "春节调休")})
    days = calendar.notable_days(2027)
    assert D("2027-01-01") in [d.date for d in days if d.reason == "holiday"]
    assert [d.date for d in days if d.source == "admin"] == [D("2027-02-11")]
    assert not [d for d in days if d.reason == "makeup_workday"]
    made_up = [d.date for d in ChinaCalendar().notable_days(2026) if d.working]
    assert made_up == [D(d) for d in NOTICE_2026["work"]]
