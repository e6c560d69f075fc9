"""The web surface: the portal's CSRF token bound to its session, the CSRF exclusions anchored,
``Cache-Control: no-store`` on personal answers, and ``/metrics`` behind a token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.middleware._utils import build_exclude_path_pattern
from litestar.middleware.csrf import CSRFMiddleware

from agent_portal.common.security import CSRF_COOKIE, CSRF_EXCLUDE
from backend.settings import load_settings
from tests.factories import DEFAULT_PASSWORD, make_staff
from tests.servers import PRODUCTION, app_server

pytestmark = pytest.mark.api

TOKEN_FIELD = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
async def browser(api_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_server, timeout=10.0) as client:
        yield client


async def portal_login(client: httpx.AsyncClient, username: str) -> str:
    """Log in through the form like a browser; returns the CSRF token the home page carries."""
    page = await client.get("/portal/login")
    token = TOKEN_FIELD.search(page.text)
    assert token, page.text
    answer = await client.post(
        "/portal/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "_csrf_token": token[1]},
    )
    assert answer.status_code == 303, answer.text
    home = await client.get("/portal/")
    assert home.status_code == 200
    rendered = TOKEN_FIELD.search(home.text)
    assert rendered, home.text
    return rendered[1]


def csrf_cookie(client: httpx.AsyncClient) -> str:
    values = [c.value for c in client.cookies.jar if c.name == CSRF_COOKIE]
    assert len(values) == 1, values
    return str(values[0])


def plant_csrf_cookie(client: httpx.AsyncClient, value: str) -> None:
    """Replace the CSRF cookie in the jar (as a cookie-injecting attacker would)."""
    domain = next(c.domain for c in client.cookies.jar if c.name == CSRF_COOKIE)
    client.cookies.delete(CSRF_COOKIE)
    client.cookies.set(CSRF_COOKIE, value, domain=domain, path="/")


async def test_csrf_token_of_one_session_is_refused_in_another(
    api_server: str,
) -> None:
    staff = await make_staff(role="window")
    async with (
        httpx.AsyncClient(base_url=api_server, timeout=10.0) as alice,
        httpx.AsyncClient(base_url=api_server, timeout=10.0) as mallory,
    ):
        alice_token = await portal_login(alice, staff.username)
        mallory_token = await portal_login(mallory, staff.username)
        assert alice_token != mallory_token
        assert csrf_cookie(alice) == alice_token  # the page carries the bound token

        # Mallory's pair (cookie + field) is a valid double-submit, but not Alice's session's.
        plant_csrf_cookie(alice, mallory_token)
        refused = await alice.post("/portal/logout", headers={"X-CSRFToken": mallory_token})
        assert refused.status_code == 403
        assert (await alice.get("/portal/")).status_code == 200  # still signed in

        # The next page puts Alice's own token back (cookie and page).
        restored = await alice.get("/portal/")
        assert TOKEN_FIELD.search(restored.text)[1] == alice_token  # type: ignore[index]
        assert csrf_cookie(alice) == alice_token
        done = await alice.post("/portal/logout", headers={"X-CSRFToken": alice_token})
        assert done.status_code == 303
        assert (await alice.get("/portal/")).status_code in (302, 303)

        # Mallory's own session still works with Mallory's token.
        mine = await mallory.post("/portal/logout", headers={"X-CSRFToken": mallory_token})
        assert mine.status_code == 303


async def test_a_lost_csrf_cookie_comes_back_as_the_sessions_token(
    browser: httpx.AsyncClient,
) -> None:
    staff = await make_staff(role="window")
    token = await portal_login(browser, staff.username)
    browser.cookies.delete(CSRF_COOKIE)
    page = await browser.get("/portal/")
    assert TOKEN_FIELD.search(page.text)[1] == token  # type: ignore[index]
    assert csrf_cookie(browser) == token
    done = await browser.post("/portal/logout", headers={"X-CSRFToken": token})
    assert done.status_code == 303


def test_csrf_exclusions_are_anchored() -> None:
    pattern = build_exclude_path_pattern(exclude=CSRF_EXCLUDE, middleware_cls=CSRFMiddleware)
    assert pattern is not None
    for path in (
        "/api/v1/cases",
        "/api/v1/wechat/push",
        "/healthz",
        "/metrics",
        "/schema",
        "/schema/openapi.json",
        "/static/portal.css",
    ):
        assert pattern.findall(path), path
    for path in (
        "/portal/wechat",
        "/portal/x/api/y",
        "/portal/healthz",
        "/portal/static/x",
        "/portal/cases/1/wechat",
        "/apix",
        "/metricsx",
        "/portal/schema",
    ):
        assert not pattern.findall(path), path


async def test_personal_answers_are_not_stored(browser: httpx.AsyncClient) -> None:
    login = await browser.post("/api/v1/auth/wechat/login", json={"code": "test:cache-control"})
    token = login.json()["access_token"]
    assert login.headers["cache-control"] == "no-store"  # a token
    me = await browser.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.headers["cache-control"] == "no-store"
    for path in (
        "/api/v1/items",
        "/api/v1/areas/",
        "/api/v1/items/NO-SUCH",
        "/api/v1/no-such-route",
        "/portal/login",
    ):
        answer = await browser.get(path)
        assert answer.headers.get("cache-control") == "no-store", path
    unauthenticated = await browser.get("/api/v1/me")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["cache-control"] == "no-store"
    for path in ("/schema/openapi.json", "/healthz"):
        answer = await browser.get(path)
        assert answer.status_code == 200
        assert "no-store" not in answer.headers.get("cache-control", ""), path


METRICS_TOKEN = "m-" + "0123456789abcdef" * 3


async def test_metrics_outside_dev_mode_need_the_token(test_env: dict[str, str]) -> None:
    async with app_server(test_env, **PRODUCTION) as client:
        closed = await client.get("/metrics")
        assert closed.status_code == 403
        assert closed.json()["code"] == "metrics_disabled"
        assert "METRICS_TOKEN" in closed.json()["detail"]
    async with app_server(test_env, **PRODUCTION, METRICS_TOKEN=METRICS_TOKEN) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.json()["code"] == "metrics_unauthorized"
        ok = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert ok.status_code == 200
        assert "litestar_requests_total" in ok.text


async def test_metrics_in_dev_mode_with_a_token_need_it_too(test_env: dict[str, str]) -> None:
    async with app_server(test_env, METRICS_TOKEN=METRICS_TOKEN) as client:
        assert (await client.get("/metrics")).status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert ok.status_code == 200


def test_short_metrics_token_is_refused_at_start() -> None:
    from backend.settings import SettingsError

    with pytest.raises(SettingsError, match="METRICS_TOKEN"):
        load_settings(environ={"METRICS_TOKEN": "short"})


async def test_a_refused_csrf_check_is_counted_as_a_403_not_a_server_error(
    test_env: dict[str, str],
) -> None:
    """Anyone can send a POST without a token: it must not inflate the 5xx series."""
    async with app_server(test_env) as client:
        for _ in range(3):
            refused = await client.post("/portal/logout", data={"_csrf_token": "bogus"})
            assert refused.status_code == 403
        metrics = (await client.get("/metrics")).text
    logout = [line for line in metrics.splitlines() if 'path="/portal/logout"' in line]
    assert any("litestar_requests_total" in line and 'status_code="403"' in line for line in logout)
    assert not [line for line in logout if 'status_code="500"' in line]


async def test_an_unknown_portal_address_is_the_portals_own_404_page(
    browser: httpx.AsyncClient,
) -> None:
    for path in ("/portal/nonexistent", "/portal/window/nowhere/at/all"):
        page = await browser.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "找不到该页面" in page.text and '"code"' not in page.text
    api = await browser.get("/api/v1/nonexistent")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "not_found"


async def test_a_week_typed_wrong_on_the_call_back_page_is_said_next_to_it(
    browser: httpx.AsyncClient,
) -> None:
    await make_staff(role="supervisor", username="sup-week", area_code=None)
    await portal_login(browser, "sup-week")
    page = await browser.get("/portal/supervision/callbacks?week=bogus")
    assert page.status_code == 422
    assert "请按 2026-W48 或 2026-11-23 的格式填写周次。" in page.text
    assert "找不到该页面" not in page.text
