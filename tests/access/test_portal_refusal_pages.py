"""Every refusal under /portal/ is the portal's HTML page in Chinese; the API keeps its problem
documents.

Hostile requests a tester sent to the staff portal: a NUL in a form field or the query string,
a CSRF token that is not the page's, a number in the address beyond what PostgreSQL holds, a
method no page answers. Each must answer ``text/html`` with the right status and a clear Chinese
message, and change nothing; the same kinds of request to /api/v1 still answer
``application/problem+json`` with the same codes as before.
"""

from __future__ import annotations

import html
import re

import httpx
import pytest

from tests.access.world import changed, checksum
from tests.admin.settings_support import CSRF, portal
from tests.window.support import staff

pytestmark = pytest.mark.api

INVALID = "提交的内容含有不能使用的字符（如空字符），请删除后重试。"
CSRF_REFUSED = "页面已过期或来源不明，请刷新页面后重试。"
BAD_PARAMETER = "地址中的参数有误。"
HUGE = "99999999999999999999"
PROBLEM = "application/problem+json"


async def _token(client: httpx.AsyncClient, page: str) -> str:
    shown = await client.get(page)
    found = CSRF.search(shown.text)
    assert found is not None, shown.text[:300]
    return found[1]


def _page(response: httpx.Response, status: int, message: str) -> None:
    """The portal's error page: HTML, the status, the Chinese message and a way home."""
    where = f"{response.request.method} {response.request.url}"
    assert response.status_code == status, (where, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), (where, response.headers)
    text = html.unescape(response.text)
    assert message in text, (where, text[:600])
    assert 'lang="zh-CN"' in text and 'href="/portal/"' in text, where
    assert "problem" not in response.headers["content-type"]
    assert not re.search(r'"code"\s*:', text), where


