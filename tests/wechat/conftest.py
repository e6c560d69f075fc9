"""Fixtures for the WeChat gateway: a fake WeChat on a free port and a per-test Redis prefix."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import redis

from backend.fakes.wechat_server import FakeWeChat
from backend.wechat.client import WeChatApi

APPID = "wx-test-appid"
SECRET = "test-secret-0123456789abcdef"


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """These tests use Redis but no database: skip the suite-wide table truncation."""


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()  # type: ignore[no-untyped-call]


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """``REDIS_URL``, else a Redis on the default port, else the suite's own dev services."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    if _answers(DEFAULT_REDIS_URL):
        return DEFAULT_REDIS_URL
    return str(request.getfixturevalue("services").redis_url)


@pytest.fixture
def key_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of this test's own; only its keys are deleted afterwards."""
    prefix = f"test:wechat:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    with FakeWeChat(appid=APPID, secret=SECRET) as server:
        yield server


@pytest.fixture
def token_key(key_prefix: str) -> str:
    return f"{key_prefix}:{APPID}_access_token"


MakeApi = Callable[..., WeChatApi]


@pytest.fixture
async def make_api(fake: FakeWeChat, redis_url: str, key_prefix: str) -> AsyncIterator[MakeApi]:
    """Build gateways against the fake (any argument can be overridden); all closed afterwards."""
    made: list[WeChatApi] = []

    def build(**overrides: Any) -> WeChatApi:
        options: dict[str, Any] = {
            "appid": APPID,
            "secret": SECRET,
            "api_base": fake.url,
            "redis_url": redis_url,
            "timeout_s": 2.0,
            "key_prefix": key_prefix,
        }
        options.update(overrides)
        api = WeChatApi(**options)
        made.append(api)
        return api

    yield build
    for api in made:
        await api.close()


@pytest.fixture
async def gateway(make_api: MakeApi) -> WeChatApi:
    return make_api()
