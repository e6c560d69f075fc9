"""The calendar routes through the real app: administrators, supervisors and other staff."""

from __future__ import annotations

import pytest

from backend.workdays.tables import CalendarDay, CalendarYear
from tests.api.test_login import assert_problem
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.api

ADMIN_CALENDAR = "/api/v1/admin/calendar"


async def _login(api, role: str) -> dict[str, str]:
    account = await make_staff(role=role)
    login = await api.post(
        "/api/v1/auth/staff/login",
        json={"username": account.username, "password": DEFAULT_PASSWORD},
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@pytest.fixture
async def admin(api) -> dict[str, str]:
    return await _login(api, "admin")


async def test_an_administrator_sets_lists_and_deletes_a_day(api, admin):
    created = await api.post(
        ADMIN_CALENDAR,
        json={"date": "2026-09-28", "kind": "holiday", "note": "区政府临时安排"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    day = created.json()
    assert (day["date"], day["kind"], day["note"]) == ("2026-09-28", "holiday", "区政府临时安排")

    due = await api.get(
        "/api/v1/calendar/due", params={"start": "2026-09-24", "days": 5}, headers=admin
    )
    assert due.json()["due"] == "2026-10-10"  # the change is seen at once

    listed = await api.get(ADMIN_CALENDAR, params={"year": 2026}, headers=admin)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 1
    assert [(i["date"], i["kind"], i["note"]) for i in body["items"]] == [
        ("2026-09-28", "holiday", "区政府临时安排")
    ]
    assert body["years"] == [
        {"year": 2026, "official": True, "confirmed": False, "needs_attention": False}
    ]

    corrected = await api.post(
        ADMIN_CALENDAR, json={"date": "2026-09-28", "kind": "workday"}, headers=admin
    )
    assert corrected.status_code == 201
    assert (corrected.json()["kind"], corrected.json()["note"]) == ("workday", "")
    assert await CalendarDay.count().run() == 1

    gone = await api.delete(f"{ADMIN_CALENDAR}/2026-09-28", headers=admin)
    assert gone.status_code == 204, gone.text
    assert await CalendarDay.count().run() == 0
    assert_problem(
        await api.delete(f"{ADMIN_CALENDAR}/2026-09-28", headers=admin),
        404,
        "calendar_day_not_found",
    )
    due = await api.get(
        "/api/v1/calendar/due", params={"start": "2026-09-24", "days": 5}, headers=admin
    )
    assert due.json()["due"] == "2026-10-09"


async def test_confirming_2027_clears_the_attention_flag(api, admin):
    listed = await api.get(ADMIN_CALENDAR, params={"year": 2027}, headers=admin)
    assert listed.json()["years"] == [
        {"year": 2027, "official": False, "confirmed": False, "needs_attention": True}
    ]
    confirmed = await api.post(
        f"{ADMIN_CALENDAR}/years/2027/confirm", json={"note": "已核对国务院通知"}, headers=admin
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {
        "year": 2027,
        "official": False,
        "confirmed": True,
        "needs_attention": False,
    }
    again = await api.post(f"{ADMIN_CALENDAR}/years/2027/confirm", headers=admin)  # no body
    assert again.status_code == 200, again.text
    assert await CalendarYear.count().run() == 1
    listed = await api.get(ADMIN_CALENDAR, headers=admin)
    assert {"year": 2027, "official": False, "confirmed": True, "needs_attention": False} in (
        listed.json()["years"]
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        # The body's types say what a date, a kind and a note are: 422 validation_failed.
        ({"date": "2026-13-01", "kind": "holiday"}, "validation_failed"),
        ({"date": "2026/10/01", "kind": "holiday"}, "validation_failed"),
        ({"date": "1999-10-01", "kind": "holiday"}, "date_out_of_range"),
        ({"date": "2026-10-01", "kind": "rest"}, "validation_failed"),
        ({"date": "2026-10-01", "kind": "holiday", "note": "长" * 201}, "validation_failed"),
        ({"kind": "holiday"}, "validation_failed"),
        ({"date": 20261001, "kind": "holiday"}, "validation_failed"),
    ],
)
async def test_bad_days_are_422_in_chinese_and_change_nothing(api, admin, body, code):
    assert_problem(await api.post(ADMIN_CALENDAR, json=body, headers=admin), 422, code)
    assert await CalendarDay.count().run() == 0


async def test_bad_paths_and_queries_are_422(api, admin):
    assert_problem(
        await api.delete(f"{ADMIN_CALENDAR}/10-01", headers=admin), 422, "validation_failed"
    )
    assert_problem(
        await api.delete(f"{ADMIN_CALENDAR}/2026-02-30", headers=admin), 422, "date_invalid"
    )
    assert_problem(
        await api.delete(f"{ADMIN_CALENDAR}/1999-10-01", headers=admin), 422, "date_out_of_range"
    )
    assert_problem(
        await api.post(f"{ADMIN_CALENDAR}/years/1999/confirm", headers=admin),
        422,
        "validation_failed",
    )
    assert_problem(
        await api.get(ADMIN_CALENDAR, params={"year": 2200}, headers=admin),
        422,
        "validation_failed",
    )
    assert_problem(
        await api.get(ADMIN_CALENDAR, params={"year": "next"}, headers=admin),
        422,
        "validation_failed",
    )
    assert_problem(
        await api.get("/api/v1/calendar/days/2026-02-29", headers=admin), 422, "date_invalid"
    )
    due = "/api/v1/calendar/due"
    for params, code in (
        ({"start": "2026-09-24", "days": 3651}, "validation_failed"),
        ({"start": "2026-09-24", "days": -1}, "validation_failed"),
        ({"start": "2026-09-24", "days": "five"}, "validation_failed"),
        ({"start": "24/09/2026", "days": 5}, "validation_failed"),
        ({"start": "1999-09-24", "days": 5}, "date_out_of_range"),
        ({"days": 5}, "validation_failed"),
    ):
        assert_problem(await api.get(due, params=params, headers=admin), 422, code)


async def test_guards(api):
    window = await _login(api, "window")
    supervisor = await _login(api, "supervisor")
    day = {"date": "2026-10-08", "kind": "holiday"}
    # A window clerk may look days up but not change or list the administrators' days.
    assert_problem(await api.post(ADMIN_CALENDAR, json=day, headers=window), 403, "not_allowed")
    assert_problem(
        await api.post(ADMIN_CALENDAR, json={"kind": "nonsense"}, headers=window),
        403,
        "not_allowed",
    )  # refused before the body is looked at
    assert_problem(await api.get(ADMIN_CALENDAR, headers=window), 403, "not_allowed")
    assert_problem(
        await api.post(f"{ADMIN_CALENDAR}/years/2027/confirm", headers=window), 403, "not_allowed"
    )
    assert (await api.get("/api/v1/calendar/days/2026-10-08", headers=window)).status_code == 200
    # A supervisor reads the administrators' days but does not change them.
    assert (await api.get(ADMIN_CALENDAR, headers=supervisor)).status_code == 200
    assert_problem(await api.post(ADMIN_CALENDAR, json=day, headers=supervisor), 403, "not_allowed")
    assert_problem(
        await api.delete(f"{ADMIN_CALENDAR}/2026-10-08", headers=supervisor), 403, "not_allowed"
    )
    # Nobody signed in: 401.
    assert_problem(await api.get(ADMIN_CALENDAR), 401, "token_missing")
    assert_problem(await api.get("/api/v1/calendar/days/2026-10-08"), 401, "token_missing")
    assert await CalendarDay.count().run() == 0


async def test_a_day_and_a_due_date_for_any_staff(api):
    agent = await _login(api, "agent")
    info = await api.get("/api/v1/calendar/days/2026-10-10", headers=agent)
    assert info.status_code == 200, info.text
    assert info.json() == {
        "date": "2026-10-10",
        "weekday": "周六",
        "working": True,
        "reason": "makeup_workday",
        "name": "国庆节",
        "source": "official",
    }
    due = await api.get(
        "/api/v1/calendar/due", params={"start": "2026-12-28", "days": 5}, headers=agent
    )
    assert due.status_code == 200, due.text
    body = due.json()
    assert (body["due"], body["due_weekday"], body["years_needing_attention"]) == (
        "2027-01-05",
        "周二",
        [2027],
    )
    assert [(d["date"], d["reason"]) for d in body["skipped"]] == [
        ("2027-01-01", "holiday"),
        ("2027-01-02", "weekend"),
        ("2027-01-03", "weekend"),
    ]
    zero = await api.get(
        "/api/v1/calendar/due", params={"start": "2026-10-10", "days": 0}, headers=agent
    )
    assert (zero.json()["due"], zero.json()["skipped"]) == ("2026-10-10", [])


async def test_setting_a_day_accepts_an_idempotency_key(api, admin):
    body = {"date": "2027-02-11", "kind": "holiday", "note": "春节调休"}
    headers = {**admin, "Idempotency-Key": "cal-1"}
    first = await api.post(ADMIN_CALENDAR, json=body, headers=headers)
    replay = await api.post(ADMIN_CALENDAR, json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    other = await api.post(ADMIN_CALENDAR, json={**body, "kind": "workday"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert (await CalendarDay.select(CalendarDay.kind).first().run())["kind"] == "holiday"
