"""Every page every member of staff can reach, opened; every form on them, submitted empty.

One of each staff role signs in (a village agent, a 政银通 bank clerk — an agent of the
township —, a township window clerk, a department's approver, a township supervisor and the
district's administrator), each with something to see: cases in the queue and under review, an
errand with originals sent to the township and one asked for a supplement, handovers both ways,
a follow-up of a bad rating, a week's call-backs, a notice. ``crawl.Crawler`` then walks the
portal from ``/portal/`` as each of them (see its docstring for what fails), so the pages other
desks add are crawled as soon as a link reaches them.

The summary (role × pages × links × forms × failures, then every failure) is printed and kept in
``test-artifacts/crawl-summary.txt``.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser

from backend.cases.tables import Case
from backend.clock import today
from backend.fakes.idverify_server import FakeIdVerify
from backend.supervision import callbacks
from tests.access import rules
from tests.access.world import World, build, checksum
from tests.browser import crawl
from tests.delegation.support import OTHER_VILLAGE, bank_clerk, filed, paper_mandate, villager
from tests.factories import DEFAULT_PASSWORD, make_id_number
from tests.window.support import forward

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

STAFF = (
    ("agent", "agent-a", 12.0),
    ("bank agent", "bank-a", 10.0),
    ("approver", "approver-ga", 10.0),
    ("supervisor", "sup-a", 12.0),
    ("window", "window-a", 20.0),
    ("admin", "admin-a", 30.0),
)
"""Who signs in, in this order (the window clerk's and the administrator's empty forms change
the most, so they come last), and for how many seconds at most (the whole test stays near two
minutes; a person whose crawl is cut short is marked "(cap)" in the summary)."""


async def _something_for_everyone(api: httpx.AsyncClient, idverify: FakeIdVerify) -> World:
    """The access sweep's cast (``tests/access/world.py``) and a bank clerk, each with work."""
    w = await build(api)
    w.idverify = idverify
    await rules._villager(w)
    await rules._paper_mandate(w)
    # errands whose originals reached the township, decided and issued: the first one's result
    # is on its way back to the agent (a batch to receive), the second one's is still to send
    for send_back in (True, False):
        await rules._sent_to_township(w)
        await w.act("window_a", f"/api/v1/window/handovers/{w.objects['batch_up']}/receive")
        await rules._result_at_township(w)
        if send_back:
            body = {"case_numbers": [w.objects["errand_sent"]]}
            await w.act("window_a", "/api/v1/window/handovers", body)
    await rules._sent_to_township(w)  # a batch of originals still on its way to the window
    await rules._asked_errand(w)  # the window asked the agent for a supplement
    await rules._claimed(w)
    for _ in range(2):
        await w.queued()
    await w.queued(rules.SEALED_FORM)
    await w.transferred(rules.SEALED_FORM)
    await rules._with_material(w)
    await w.transferred()
    await w.approved()
    await w.issued()
    await rules._follow_up(w)
    await _last_weeks_call_back(w)
    await rules._notice(w, key="crawl")
    bank = await bank_clerk(api)
    person = await villager(
        bank,
        {
            "name": "钱阿婆",
            "id_number": make_id_number(seq=91, birth="19420606", male=False),
            "village_code": OTHER_VILLAGE,
        },
    )
    mandate = await paper_mandate(bank, person["id"], items=["YB-CBDJ"])
    insurance = {"item_code": "YB-CBDJ", "form": {}, "delivery": {"method": "window"}}
    await forward((await filed(bank, mandate["id"], insurance))["number"])
    return w


async def _last_weeks_call_back(w: World) -> None:
    """A case closed last week, drawn for last week's call-backs (the page's default week)."""
    closed = await w.delivered()
    week = callbacks.last_week(today())
    await (
        Case.update({Case.closed_at: Case.closed_at - dt.timedelta(days=7)})
        .where(Case.number == closed)
        .run()
    )
    await callbacks.sample(week=week, size=5)


async def test_every_page_and_every_empty_form_of_every_staff_role(
    browser: Browser,
    live_server: str,
    api: httpx.AsyncClient,
    small_catalogue: Path,
    elicense: object,
    wechat: object,
    fake_idverify: FakeIdVerify,
    artifacts_dir: Path,
) -> None:
    started = time.monotonic()
    fake_idverify.reset()
    await _something_for_everyone(api, fake_idverify)
    prepared = time.monotonic() - started
    crawler = crawl.Crawler(browser, live_server, digest=checksum)
    reports = [
        await crawler.crawl(role, name, DEFAULT_PASSWORD, seconds=seconds)
        for role, name, seconds in STAFF
    ]

    summary = (
        crawl.table(reports)
        + f"\n\n(data prepared in {prepared:.1f} s; crawled in"
        + f" {time.monotonic() - started - prepared:.1f} s)\n"
        + crawl.details(reports)
        + "\n"
    )
    (artifacts_dir / "crawl-summary.txt").write_text(summary, encoding="utf-8")
    (artifacts_dir / "crawl-log.txt").write_text(crawl.log(reports), encoding="utf-8")
    print("\n" + summary)
    for report in reports:
        assert report.pages > 1, f"{report.role} reached no page beyond the home page"
    failures = [f"{r.role}: {f}" for r in reports for f in r.failures]
    assert not failures, f"{len(failures)} failures (see crawl-summary.txt):\n" + "\n".join(
        failures
    )
