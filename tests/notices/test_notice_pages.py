"""The 文书 card on the staff case pages and its PDF links: the window clerk of the township,
the back office of the department and the agent who filed print; anyone else gets the 404 page;
every PDF read is audited; 「文书生成中」 shows only while a notice is still to be issued."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from backend.audit.tables import AuditEvent
from tests.delegation import support as delegation
from tests.factories import DEFAULT_PASSWORD
from tests.notices.support import run_notice_jobs
from tests.support import citizen
from tests.window.support import OTHER_TOWNSHIP, approver, clerk, forward, ok, queued, staff

pytestmark = pytest.mark.api

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
PDF_LINK = re.compile(r'href="(/portal/[a-z]+/cases/[^"/]+/notices/\d+\.pdf)"')


@asynccontextmanager
async def _portal(base_url: str, username: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        token = CSRF_INPUT.search((await client.get("/portal/login")).text)
        assert token
        signed = await client.post(
            "/portal/login",
            data={
                "username": username,
                "password": DEFAULT_PASSWORD,
                "_csrf_token": token.group(1),
            },
        )
        assert signed.status_code == 303, signed.text[:300]
        yield client


async def test_the_window_prints_and_another_township_is_refused(
    api, api_server: str, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "np-window", name="王秀英")
    number = await queued(me)
    desk = await clerk(api)
    await staff(api, username="window-other", area_code=OTHER_TOWNSHIP)
    ga = await approver(api, "GA")
    page_url = f"/portal/window/cases/{number}"
    async with _portal(api_server, "window-a") as portal:
        before = (await portal.get(page_url)).text
        assert 'id="paper"' in before and "本件尚未出具文书" in before
        assert "文书生成中" not in before and not PDF_LINK.search(before)

        await ok(desk, number, "accept")
        waiting = (await portal.get(page_url)).text
        assert "文书生成中，请稍后刷新" in waiting and not PDF_LINK.search(waiting)

        await run_notice_jobs()
        shown = (await portal.get(page_url)).text
        assert "文书生成中" not in shown
        assert "受理通知书" in shown and "打印" in shown and "下载 PDF" in shown
        links = sorted(set(PDF_LINK.findall(shown)))
        assert links and all(link.startswith(page_url + "/notices/") for link in links)
        pdf = await portal.get(links[0])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["cache-control"] == "no-store"
        missing = await portal.get(f"{page_url}/notices/999999.pdf")
        assert missing.status_code == 404 and "<html" in missing.text

    audited = await AuditEvent.select().where(AuditEvent.action == "notice.print").run()
    assert len(audited) == 1
    assert audited[0]["actor_kind"] == "staff" and audited[0]["actor_id"] == desk.id
    assert audited[0]["subject_id"] == number and audited[0]["on_behalf_of"] is not None

    async with _portal(api_server, "window-other") as other:
        refused = await other.get(links[0])
        assert refused.status_code == 404 and not refused.content.startswith(b"%PDF")
        assert "<html" in refused.text
    async with _portal(api_server, ga_username(ga)) as back:
        # Not yet transferred to the department: not the back office's case.
        assert (await back.get(links[0].replace("/window/", "/review/"))).status_code == 404
    assert await AuditEvent.count().where(AuditEvent.action == "notice.print").run() == 1


def ga_username(_: object) -> str:
    return "approver-ga-district"  # tests.window.support.approver's naming


async def test_the_back_office_prints_a_denial(
    api, api_server: str, small_catalogue: Path, elicense, wechat
):
    me = await citizen(api, "np-review")
    number = await queued(me)
    desk = await clerk(api)
    ga = await approver(api, "GA")
    await ok(desk, number, "accept")
    await ok(desk, number, "transfer")
    await ok(ga, number, "deny", {"reason": "不符合登记条件"}, prefix="review")
    await run_notice_jobs()
    async with _portal(api_server, ga_username(ga)) as back:
        shown = (await back.get(f"/portal/review/cases/{number}")).text
        assert "受理通知书" in shown and "决定书" in shown
        links = sorted(set(PDF_LINK.findall(shown)))
        assert len(links) == 2 and all("/portal/review/cases/" in link for link in links)
        for link in links:
            answer = await back.get(link)
            assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    async with _portal(api_server, "window-a") as window:
        # The window of the township reads the same notices from its own page.
        assert (await window.get(links[1].replace("/review/", "/window/"))).status_code == 200
    assert await AuditEvent.count().where(AuditEvent.action == "notice.print").run() == 3


async def test_the_agent_prints_for_the_villager(
    api, api_server: str, small_catalogue: Path, elicense, wechat
):
    mine = await delegation.agent(api)
    await delegation.agent(api, "agent-b", area_code=delegation.OTHER_VILLAGE, name="李代办")
    villager = await delegation.villager(mine)
    mandate = await delegation.paper_mandate(mine, villager["id"])
    number = (await delegation.filed(mine, mandate["id"]))["number"]
    await forward(number)
    await ok(await clerk(api), number, "supplement", {"missing": ["户口簿"], "note": ""})
    await run_notice_jobs()
    async with _portal(api_server, "agent-a") as portal:
        shown = (await portal.get(f"/portal/agent/cases/{number}")).text
        assert 'id="paper"' in shown and "补正材料通知书" in shown
        links = sorted(set(PDF_LINK.findall(shown)))
        assert len(links) == 1 and links[0].startswith(f"/portal/agent/cases/{number}/notices/")
        pdf = await portal.get(links[0])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    async with _portal(api_server, "agent-b") as other:
        assert (await other.get(links[0])).status_code == 404
    audited = await AuditEvent.select().where(AuditEvent.action == "notice.print").run()
    assert [(a["actor_kind"], a["actor_id"]) for a in audited] == [("staff", mine.id)]
    assert str(audited[0]["on_behalf_of"]) == villager["id"]
