"""``demo generate`` on a small N: every sampled history is legal, the roll-ups add up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from backend import db
from backend.clock import now_utc, today
from backend.demo.generate import GenerationError, check_sample, generate
from backend.stats import rollup, service
from backend.workdays.calendar import ChinaCalendar
from tests.factories import make_staff
from tests.stats.history import at, make_history, make_person

pytestmark = pytest.mark.integration


async def test_a_small_generated_history_is_legal_and_adds_up(small_catalogue: Path):
    calendar = ChinaCalendar()
    since = today() - dt.timedelta(days=90)
    villages = [r["code"] for r in await db.fetch("SELECT code FROM area WHERE level = 'village'")]
    agents = {
        v: (await make_staff(role="agent", area_code=v, username=f"agent-{v}")).id for v in villages
    }
    report = await generate(cases=400, seed=7, since=since, calendar=calendar, now=now_utc())
    assert report.cases == 400 and report.checked == 200
    assert report.events > 400 * 3 and report.evaluations > 0
    async with db.connection() as conn:  # every history, not only the sample
        assert await check_sample(conn, list(range(report.first_id, report.last_id + 1))) == 400
    filers = await db.fetch(
        "SELECT c.filed_by_staff, a.village FROM case_record c JOIN citizen a ON a.id = c.applicant"
        " WHERE c.channel = 'agent'"
    )
    assert filers and all(str(r["filed_by_staff"]) == str(agents[r["village"]]) for r in filers)
    statuses = await db.fetch("SELECT DISTINCT status FROM case_record")
    assert {"delivered", "accepted"} <= {r["status"] for r in statuses}
    visits = await db.fetchrow(
        "SELECT count(*) FILTER (WHERE data->>'in_person' = 'true') AS n FROM case_event"
    )
    assert visits is not None and visits["n"] > 0

    done = await rollup.rebuild(calendar=calendar, today=today())
    assert done.cases == 400
    figures = await service.overview(date_from=since, date_to=today(), township=None)
    assert figures.totals.cases == 400
    assert sum(msgspec.to_builtins(figures.by_status).values()) == 400
    assert sum(d.submitted for d in figures.by_day) == 400
    assert 0 < (figures.delegated_share or 0) < 1 and figures.satisfaction.count > 0
    assert figures.working_days_to_deliver.p90 is not None


async def test_an_illegal_history_stops_the_check(small_catalogue: Path):
    person = await make_person()
    skipped_the_queue = await make_history(
        item="GA-CSDJ", channel="miniprogram", kind="self", applicant=person,
        steps=[
            (at("2026-03-02"), "submit", "submitted", {}),
            (at("2026-03-02", 11), "accept", "accepted", {}),
        ],
    )  # fmt: skip
    async with db.connection() as conn:
        with pytest.raises(GenerationError, match="accept"):
            await check_sample(conn, [skipped_the_queue])