def _problem(response: httpx.Response, status: int, code: str | None = None) -> None:
    where = f"{response.request.method} {response.request.url}"
    assert response.status_code == status, (where, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith(PROBLEM), (where, response.headers)
    if code is not None:
        assert response.json()["code"] == code, (where, response.text)


async def test_hostile_admin_requests_get_the_portal_page_and_change_nothing(
    api: httpx.AsyncClient,
) -> None:
    admin = await portal(api, "perr-admin")
    accounts = await _token(admin, "/portal/admin/accounts/new")
    points = await _token(admin, "/portal/admin/points/new")
    before = await checksum()

    new_account = {
        "username": "perr-new",
        "display_name": "a\x00b",
        "role": "window",
        "_csrf_token": accounts,
    }
    _page(await admin.post("/portal/admin/accounts/new", data=new_account), 400, INVALID)
    new_point = {"name": "测试点", "holiday_hours": "\x00", "_csrf_token": points}
    _page(await admin.post("/portal/admin/points/new", data=new_point), 400, INVALID)
    _page(await admin.get("/portal/admin/accounts/", params={"q": "a\x00b"}), 400, INVALID)
    _page(await admin.get("/portal/admin/accounts/a%00b"), 400, INVALID)

    wrong = {**new_account, "display_name": "新账号", "_csrf_token": "not-the-token"}
    _page(await admin.post("/portal/admin/accounts/new", data=wrong), 403, CSRF_REFUSED)
    htmx = {"x-csrftoken": "not-the-token", "hx-request": "true"}
    refused = await admin.post("/portal/admin/routing/1/delete", headers=htmx)
    _page(refused, 403, CSRF_REFUSED)

    _page(await admin.get("/portal/admin/accounts/", params={"page": HUGE}), 422, BAD_PARAMETER)
    _page(await admin.get("/portal/admin/routing/", params={"page": "abc"}), 422, BAD_PARAMETER)
    deleted = await admin.post(
        f"/portal/admin/routing/{HUGE}/delete",
        data={"_csrf_token": await _token(admin, "/portal/admin/routing/")},
    )
    _page(deleted, 422, BAD_PARAMETER)
    _page(await admin.request("DELETE", "/portal/admin/accounts/"), 405, "不支持")
    _page(await admin.get("/portal/no-such-page"), 404, "找不到")

    assert not changed(before, await checksum())


async def test_hostile_desk_requests_get_the_portal_page_and_change_nothing(
    api: httpx.AsyncClient,
) -> None:
    window = await portal(api, "perr-window", role="window")
    approver = await portal(api, "perr-approver", role="approver")
    agent = await portal(api, "perr-agent", role="agent")
    token = await _token(window, "/portal/window/queue")
    before = await checksum()

    _page(await window.get("/portal/window/queue", params={"page": HUGE}), 422, BAD_PARAMETER)
    _page(await window.get("/portal/window/cases", params={"q": "\x00"}), 400, INVALID)
    _page(await window.get(f"/portal/window/cases/{HUGE}"), 404, "找不到")
    _page(await window.get("/portal/window/cases/a%00b"), 400, INVALID)
    act = f"/portal/window/cases/{HUGE}/accept"
    _page(await window.post(act, data={"_csrf_token": "stale"}), 403, CSRF_REFUSED)
    _page(await window.post(act, data={"note": "a\x00b", "_csrf_token": token}), 400, INVALID)
    _page(await window.post("/portal/window/queue/claim", data={}), 403, CSRF_REFUSED)

    _page(await approver.get("/portal/review/", params={"page": HUGE}), 422, BAD_PARAMETER)
    _page(await approver.get(f"/portal/review/cases/{HUGE}"), 404, "找不到")
    review = f"/portal/review/cases/{HUGE}/approve"
    _page(await approver.post(review, data={"_csrf_token": "stale"}), 403, CSRF_REFUSED)

    clamped = await agent.get("/portal/agent/villagers", params={"page": HUGE})  # its last page
    assert clamped.status_code == 200 and clamped.headers["content-type"].startswith("text/html")
    _page(await agent.get("/portal/agent/villagers", params={"page": "x"}), 422, BAD_PARAMETER)
    _page(await agent.get(f"/portal/agent/cases/{HUGE}"), 404, "找不到")
    _page(await agent.get("/portal/agent/cases/a%00b"), 400, INVALID)
    supply = f"/portal/agent/cases/{HUGE}/supply"
    _page(await agent.post(supply, data={"_csrf_token": "stale"}), 403, CSRF_REFUSED)

    assert not changed(before, await checksum())


async def test_the_same_requests_to_the_api_still_answer_problem_documents(
    api: httpx.AsyncClient,
) -> None:
    supervisor = await staff(api, username="perr-sup", role="supervisor")
    before = await checksum()

    nul_query = await supervisor.get("/api/v1/staff/me", params={"q": "a\x00b"})
    _problem(nul_query, 400, "invalid_characters")
    nul_body = b'{"reason": "a\\u0000b"}'
    posted = await supervisor.post(
        "/api/v1/supervision/follow-ups/1/resolve",
        content=nul_body,
        headers={"content-type": "application/json"},
    )
    _problem(posted, 400, "invalid_characters")
    form = await api.post("/api/v1/auth/staff/login", data={"username": "a\x00b"})
    _problem(form, 400, "invalid_characters")
    _problem(await supervisor.get("/api/v1/window/cases/a%00b"), 400, "invalid_characters")
    huge = await supervisor.get(f"/api/v1/supervision/follow-ups/{HUGE}")
    assert huge.status_code in (404, 422), huge.text
    assert huge.headers["content-type"].startswith(PROBLEM)
    paged = await supervisor.get("/api/v1/supervision/follow-ups", params={"page": HUGE})
    assert paged.status_code == 422 and paged.headers["content-type"].startswith(PROBLEM)
    _problem(await api.request("DELETE", "/api/v1/auth/staff/login"), 405, "method_not_allowed")
    _problem(await api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert not changed(before, await checksum())

    # a browser's session cookie and a wrong CSRF token do not matter to the bearer API
    cookies = await portal(api, "perr-api-admin")
    exempt = await cookies.post(
        "/api/v1/auth/staff/login",
        json={"username": "nobody", "password": "wrong"},
        headers={"x-csrftoken": "not-the-token"},
    )
    assert exempt.status_code != 403 and exempt.headers["content-type"].startswith(PROBLEM)
