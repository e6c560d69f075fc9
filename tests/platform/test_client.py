"""The HTTP adapter against the fake platform: signatures, idempotency, what counts as retryable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.fakes.platform_server import FakePlatform
from backend.platform.client import HttpPlatformClient, PlatformClients
from backend.platform.config import PlatformConfig, PlatformConfigError, parse_secrets
from backend.platform.ports import PlatformRejected, PlatformUnavailable, PushedCase
from backend.platform.signing import fresh, signature, valid

pytestmark = pytest.mark.integration

CASE = PushedCase(
    number="XS20261127000001",
    township_code="330109110",
    item_code="GA-CSDJ",
    bundle_code=None,
    channel="miniprogram",
    filed_by_kind="self",
    applicant_name="王秀英",
    applicant_id_number_masked="330***********1234",
    submitted_at=datetime(2026, 11, 27, 1, 2, 3, tzinfo=UTC),
    delivery_method="window",
    form={"baby_name": "王小宝"},
)


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Overrides the suite's autouse fixture: no database here."""


def client(
    fake: FakePlatform, *, secret: str | None = None, read: float = 0.5
) -> HttpPlatformClient:
    return HttpPlatformClient(
        base_url=fake.url,
        app_id=fake.app_id,
        secret=secret or fake.secret,
        connect_timeout_s=0.5,
        read_timeout_s=read,
    )


async def test_a_push_is_signed_and_idempotent_by_case_number(platform: FakePlatform):
    adapter = client(platform)
    try:
        first = await adapter.push(CASE)
        again = await adapter.push(CASE)
    finally:
        await adapter.aclose()
    assert first == again and first.external_id.startswith("YC")
    assert list(platform.pushes) == [CASE.number]
    assert [r["signature_problem"] for r in platform.received] == [None, None]
    assert platform.pushes[CASE.number]["case"]["form"] == {"baby_name": "王小宝"}
    assert platform.pushes[CASE.number]["case"]["submitted_at"] == "2026-11-27T01:02:03+00:00"


async def test_what_is_retried_and_what_is_refused(platform: FakePlatform):
    adapter = client(platform)
    try:
        platform.fail_next(1)
        with pytest.raises(PlatformUnavailable, match="503"):
            await adapter.push(CASE)
        platform.reject_next(1, "事项未开通")
        with pytest.raises(PlatformRejected, match="事项未开通"):
            await adapter.push(CASE)
        platform.set_delay(1.0)
        with pytest.raises(PlatformUnavailable, match="timeout"):
            await adapter.push(CASE)
        platform.set_delay(0)
        platform.set_down(True)
        with pytest.raises(PlatformUnavailable, match="unreachable"):
            await adapter.push(CASE)
        platform.set_down(False)
        assert (await adapter.push(CASE)).external_id
    finally:
        await adapter.aclose()
    wrong = client(platform, secret="another-secret-of-enough-length")
    try:
        with pytest.raises(PlatformRejected, match="401"):
            await wrong.push(CASE)
    finally:
        await wrong.aclose()


async def test_a_failing_platform_answers_503_until_it_recovers(platform: FakePlatform):
    adapter = client(platform)
    try:
        platform.set_failing(True)
        for _ in range(3):
            with pytest.raises(PlatformUnavailable, match="503"):
                await adapter.push(CASE)
        platform.set_failing(False)
        first = await adapter.push(CASE)
        again = await adapter.push(CASE)
    finally:
        await adapter.aclose()
    assert first == again
    assert [r["status"] for r in platform.received] == [503, 503, 503, 201, 200]
    assert list(platform.pushes) == [CASE.number]


async def test_an_account_without_a_secret_waits_instead_of_failing(platform: FakePlatform):
    clients = PlatformClients(PlatformConfig())
    with pytest.raises(PlatformUnavailable, match="PLATFORM_SECRETS"):
        await clients.for_platform(base_url=platform.url, app_id="nobody").push(CASE)
    await clients.aclose()


def test_secrets_and_signatures():
    assert parse_secrets(" a:0123456789abcdef , b.c:fedcba9876543210") == {
        "a": "0123456789abcdef",
        "b.c": "fedcba9876543210",
    }
    assert parse_secrets("") == {}
    for bad in ("a", "a:short", ":0123456789abcdef", "a:0123456789abcdef,a:0123456789abcdef"):
        with pytest.raises(PlatformConfigError):
            parse_secrets(bad)
    sig = signature("s" * 16, "1700000000", b"{}")
    assert valid("s" * 16, "1700000000", b"{}", sig)
    assert valid("s" * 16, "1700000000", b"{}", sig.upper())
    assert not valid("s" * 16, "1700000001", b"{}", sig)
    assert not valid("s" * 16, "1700000000", b"{} ", sig)
    assert not valid("s" * 16, "1700000000", b"{}", "签名")
    assert fresh("1700000000", now=1700000299) and not fresh("1700000000", now=1700000301)
    assert fresh("1700000200", now=1700000000) and not fresh("-1", now=0)
    assert not fresh("", now=0) and not fresh("1e9", now=1e9)
