"""Figures from a small hand-made history equal the numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import asyncpg
import msgspec
import pytest

from backend import db
from backend.clock import now_utc
from backend.geo.travel import StraightLineEstimator
from backend.stats import rollup, service
from backend.workdays.calendar import ChinaCalendar
from tests.stats.history import TOWNSHIP, add_event, at, make_history, make_person, rate

pytestmark = pytest.mark.integration

TODAY = dt.date(2026, 3, 20)  # C's deadline (03-10) has passed: open and overdue
IN_PERSON = {"in_person": True}
CALENDAR = ChinaCalendar()


async def four_cases() -> dict[str, int]:
    """A: walk-in, on time, picked up at the window (2 trips), rated 5.
    B: mini-program, transferred, decided late, mailed (0 trips), rated 1.
    C: filed by an agent, accepted, open and overdue.
    D: mini-program, supplement handed in at a window (1 trip), then rejected."""
    person = await make_person()
    a = await make_history(
        item="GA-CSDJ", channel="window", kind="window", applicant=person, deadline="2026-03-09",
        steps=[
            (at("2026-03-02", 10), "submit", "submitted", {}),
            (at("2026-03-02", 10, 1), "forward", "queued", IN_PERSON),
            (at("2026-03-02", 10, 2), "accept", "accepted", {}),
            (at("2026-03-06"), "approve", "approved", {}),
            (at("2026-03-06", 11), "issue_result", "result_ready", {}),
            (at("2026-03-10"), "deliver", "delivered", {"method": "window", **IN_PERSON}),
        ],
    )  # fmt: skip
    b = await make_history(
        item="GA-SWZX", channel="miniprogram", kind="self", applicant=person, deadline="2026-03-05",
        steps=[
            (at("2026-03-02", 11), "submit", "submitted", {}),
            (at("2026-03-02", 11, 5), "forward", "queued", {}),
            (at("2026-03-04"), "accept", "accepted", {}),
            (at("2026-03-04", 11), "transfer", "in_review", {}),
            (at("2026-03-09"), "approve", "approved", {}),
            (at("2026-03-09", 11), "issue_result", "result_ready", {}),
            (at("2026-03-10"), "deliver", "delivered", {"method": "mail"}),
        ],
    )  # fmt: skip
    c = await make_history(
        item="GA-CSDJ", channel="agent", kind="agent", applicant=person, deadline="2026-03-10",
        steps=[
            (at("2026-03-03"), "submit", "submitted", {}),
            (at("2026-03-03", 10, 5), "forward", "queued", {}),
            (at("2026-03-03", 14), "accept", "accepted", {}),
        ],
    )  # fmt: skip
    d = await make_history(
        item="GA-CSDJ", channel="miniprogram", kind="self", applicant=person,
        steps=[
            (at("2026-03-03"), "submit", "submitted", {}),
            (at("2026-03-03", 10, 5), "forward", "queued", {}),
            (at("2026-03-03", 15), "request_supplement", "awaiting_supplement", {}),
            (at("2026-03-05"), "supply", "queued", IN_PERSON),
            (at("2026-03-05", 11), "reject", "rejected", {}),
        ],
    )  # fmt: skip
    await rate(a, person, 5, at("2026-03-11"))
    await rate(b, person, 1, at("2026-03-11"))
    return {"a": a, "b": b, "c": c, "d": d}


async def test_figures_of_a_hand_made_history(small_catalogue: Path):
    await four_cases()
    done = await rollup.refresh(calendar=CALENDAR, today=TODAY)
    assert done.full and done.cases == 4

    month = await service.overview(
        date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), township=None
    )
    got = msgspec.to_builtins(month)
    assert got["from"] == "2026-03-01" and got["to"] == "2026-03-31"
    assert got["totals"] == {
        "cases": 4, "open": 1, "closed": 3, "bundles": 0, "items": 4, "bundle_items": 0
    }  # fmt: skip
    assert got["by_status"] == {"accepted": 1, "delivered": 2, "rejected": 1}
    assert got["by_channel"] == {"agent": 1, "miniprogram": 2, "window": 1}
    assert got["by_filed_by"] == {"agent": 1, "self": 2, "window": 1}
    assert got["delegated_share"] == 0.25
    assert got["local_share"] == 0.75  # B went to a district back office
    assert got["on_time_rate"] == 0.3333  # A on time; B decided late; C open and overdue
    assert got["working_days_to_accept"] == {"avg": 0.67, "p90": 2, "count": 3}
    assert got["working_days_to_deliver"] == {"avg": 6.0, "p90": 6, "count": 2}
    assert got["trips_per_case"] == {"avg": 1.0, "at_most_one_share": 0.6667, "cases": 3}
    assert got["satisfaction"] == {"count": 2, "average": 3.0, "bad_share": 0.5}
    league = {t["code"]: t for t in got["by_township"]}
    township = league.pop(TOWNSHIP)
    assert township["name"] == "益农镇" and township["items"] == 4
    assert township["cases"] == 4 and township["delegated_share"] == 0.25
    # Every other township of the district is listed too, with nothing counted.
    assert league and all(t["cases"] == 0 and t["on_time_rate"] is None for t in league.values())
    assert township["satisfaction"] == 3.0 and township["on_time_rate"] == 0.3333
    items = {i["code"]: i for i in got["by_item"]}
    assert items["GA-CSDJ"]["cases"] == 3 and items["GA-SWZX"]["cases"] == 1
    assert items["GA-SWZX"]["satisfaction"] == {"count": 1, "average": 1.0, "bad_share": 1.0}
    assert [v["cases"] for v in got["by_village"]] == [4]
    assert [(d["code"], d["cases"]) for d in got["by_department"]] == [("GA", 4)]
    days = {d["date"]: (d["submitted"], d["closed"]) for d in got["by_day"]}
    assert len(days) == 31
    assert days["2026-03-02"] == (2, 0) and days["2026-03-03"] == (2, 0)
    assert days["2026-03-05"] == (0, 1) and days["2026-03-10"] == (0, 2)

    # Part of a month is read from the daily roll-up: the same figures for the same cases.
    first_day = await service.overview(
        date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 2), township=TOWNSHIP
    )
    assert first_day.totals.cases == 2 and first_day.township == TOWNSHIP
    assert first_day.working_days_to_deliver.avg == 6.0
    assert first_day.on_time_rate == 0.5
    empty = await service.overview(
        date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 2), township=None
    )
    assert empty.totals.cases == 0 and empty.on_time_rate is None


async def test_a_late_event_corrects_a_day_already_rolled_up(small_catalogue: Path):
    ids = await four_cases()
    await rollup.refresh(calendar=CALENDAR, today=TODAY)
    # C is decided by an event stamped before the last run but committed after it.
    stamped = now_utc() - dt.timedelta(minutes=2)
    await add_event(ids["c"], stamped, "approve", "accepted", "approved")
    await db.fetch("UPDATE case_record SET status = 'approved' WHERE id = $1", ids["c"])
    done = await rollup.refresh(calendar=CALENDAR, today=TODAY)
    assert not done.full and done.cases >= 1 and done.days >= 1
    day = await service.overview(
        date_from=dt.date(2026, 3, 3), date_to=dt.date(2026, 3, 3), township=None
    )
    assert msgspec.to_builtins(day.by_status) == {"approved": 1, "rejected": 1}
    month = await service.overview(
        date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), township=None
    )
    assert msgspec.to_builtins(month.by_status) == {"approved": 1, "delivered": 2, "rejected": 1}


async def _rows() -> list[tuple[object, ...]]:
    daily = await db.fetch("SELECT * FROM stats_daily ORDER BY township, dim, day, key")
    monthly = await db.fetch("SELECT * FROM stats_monthly ORDER BY township, dim, month, key")
    return [tuple(r.values())[1:] for r in [*daily, *monthly]]


async def test_the_cron_is_idempotent_and_one_worker_runs_it_at_a_time(
    small_catalogue: Path, settings
):
    await four_cases()
    await rollup.refresh(calendar=CALENDAR, today=TODAY)
    first = await _rows()
    again = await rollup.refresh(calendar=CALENDAR, today=TODAY)
    assert not again.skipped and again.cases == 0  # nothing new since the last run
    assert await _rows() == first
    rebuilt = await rollup.rebuild(calendar=CALENDAR, today=TODAY)
    assert rebuilt.full and await _rows() == first

    other = await asyncpg.connect(settings.database_url)
    try:
        async with other.transaction():
            await other.fetch("SELECT 1 FROM stats_watermark WHERE name = 'rollup' FOR UPDATE")
            assert (await rollup.refresh(calendar=CALENDAR, today=TODAY)).skipped
    finally:
        await other.close()
    assert await _rows() == first


async def test_the_cron_job_also_caches_the_30_minute_coverage(small_catalogue: Path, settings):
    from backend.stats import jobs

    await four_cases()
    done = await jobs.refresh_stats(travel=StraightLineEstimator.from_settings(settings))
    assert done.full and done.cases == 4
    figures = await service.overview(
        date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), township=TOWNSHIP
    )
    coverage = figures.coverage_30min
    assert coverage.villages == 2 and coverage.share is not None and 0 <= coverage.share <= 1
    assert coverage.computed_at is not None
    whole = await service.overview(
        date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), township=None
    )
    assert whole.coverage_30min.villages == 3
    assert whole.refreshed_at is not None
