"""The fake one-window platform, a township configured to use it, and helpers."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from backend.cases.tables import Case
from backend.fakes.platform_server import FakePlatform
from backend.outbox.tables import OutboxEvent
from backend.platform.config import parse_secrets
from backend.platform.tables import PlatformPush, TownshipPlatform
from backend.settings import Settings
from tests.factories import DEFAULT_PASSWORD, make_staff
from tests.support import CitizenClient, citizen
from tests.workers.conftest import running_worker

TOWNSHIP = "330109110"  # 益农镇: the test citizens' village 群围村 is in it
BIRTH = {
    "item_code": "GA-CSDJ",
    "delivery": {"method": "window"},
    "form": {
        "baby_name": "王小宝",
        "birth_date": "2026-11-20",
        "relationship": "子",
        "guardian_phone": "13800001111",
    },
}


@pytest.fixture(scope="session")
def platform_account(test_env: dict[str, str]) -> tuple[str, str]:
    """The (app id, secret) the test environment configures in ``PLATFORM_SECRETS``."""
    secrets = parse_secrets(test_env.get("PLATFORM_SECRETS", ""))
    assert secrets, "tests/conftest.py must set PLATFORM_SECRETS in test_env"
    return next(iter(secrets.items()))


@pytest.fixture(scope="session")
def fake_platform(platform_account: tuple[str, str]) -> Iterator[FakePlatform]:
    app_id, secret = platform_account
    fake = FakePlatform(app_id=app_id, secret=secret)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def platform(fake_platform: FakePlatform) -> Iterator[FakePlatform]:
    """The session's fake platform, reset (and up) before and after each test."""
    fake_platform.reset()
    yield fake_platform
    fake_platform.reset()


@pytest.fixture
async def platform_township(small_catalogue: Any, platform: FakePlatform) -> str:
    """益农镇 takes its cases on the fake platform."""
    await TownshipPlatform.insert(
        TownshipPlatform(township_code=TOWNSHIP, base_url=platform.url, app_id=platform.app_id)
    ).run()
    return TOWNSHIP


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Settings for an in-process worker: short back-off and platform timeouts."""
    return replace(
        settings,
        outbox_backoff_s=0.2,
        platform_connect_timeout_s=0.5,
        platform_read_timeout_s=0.5,
    )


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout_s: float = 15.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


async def status_of(number: str) -> str:
    row = await Case.select(Case.status).where(Case.number == number).first().run()
    return str(row["status"]) if row else "missing"


async def push_row(number: str) -> dict[str, Any] | None:
    case = await Case.select(Case.id).where(Case.number == number).first().run()
    if case is None:
        return None
    return await PlatformPush.select().where(PlatformPush.case == case["id"]).first().run()


async def submit(api: httpx.AsyncClient, openid: str, **extra: Any) -> str:
    """A citizen of 群围村 (益农镇) files a birth registration; returns the case number."""
    return await submit_as(await new_citizen(api, openid), **extra)


_SEQ = itertools.count(1)


async def new_citizen(api: httpx.AsyncClient, openid: str) -> CitizenClient:
    """A citizen of 群围村 with an ID number of their own (several may appear in one test)."""
    return await citizen(api, openid, seq=next(_SEQ))


async def submit_as(me: CitizenClient, **extra: Any) -> str:
    response = await me.post("/api/v1/cases", json={**BIRTH, **extra})
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


async def staff_headers(
    api: httpx.AsyncClient, *, role: str, area_code: str | None = None, username: str
) -> dict[str, str]:
    await make_staff(role=role, area_code=area_code, username=username)
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def queued_case(
    api: httpx.AsyncClient, settings: Settings, openid: str
) -> tuple[str, CitizenClient]:
    """A case of 益农镇 pushed to the platform and queued by an in-process worker."""
    me = await new_citizen(api, openid)
    number = await submit_as(me)
    async with running_worker(settings, {}):
        await eventually(lambda: forwarded(number), what=f"{number} queued")
    return number, me


async def forwarded(number: str) -> bool:
    """Queued, and the worker has marked its forward job done (so it can be stopped)."""
    if await status_of(number) != "queued":
        return False
    return await outbox_status(number) == "done"


async def outbox_status(number: str) -> str | None:
    """The status of the case's forward outbox row (the one written with the submission)."""
    row = (
        await OutboxEvent.select(OutboxEvent.status)
        .where(OutboxEvent.dedup_key == f"forward:{number}")
        .first()
        .run()
    )
    return str(row["status"]) if row else None


async def send(
    api: httpx.AsyncClient, fake: FakePlatform, number: str, status: str, **options: Any
) -> httpx.Response:
    """POST a callback signed by the fake platform to the app under test."""
    body, headers = fake.signed_callback(number, status, **options)
    return await api.post("/api/v1/platform/callbacks", content=body, headers=headers)
