"""Outbound addresses (SSRF): what is refused, what the allow-list opens, DNS rebinding.

Every name here is answered by a stub resolver and every request by an in-memory transport:
nothing connects anywhere.
"""

from __future__ import annotations

import httpx
import pytest

from backend.http.outbound import (
    GuardedTransport,
    OutboundPolicy,
    OutboundRefused,
    check_url,
    parse_networks,
)
from backend.platform.client import PlatformClients
from backend.platform.config import PlatformConfig
from backend.platform.ports import PlatformUnavailable
from backend.settings import SettingsError, load_settings
from tests.platform.test_client import CASE

pytestmark = pytest.mark.unit

PUBLIC = "114.114.114.114"


class StubResolver:
    """Answers each lookup with the next list of addresses for that name (the last one repeats)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"no such name: {host}")
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


def policy(allow: str = "", *, resolver: StubResolver | None = None) -> OutboundPolicy:
    return OutboundPolicy.from_values(
        dev_mode=False, allow_networks=allow, resolver=resolver or StubResolver({})
    )


ALWAYS_REFUSED = [
    "http://127.0.0.1/",
    "http://127.8.9.10:8080/x",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.170.2/v2/credentials",
    "http://[fd00:ec2::254]/latest/",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://anything.internal/",
]
PRIVATE = [
    "http://10.1.2.3/",
    "https://172.16.0.9/",
    "http://192.168.1.20:8443/",
    "http://100.64.3.4/",
    "http://[fd12:3456::7]/",
]


@pytest.mark.parametrize("url", ALWAYS_REFUSED)
async def test_loopback_link_local_and_metadata_are_always_refused(url: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        await check_url(url, policy("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"))
    assert refused.value.status == 422
    assert refused.value.code == "outbound_url_forbidden"
    assert "不允许" in refused.value.detail


@pytest.mark.parametrize("url", PRIVATE)
async def test_private_addresses_need_the_deployment_allow_list(url: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        await check_url(url, policy())
    assert refused.value.code == "outbound_url_private"
    assert "OUTBOUND_ALLOW_NETWORKS" in refused.value.detail
    await check_url(url, policy("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7"))
    with pytest.raises(OutboundRefused):
        await check_url(url, policy("10.99.0.0/16"))  # another network does not open it


async def test_public_addresses_and_names_pass() -> None:
    resolver = StubResolver({"platform.example.gov.cn": [[PUBLIC, "2400:3200::1"]]})
    await check_url("https://platform.example.gov.cn/api/", policy(resolver=resolver))
    await check_url(f"http://{PUBLIC}:8080/", policy())
    assert resolver.asked == ["platform.example.gov.cn"]


async def test_every_resolved_address_is_checked() -> None:
    resolver = StubResolver({"mixed.example.com": [[PUBLIC, "127.0.0.1"]]})
    with pytest.raises(OutboundRefused) as refused:
        await check_url("https://mixed.example.com/", policy(resolver=resolver))
    assert refused.value.code == "outbound_url_forbidden"


async def test_an_unresolvable_or_malformed_address_is_refused() -> None:
    with pytest.raises(OutboundRefused) as refused:
        await check_url("https://nowhere.example.com/", policy())
    assert refused.value.code == "outbound_url_unresolvable"
    for url in ("ftp://example.com/", "http:///x", "http://exa mple.com/", "http://[::1/"):
        with pytest.raises(OutboundRefused) as refused:
            await check_url(url, policy())
        assert refused.value.code == "outbound_url_malformed", url


async def test_a_host_name_dns_cannot_carry_is_malformed() -> None:
    """The system resolver refuses such a name with UnicodeError (IDNA): a 422, never a 500."""
    real = OutboundPolicy.from_values(dev_mode=False, allow_networks="")
    for url in ("https://\U00108ef9\u00ac\u4f4e\u0006/", "https://a\x8fb.example.com/"):
        with pytest.raises(OutboundRefused) as refused:
            await check_url(url, real)
        assert refused.value.code == "outbound_url_malformed", url


async def test_dev_mode_allows_the_local_fakes() -> None:
    dev = OutboundPolicy(dev_mode=True, resolver=StubResolver({"localhost": [["127.0.0.1"]]}))
    await check_url("http://127.0.0.1:8004/", dev)
    await check_url("http://localhost:8004/", dev)


def test_the_allow_list_cannot_open_loopback_or_link_local() -> None:
    for bad in ("127.0.0.0/8", "169.254.0.0/16", "::1/128", "fe80::/10", "0.0.0.0/0", "nonsense"):
        with pytest.raises(ValueError):
            parse_networks(bad)
        with pytest.raises(SettingsError, match="OUTBOUND_ALLOW_NETWORKS"):
            load_settings(environ={"OUTBOUND_ALLOW_NETWORKS": bad})
    assert len(parse_networks(" 10.20.0.0/16 , fd12::/48 ")) == 2
    settings = load_settings(environ={"OUTBOUND_ALLOW_NETWORKS": "10.20.0.0/16"})
    assert OutboundPolicy.from_settings(settings).dev_mode  # the default environment is dev mode


class Recorder(httpx.AsyncBaseTransport):
    """Stands in for the network: records what would have been sent, answers 200."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"external_id": "YC1"})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def test_dns_rebinding_is_caught_at_send_time(recorder: Recorder) -> None:
    """The name resolves to a public address when saved, to the metadata address when used."""
    resolver = StubResolver({"rebind.example.com": [[PUBLIC], ["169.254.169.254"]]})
    strict = policy(resolver=resolver)
    await check_url("https://rebind.example.com/", strict)  # saved: looks fine
    async with httpx.AsyncClient(transport=GuardedTransport(strict, recorder)) as client:
        with pytest.raises(httpx.ConnectError, match="outbound_url_forbidden"):
            await client.get("https://rebind.example.com/cases")
    assert recorder.requests == []  # nothing left the process


