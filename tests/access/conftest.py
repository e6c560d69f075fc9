"""One app for the access and hostile-input sweeps, with every rate limit set out of reach.

HIGH_LIMITS lists the settings that would otherwise answer 429 or lock an account during the
sweep; a new rate-limit setting belongs here too.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from backend.app import create_app
from backend.fakes.elicense_server import FakeElicense
from backend.fakes.idverify_server import FakeIdVerify
from backend.fakes.platform_server import FakePlatform
from backend.fakes.sms_server import FakeSms
from backend.fakes.wechat_server import FakeWeChat
from backend.settings import Settings
from tests.access import sweep as sweeping
from tests.access.portal import portal_routes, run_portal
from tests.access.world import build
from tests.conftest import FIXTURES, truncate_all
from tests.servers import logged_server, township_platform

SMS_SECRET = "sms-sweep-secret"

HIGH_LIMITS = {
    "LOGIN_MAX_FAILURES": "1000000",
    "LOGIN_ADDRESS_MAX_USERNAMES": "1000000",  # every principal signs in from 127.0.0.1
    "LOGIN_ACCOUNT_LOCK_ADDRESSES": "1000000",
    "LOGIN_ACCOUNT_LOCK_FAILURES": "1000000",
    "UPLOAD_MAX_PER_DAY": "1000000",
    "ID_LOOKUP_LIMIT_PER_ACCOUNT": "1000000",
    "ID_LOOKUP_LIMIT_PER_ADDRESS": "1000000",
    "SMS_CODE_PER_MINUTE": "1000000",
    "SMS_CODE_PER_DAY": "1000000",
    "SMS_CODE_MAX_TRIES": "1000000",  # hostile inputs try wrong codes before the right one
    "MANDATE_SPOT_CHECK_RATE": "1.0",  # every paper mandate is sampled, so it can be checked
}


@pytest.fixture(scope="package")
def sweep_sms() -> Iterator[FakeSms]:
    """The SMS gateway of the sweep's app (phone codes are sent through it)."""
    with FakeSms(secret=SMS_SECRET) as fake:
        yield fake


@pytest.fixture(scope="package")
def sweep_server(test_env: dict[str, str], database: None, sweep_sms: FakeSms) -> Iterator[str]:
    sms = {"SMS_URL": sweep_sms.url, "SMS_SECRET": SMS_SECRET}
    with logged_server({**test_env, **HIGH_LIMITS, **sms}, log_name="access-server") as base:
        yield base


@pytest.fixture(scope="package")
def sweep_platform(settings: Settings) -> Iterator[FakePlatform]:
    with township_platform(settings) as fake:
        yield fake


@pytest.fixture(scope="package")
async def sweep(
    sweep_server: str,
    settings: Settings,
    fake_wechat: FakeWeChat,
    fake_elicense: FakeElicense,
    fake_idverify: FakeIdVerify,
    sweep_platform: FakePlatform,
    sweep_sms: FakeSms,
) -> AsyncIterator[sweeping.Sweep]:
    """The world built once and every operation swept once; the tests read the records."""
    from backend.clock import today
    from backend.imports.service import import_batch, read_file

    fake_wechat.reset()
    fake_elicense.reset()
    fake_idverify.reset()
    await truncate_all()
    await import_batch(read_file(FIXTURES), effective_from=today())
    async with httpx.AsyncClient(base_url=sweep_server, timeout=30.0) as api:
        world = await build(api)
        world.settings, world.idverify = settings, fake_idverify
        world.objects["bundle"] = (await api.get("/api/v1/bundles")).json()["items"][0]["code"]
        world.objects["platform_url"] = sweep_platform.url + "api"
        world.objects["fake_sms"] = sweep_sms
        done = await sweeping.run(api, world)
        with warnings.catch_warnings():  # the app's own deprecation notices, seen elsewhere
            warnings.simplefilter("ignore", DeprecationWarning)
            routes = portal_routes(create_app(settings, configure_logs=False))
        await run_portal(sweep_server, world, routes, done)
        yield done
