"""Login throttling over real sockets: other loopback addresses (127.0.0.x) are other clients.

The server under test is bound on 127.0.0.1; each client below connects from its own source
address, which is what the server sees as the client address (no proxy is trusted in tests).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import structlog

from backend.identity.tables import LoginFailure
from backend.settings import Settings
from tests.api.test_login import assert_problem
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.api

log = structlog.get_logger(__name__)
LOGIN = "/api/v1/auth/staff/login"


@asynccontextmanager
async def client_from(api_server: str, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=api_server, transport=transport, timeout=30) as c:
        yield c


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, json={"username": username, "password": password})


async def test_spraying_from_one_address_is_stopped_and_the_clerk_still_logs_in(
    api_server: str, settings: Settings
):
    """100 wrong passwords from one address across 20 accounts (round robin)."""
    usernames = [f"clerk-{i:02d}" for i in range(20)]
    for name in usernames:
        await make_staff(role="window", username=name)
    answers: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    async with client_from(api_server, "127.0.0.5") as attacker:
        for attempt in range(100):
            response = await login(attacker, usernames[attempt % 20], f"guess-{attempt}-pw")
            answers[response.status_code] += 1
            codes[response.json()["code"]] += 1
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) > 0
    async with client_from(api_server, "127.0.0.6") as clerk:
        real = await login(clerk, "clerk-03", DEFAULT_PASSWORD)
    log.warning(
        "spray_result",
        answers=dict(answers),
        codes=dict(codes),
        clerk_from_elsewhere=real.status_code,
    )
    print(
        f"\n100 wrong passwords from 127.0.0.5 across 20 accounts: {dict(answers)} {dict(codes)};"
        f" the real clerk from 127.0.0.6: {real.status_code}"
    )
    limit = settings.login_address_max_usernames
    assert answers == {401: limit, 429: 100 - limit}
    assert codes["login_rate_limited"] == 100 - limit
    assert real.status_code == 200, real.text
    # Even the right password is refused from the spraying address while it is limited.
    async with client_from(api_server, "127.0.0.5") as attacker:
        assert_problem(
            await login(attacker, "clerk-03", DEFAULT_PASSWORD), 429, "login_rate_limited"
        )


async def test_guessing_one_clerk_from_elsewhere_does_not_lock_them_out(
    api_server: str, settings: Settings
):
    await make_staff(role="window", username="window-target")
    async with client_from(api_server, "127.0.0.7") as attacker:
        answers = [
            (await login(attacker, "window-target", f"wrong-{i}-password")).status_code
            for i in range(3 * settings.login_max_failures)
        ]
        locked = await login(attacker, "window-target", DEFAULT_PASSWORD)
    assert answers[: settings.login_max_failures - 1] == [401] * (settings.login_max_failures - 1)
    assert set(answers[settings.login_max_failures - 1 :]) == {429}
    assert_problem(locked, 429, "login_locked")
    async with client_from(api_server, "127.0.0.8") as clerk:
        assert (await login(clerk, "window-target", DEFAULT_PASSWORD)).status_code == 200
    # The pair lock grows: the second lock of this pair would last twice as long.
    rows = await LoginFailure.select().where(LoginFailure.address == "127.0.0.7").run()
    assert [r["failures"] for r in rows] == [settings.login_max_failures]


async def test_many_addresses_lock_the_account_everywhere(api_server: str, settings: Settings):
    await make_staff(role="window", username="window-besieged")
    for n in range(settings.login_account_lock_addresses):
        async with client_from(api_server, f"127.0.1.{n + 1}") as bot:
            response = await login(bot, "window-besieged", "wrong-password-here")
    assert_problem(response, 429, "login_locked")
    async with client_from(api_server, "127.0.0.9") as clerk:
        assert_problem(await login(clerk, "window-besieged", DEFAULT_PASSWORD), 429, "login_locked")


async def test_locked_unknown_and_wrong_password_look_the_same(api_server: str, settings: Settings):
    await make_staff(role="window", username="window-real")
    async with client_from(api_server, "127.0.0.10") as probe:
        wrong = await login(probe, "window-real", "not-the-password")
        unknown = await login(probe, "window-ghost", "not-the-password")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        # An unknown username locks exactly like a real one: a lock says nothing either.
        for name in ("window-real", "window-ghost"):
            for _ in range(settings.login_max_failures - 1):
                last = await login(probe, name, "not-the-password")
            assert_problem(last, 429, "login_locked")
        real_locked = await login(probe, "window-real", "not-the-password")
        ghost_locked = await login(probe, "window-ghost", "not-the-password")
    assert real_locked.status_code == ghost_locked.status_code == 429
    assert real_locked.json() == ghost_locked.json()


async def test_the_counters_live_in_postgresql(api_server: str):
    async with client_from(api_server, "127.0.0.11") as probe:
        await asyncio.gather(*(login(probe, f"nobody-{i}", "not-the-password") for i in range(3)))
        # What people type into the username box may be an ID number: never kept in plain.
        await login(probe, "330109195603120143", "not-the-password")
    rows = await LoginFailure.select(LoginFailure.username, LoginFailure.address).run()
    assert [r["address"] for r in rows] == ["127.0.0.11"] * 4
    kept = {r["username"] for r in rows}
    assert len(kept) == 4
    assert all(name.startswith("#") for name in kept)  # unknown names: keyed hashes only
    assert not kept & {"nobody-0", "nobody-1", "nobody-2", "330109195603120143"}


async def test_a_forwarded_header_from_an_untrusted_peer_changes_no_address(api_server: str):
    """Even from 127.0.0.1 (which uvicorn's own proxy handling trusts by default) a client
    cannot choose the address its failures are counted under."""
    async with client_from(api_server, "127.0.0.1") as spoofer:
        for n in range(3):
            await spoofer.post(
                LOGIN,
                json={"username": "window-spoofed", "password": "not-the-password"},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
    rows = await LoginFailure.select(LoginFailure.address).run()
    assert {r["address"] for r in rows} == {"127.0.0.1"}


async def test_guessing_the_current_password_is_throttled_like_a_login(
    api_server: str, settings: Settings
):
    """A stolen session cannot guess the password without limit through the change route."""
    await make_staff(role="window", username="window-changer")
    async with client_from(api_server, "127.0.0.12") as thief:
        token = (await login(thief, "window-changer", DEFAULT_PASSWORD)).json()["access_token"]
        answers = []
        for i in range(settings.login_max_failures + 2):
            response = await thief.post(
                "/api/v1/staff/me/password",
                json={"current_password": f"guess-{i}-wrong", "new_password": "Qz7!rT9$wLm2#vB"},
                headers={"Authorization": f"Bearer {token}"},
            )
            answers.append(response.status_code)
    assert answers[: settings.login_max_failures - 1] == [401] * (settings.login_max_failures - 1)
    assert set(answers[settings.login_max_failures - 1 :]) == {429}
    async with client_from(api_server, "127.0.0.13") as clerk:  # the clerk elsewhere is not
        assert (await login(clerk, "window-changer", DEFAULT_PASSWORD)).status_code == 200
