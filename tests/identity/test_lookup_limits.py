"""Lookups by ID number are limited per account and per client address (Redis counters).

The app is built in-process with low limits; requests come from other loopback addresses
(127.0.0.x) through httpx's ASGI transport, which sets the client address the app sees.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from backend import db
from backend.app import create_app
from backend.devservices import free_port
from backend.errors import ServiceUnavailable
from backend.http.throttle import Limit, hit
from backend.settings import Settings
from tests.factories import DEFAULT_PASSWORD, make_staff
from tests.support import VILLAGE

pytestmark = pytest.mark.api

BAD = {"name": "王秀英", "id_number": "110101190001011234", "village_code": VILLAGE}


@contextlib.asynccontextmanager
async def limited_app(settings: Settings) -> AsyncIterator[Any]:
    """The app with 3 lookups per account and 5 per address (per hour), and clients by address.

    A context manager, not a fixture: the app's lifespan must end in the task it began in."""
    tight = replace(
        settings,
        id_lookup_limit_per_account=3,
        id_lookup_limit_per_address=5,
        trusted_proxies="127.0.0.9",
        redis_prefix=f"{settings.redis_prefix}-limits-{free_port()}",
    )
    saved = db.engine()
    app = create_app(tight, configure_logs=False)
    try:
        async with app.lifespan():  # the app's startup and shutdown, in this event loop

            def client(address: str) -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=app, client=(address, 40000))
                return httpx.AsyncClient(transport=transport, base_url="http://test")

            yield client
    finally:
        db.use_engine(saved)  # the app's shutdown closed its own engine


async def _agent(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    await make_staff(role="agent", username=username, area_code=VILLAGE)
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_an_account_and_an_address_each_have_a_limit(
    settings: Settings, small_catalogue: Any
) -> None:
    async with limited_app(settings) as limited:
        await _account_and_address(limited)


async def _account_and_address(limited: Any) -> None:
    here, there = limited("127.0.0.2"), limited("127.0.0.3")
    first, second = await _agent(here, "agent-lim-1"), await _agent(here, "agent-lim-2")
    codes = [
        (await here.post("/api/v1/agent/citizens", json=BAD, headers=first)).status_code
        for _ in range(4)
    ]
    print("one agent, four registrations:", codes)
    assert codes == [422, 422, 422, 429]  # counted before the number is even checked
    blocked = await here.post("/api/v1/agent/citizens", json=BAD, headers=second)
    assert blocked.status_code == 422  # another account: the address has used 4 of 5
    limited_now = await here.post("/api/v1/agent/citizens", json=BAD, headers=second)
    assert limited_now.status_code == 429
    body = limited_now.json()
    assert body["code"] == "rate_limited" and body["detail"]
    assert 1 <= int(limited_now.headers["Retry-After"]) <= 3600
    elsewhere = await _agent(there, "agent-lim-3")
    assert (
        await there.post("/api/v1/agent/citizens", json=BAD, headers=elsewhere)
    ).status_code == 422  # another address, another account: not limited


async def test_the_proxy_header_counts_only_from_a_trusted_proxy(
    settings: Settings, small_catalogue: Any
) -> None:
    async with limited_app(settings) as limited:
        await _proxy(limited)


async def _proxy(limited: Any) -> None:
    proxy, stranger = limited("127.0.0.9"), limited("127.0.0.4")
    agents = [await _agent(proxy, f"agent-px-{i}") for i in range(4)]

    async def attempt(api: httpx.AsyncClient, who: dict[str, str], forwarded: str) -> int:
        headers = {**who, "X-Forwarded-For": forwarded}
        return (await api.post("/api/v1/agent/citizens", json=BAD, headers=headers)).status_code

    # behind the trusted proxy, two real clients: 3 each, below the address limit of 5
    behind = [await attempt(proxy, agents[i % 2], f"10.0.0.{i % 2 + 1}") for i in range(6)]
    # a stranger's forged header is ignored: all count against 127.0.0.4
    forged = [await attempt(stranger, agents[2 + i // 3], f"10.9.9.{i}") for i in range(6)]
    print("behind the proxy:", behind, "forged header:", forged)
    assert 429 not in behind
    assert forged[-1] == 429


async def test_while_redis_is_away_a_route_fails_open_or_closed_as_chosen() -> None:
    gone = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    limit = Limit(per_account=1, per_address=1, window_s=60)
    args: dict[str, Any] = {
        "prefix": "jjb-test-away",
        "route": "walk_in",
        "account": "staff:x",
        "address": "127.0.0.6",
        "limit": limit,
    }
    try:
        await hit(gone, fail_open=True, **args)  # lets the request through
        with pytest.raises(ServiceUnavailable) as refused:
            await hit(gone, fail_open=False, **args)
        assert refused.value.code == "rate_limit_unavailable"
    finally:
        await gone.aclose()
