"""The administrator's 自助终端 page: register a terminal, reissue its credential, disable it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from backend import db
from tests.admin.test_accounts_pages import sign_in
from tests.factories import TOWNSHIP, make_staff
from tests.terminals.support import HALL, POINT

pytestmark = pytest.mark.api

BASE = "/portal/admin/terminals"
SECRET = re.compile(r'id="terminal-secret">([^<]+)<')
TERMINAL_ID = re.compile(r'id="terminal-id">([^<]+)<')


@pytest.fixture
async def admin(api_server: str) -> Any:
    await make_staff(role="admin", username="admin-t", display_name="区管理员")
    portal = await sign_in(api_server, "admin-t")
    yield portal
    await portal.close()


async def test_an_administrator_registers_reissues_and_disables(
    api, admin, api_server: str, small_catalogue: Path
):
    listed = await admin.get(f"{BASE}/")
    assert listed.status_code == 200
    assert f'value="{POINT}"' in listed.text and f'value="{HALL}"' not in listed.text

    refused = await admin.post(f"{BASE}/", {"point": HALL, "name": "大厅机"})
    assert refused.status_code == 422 and "不是自助服务终端" in refused.text
    assert await db.fetchval("SELECT count(*) FROM terminal") == 0

    issued = await admin.post(f"{BASE}/", {"point": POINT, "name": "1号自助机"})
    assert issued.status_code == 200, issued.text[:300]
    assert "no-store" in issued.headers["cache-control"]  # the portal never caches a page
    terminal_id = TERMINAL_ID.search(issued.text).group(1)
    secret = SECRET.search(issued.text).group(1)
    login = {"terminal_id": terminal_id, "secret": secret}
    assert (await api.post("/api/v1/auth/terminal/login", json=login)).status_code == 200
    page = await admin.get(f"{BASE}/")
    assert "1号自助机" in page.text and secret not in page.text  # shown once only

    again = await admin.post(f"{BASE}/{terminal_id}/reissue")
    assert again.status_code == 200
    new_secret = SECRET.search(again.text).group(1)
    assert new_secret != secret
    assert (await api.post("/api/v1/auth/terminal/login", json=login)).status_code == 401

    off = await admin.post(f"{BASE}/{terminal_id}/disable")
    assert off.status_code == 303 and off.headers["location"] == f"{BASE}/?done=disabled"
    relogin = {"terminal_id": terminal_id, "secret": new_secret}
    assert (await api.post("/api/v1/auth/terminal/login", json=relogin)).status_code == 401
    assert "停用" in (await admin.get(f"{BASE}/?done=disabled")).text
    actions = await db.fetch(
        "SELECT action, actor_kind FROM audit_event WHERE subject_kind = 'terminal' ORDER BY id"
    )
    assert [(r["action"], r["actor_kind"]) for r in actions] == [
        ("terminal.issue", "staff"),
        ("terminal.reissue", "staff"),
        ("terminal.disable", "staff"),
    ]


async def test_only_administrators_see_the_page(api_server: str, small_catalogue: Path):
    await make_staff(role="supervisor", username="sup-t", area_code=TOWNSHIP)
    supervisor = await sign_in(api_server, "sup-t")
    try:
        assert (await supervisor.get(f"{BASE}/")).status_code == 403
        response = await supervisor.post(f"{BASE}/", {"point": POINT, "name": "x"})
        assert response.status_code == 403
        assert await db.fetchval("SELECT count(*) FROM terminal") == 0
    finally:
        await supervisor.close()