async def test_the_connection_goes_to_the_checked_address(recorder: Recorder) -> None:
    resolver = StubResolver(
        {"platform.example.gov.cn": [[PUBLIC]], "intranet.gov": [["10.20.1.5"]]}
    )
    strict = policy("10.20.0.0/16", resolver=resolver)
    async with httpx.AsyncClient(transport=GuardedTransport(strict, recorder)) as client:
        await client.post("https://platform.example.gov.cn:8443/v1/cases", content=b"{}")
        await client.get("http://intranet.gov/sms")
    tls, plain = recorder.requests
    assert tls.url.host == PUBLIC and tls.url.port == 8443 and tls.url.path == "/v1/cases"
    assert tls.headers["host"] == "platform.example.gov.cn:8443"
    assert tls.extensions["sni_hostname"] == "platform.example.gov.cn"  # certificate checked
    assert plain.url.host == "10.20.1.5" and plain.headers["host"] == "intranet.gov"


async def test_the_next_checked_address_is_tried_when_one_does_not_connect() -> None:
    class FirstRefuses(Recorder):
        hosts: list[str] = []

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.hosts.append(request.url.host)
            if request.url.host == PUBLIC:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200)

    inner = FirstRefuses()
    resolver = StubResolver({"two.example.com": [[PUBLIC, "2400:3200::1"]]})
    async with httpx.AsyncClient(transport=GuardedTransport(policy(resolver=resolver), inner)) as c:
        assert (await c.get("https://two.example.com/")).status_code == 200
    assert inner.hosts == [PUBLIC, "2400:3200::1"]


async def test_dev_mode_transport_stands_aside(recorder: Recorder) -> None:
    resolver = StubResolver({})
    dev = OutboundPolicy(dev_mode=True, resolver=resolver)
    async with httpx.AsyncClient(transport=GuardedTransport(dev, recorder)) as client:
        await client.get("http://localhost:8004/v1/sms")
    assert resolver.asked == [] and recorder.requests[0].url.host == "localhost"


async def test_platform_pushes_go_through_the_check() -> None:
    resolver = StubResolver({"yichuang.example.com": [["127.0.0.1"]]})
    config = PlatformConfig(
        secrets={"app": "s" * 20}, outbound=policy(resolver=resolver), connect_timeout_s=0.1
    )
    clients = PlatformClients(config)
    try:
        platform = clients.for_platform(base_url="https://yichuang.example.com/", app_id="app")
        with pytest.raises(PlatformUnavailable, match="outbound address refused"):
            await platform.push(CASE)
    finally:
        await clients.aclose()
    assert resolver.asked == ["yichuang.example.com"]
