"""A bundle (一件事) counts as one case, its items apart; a township without cases is listed."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import msgspec
import pytest

from backend import db
from backend.clock import now_utc
from backend.stats import rollup, service
from backend.workdays.calendar import ChinaCalendar
from tests.stats.history import TOWNSHIP, add_event, at, make_history, make_person

pytestmark = pytest.mark.integration

TODAY = dt.date(2026, 3, 20)
CALENDAR = ChinaCalendar()
OTHER_TOWNSHIP = "330109105"  # 瓜沥镇: no case at all
ITEMS = ["GA-CSDJ", "YB-CBDJ", "RS-SBK-SL", "GA-SWZX"]
VISIT = {"in_person": True}
MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}


async def a_bundle_of_four_and_one_case() -> list[int]:
    """A bundle walked in at a window (1 trip) whose four items are all decided on time, two
    picked up at the window (2 trips) and two mailed; and one single-item case from the phone."""
    person = await make_person()
    parent = await make_history(
        item=None, bundle="CSYJS", channel="window", kind="window", applicant=person,
        steps=[
            (at("2026-03-02", 9), "submit", "submitted", VISIT),
            (at("2026-03-02", 9, 1), "forward", "queued", {}),
            (at("2026-03-02", 9, 2), "accept", "accepted", {}),
            (at("2026-03-12"), "deliver", "delivered", {}),
        ],
    )  # fmt: skip
    children = []
    for n, item in enumerate(ITEMS):
        child = await make_history(
            item=item, channel="window", kind="window", applicant=person, parent=parent,
            deadline="2026-03-10",
            steps=[
                (at("2026-03-02", 9), "submit", "submitted", {}),
                (at("2026-03-02", 9, 2), "accept", "accepted", {}),
                (at("2026-03-05"), "approve", "approved", {}),
                (at("2026-03-06"), "issue_result", "result_ready", {}),
                (at("2026-03-12"), "deliver", "delivered",
                 {"method": "window", **VISIT} if n < 2 else {"method": "mail"}),
            ],
        )  # fmt: skip
        children.append(child)
    await make_history(
        item="GA-CSDJ", channel="miniprogram", kind="self", applicant=person, deadline="2026-03-10",
        steps=[
            (at("2026-03-03"), "submit", "submitted", {}),
            (at("2026-03-03", 10, 5), "forward", "queued", {}),
            (at("2026-03-03", 14), "accept", "accepted", {}),
            (at("2026-03-06"), "approve", "approved", {}),
            (at("2026-03-06", 11), "issue_result", "result_ready", {}),
            (at("2026-03-09"), "deliver", "delivered", {"method": "mail"}),
        ],
    )  # fmt: skip
    return children


async def test_a_bundle_of_four_items_is_one_case_and_four_items(small_catalogue: Path):
    await a_bundle_of_four_and_one_case()
    await rollup.rebuild(calendar=CALENDAR, today=TODAY)
    got = msgspec.to_builtins(await service.overview(**MARCH, township=None))
    assert got["totals"] == {
        "cases": 2, "open": 0, "closed": 2, "bundles": 1, "items": 5, "bundle_items": 4
    }  # fmt: skip
    assert got["by_status"] == {"delivered": 2}
    assert got["by_channel"] == {"miniprogram": 1, "window": 1}
    days = {d["date"]: (d["submitted"], d["closed"]) for d in got["by_day"]}
    assert days["2026-03-02"] == (1, 0) and days["2026-03-12"] == (0, 1)
    # Items are counted per item: GA-CSDJ once in the bundle and once alone.
    items = {i["code"]: i["cases"] for i in got["by_item"]}
    assert items == {"GA-CSDJ": 2, "YB-CBDJ": 1, "RS-SBK-SL": 1, "GA-SWZX": 1}
    assert sum(d["cases"] for d in got["by_department"]) == 5
    assert got["on_time_rate"] == 1.0  # five items, each decided by its deadline
    assert got["working_days_to_accept"]["count"] == 5
    # The bundle's trips are its own and its items': walked in, two pickups = 3; the phone case 0.
    assert got["trips_per_case"] == {"avg": 1.5, "at_most_one_share": 0.5, "cases": 2}
    assert [v["cases"] for v in got["by_village"]] == [2]

    league = {t["code"]: t for t in got["by_township"]}
    assert league[TOWNSHIP]["cases"] == 2 and league[TOWNSHIP]["items"] == 5
    assert league[OTHER_TOWNSHIP]["name"] == "瓜沥镇"
    assert league[OTHER_TOWNSHIP]["cases"] == 0 and league[OTHER_TOWNSHIP]["items"] == 0
    assert league[OTHER_TOWNSHIP]["on_time_rate"] is None

    # A day read from the daily roll-up gives the same counts.
    day = await service.overview(
        date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 2), township=TOWNSHIP
    )
    assert (day.totals.cases, day.totals.bundles, day.totals.items) == (1, 1, 4)
    assert [(t.code, t.cases, t.items) for t in day.by_township] == [(TOWNSHIP, 1, 4)]


async def test_a_township_without_cases_is_listed_with_zeros(small_catalogue: Path):
    await rollup.rebuild(calendar=CALENDAR, today=TODAY)
    whole = await service.overview(**MARCH, township=None)
    assert sorted(t.code for t in whole.by_township) == [OTHER_TOWNSHIP, TOWNSHIP]
    assert all(t.cases == 0 and t.items == 0 and t.satisfaction is None for t in whole.by_township)
    one = await service.overview(**MARCH, township=OTHER_TOWNSHIP)
    assert [(t.code, t.name, t.cases) for t in one.by_township] == [(OTHER_TOWNSHIP, "瓜沥镇", 0)]


async def test_the_cron_refreshes_a_bundle_when_one_of_its_items_moves(small_catalogue: Path):
    children = await a_bundle_of_four_and_one_case()
    await rollup.rebuild(calendar=CALENDAR, today=TODAY)
    # One more visit on an item (an event committed just now): the bundle's trips go 3 -> 4.
    await add_event(children[3], now_utc(), "deliver", "delivered", "delivered", VISIT)
    done = await rollup.refresh(calendar=CALENDAR, today=TODAY)
    assert not done.full and done.cases == 2  # the item and its bundle
    got = await service.overview(**MARCH, township=None)
    assert (got.totals.cases, got.totals.items, got.trips_per_case.avg) == (2, 5, 2.0)


async def test_the_league_counts_urges_and_rectification_orders_of_the_period(
    small_catalogue: Path,
):
    """催办 and 整改通知 of a township in the league: those of the period only, an order past its
    deadline (open or closed late) counted as overdue."""
    children = await a_bundle_of_four_and_one_case()
    supervisor = uuid.uuid4()
    for moment in (at("2026-03-04"), at("2026-03-05"), at("2026-04-02")):  # the last: April
        await db.execute(
            'INSERT INTO case_urge ("case", at, by, township, holder_kind)'
            " VALUES ($1, $2, $3, $4, 'window')",
            children[0],
            moment,
            supervisor,
            TOWNSHIP,
        )
    orders = [  # (township, issued, deadline, state, closed on)
        (TOWNSHIP, at("2026-03-03"), dt.date(2026, 3, 10), "closed", dt.date(2026, 3, 9)),
        (TOWNSHIP, at("2026-03-04"), dt.date(2026, 3, 11), "closed", dt.date(2026, 3, 13)),
        (TOWNSHIP, at("2026-03-05"), dt.date(2026, 3, 12), "open", None),
        (OTHER_TOWNSHIP, at("2026-02-27"), dt.date(2026, 3, 6), "open", None),  # February
    ]
    for town, issued, deadline, state, closed_on in orders:
        await db.execute(
            "INSERT INTO rectification_order (target_kind, township, requirement, deadline,"
            " state, issued_by, issued_at, closed_on) VALUES ('township', $1, '整改', $2, $3,"
            " $4, $5, $6)",
            town,
            deadline,
            state,
            supervisor,
            issued,
            closed_on,
        )
    await rollup.rebuild(calendar=CALENDAR, today=TODAY)
    got = await service.overview(**MARCH, township=None)
    league = {
        t.code: (t.urges, t.rectifications, t.rectifications_overdue) for t in got.by_township
    }
    # today() is the real date, after every deadline: the open order is overdue too
    assert league == {TOWNSHIP: (2, 3, 2), OTHER_TOWNSHIP: (0, 0, 0)}
