"""Where the server may send requests: the one check for outbound addresses set at run time.

An address an administrator can type (the external platform's per-township ``base_url``) or a
deployment sets (``SMS_URL``, ``WECOM_API_BASE``) must not turn the server into a proxy towards
itself or its cloud (SSRF). Outside dev mode:

- loopback, link-local, unspecified, multicast and reserved addresses and the cloud metadata
  endpoints (``169.254.169.254``, ``fd00:ec2::254``, ``100.100.100.200``, the
  ``metadata.google.internal`` names) are always refused;
- private addresses (``10/8``, ``172.16/12``, ``192.168/16``, ``100.64/10``, ``fc00::/7`` …;
  government intranets use them) are allowed only inside the networks the deployment setting
  ``OUTBOUND_ALLOW_NETWORKS`` lists — never through the admin API alone;
- everything else (public addresses) is allowed.

Dev mode allows everything: the local fakes listen on 127.0.0.1.

The check runs when an address is saved (``check_url``, a 422 with a Chinese detail) and again
on every request (``GuardedTransport``): the host name is resolved, *every* address it resolves
to is checked, and the connection goes to the checked address (the ``Host`` header and the TLS
server name stay the host name), so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot slip through. The resolver is injectable: tests use a stub and
never connect to such addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from backend.errors import InvalidInput
from backend.http import texts
from backend.settings_values import IPNetwork as IPNetwork
from backend.settings_values import parse_networks as parse_networks

if TYPE_CHECKING:
    from backend.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Tencent Cloud (link-local anyway)
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "100.88.222.8",  # Huawei Cloud (IMDS alias)
    )
)
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata", "metadata.goog"})


class OutboundRefused(InvalidInput):
    """An outbound address the policy does not allow (422)."""

    default_code = "outbound_url_forbidden"
    default_detail = texts.OUTBOUND_URL_FORBIDDEN


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, through the operating system's resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    dev_mode: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def from_values(
        cls, *, dev_mode: bool, allow_networks: str, resolver: Resolver | None = None
    ) -> OutboundPolicy:
        return cls(
            dev_mode=dev_mode,
            allowed_networks=parse_networks(allow_networks),
            resolver=resolver or system_resolver,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        """Where run-time-configured outbound requests may go, per this deployment's settings."""
        return cls.from_values(
            dev_mode=settings.dev_mode, allow_networks=settings.outbound_allow_networks
        )

    def address_refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be connected to, or ``None`` when it may."""
        if self.dev_mode:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if (
            address in METADATA_ADDRESSES
            or address.is_loopback
            or address.is_link_local
            or address.is_unspecified
            or address.is_multicast
            or address.is_reserved
        ):
            return texts.OUTBOUND_URL_FORBIDDEN
        if address.is_private or not address.is_global:
            if any(address in network for network in self.allowed_networks):
                return None
            return texts.OUTBOUND_URL_PRIVATE
        return None

    async def checked_addresses(self, host: str, port: int) -> list[IPAddress]:
        """Resolve ``host`` and check every address; raise ``OutboundRefused`` if one fails."""
        name = host.strip("[]").rstrip(".").lower()
        if not self.dev_mode and (name in METADATA_NAMES or name.endswith(".internal")):
            raise OutboundRefused(texts.OUTBOUND_URL_FORBIDDEN)
        try:
            addresses: Sequence[IPAddress] = [ipaddress.ip_address(name)]
        except ValueError:
            try:
                raw = await self.resolver(name, port)
            except UnicodeError as exc:  # not a host name DNS can carry (IDNA refuses it)
                raise OutboundRefused(
                    texts.OUTBOUND_URL_MALFORMED, code="outbound_url_malformed"
                ) from exc
            except OSError as exc:
                raise OutboundRefused(
                    texts.OUTBOUND_URL_UNRESOLVABLE, code="outbound_url_unresolvable"
                ) from exc
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in raw]
        if not addresses:
            raise OutboundRefused(texts.OUTBOUND_URL_UNRESOLVABLE, code="outbound_url_unresolvable")
        for address in addresses:
            refusal = self.address_refusal(address)
            if refusal is not None:
                code = (
                    "outbound_url_private"
                    if refusal == texts.OUTBOUND_URL_PRIVATE
                    else "outbound_url_forbidden"
                )
                raise OutboundRefused(refusal, code=code)
        return list(addresses)


def split_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an absolute http(s) URL, or ``OutboundRefused``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(texts.OUTBOUND_URL_MALFORMED, code="outbound_url_malformed") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise OutboundRefused(texts.OUTBOUND_URL_MALFORMED, code="outbound_url_malformed")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check_url(url: str, policy: OutboundPolicy) -> None:
    """The check when an address is saved: well-formed, resolvable, every address allowed."""
    _scheme, host, port = split_url(url)
    await policy.checked_addresses(host, port)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that checks the resolved addresses of every request and connects to
    a checked one (the next on a connection error), keeping the host name for ``Host`` and TLS
    (SNI and certificate). In dev mode it stands aside: the local fakes, no lookups of ours."""

    def __init__(
        self, policy: OutboundPolicy, inner: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.policy = policy
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.policy.dev_mode:
            return await self._inner.handle_async_request(request)
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            addresses = await self.policy.checked_addresses(host, port)
        except OutboundRefused as exc:
            raise httpx.ConnectError(
                f"outbound address refused: {exc.code}", request=request
            ) from exc
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:  # a host name: connect to a checked address, never a new lookup
            pass
        else:
            return await self._inner.handle_async_request(request)
        original = request.url
        request.headers.setdefault("host", _host_header(host, original))
        if original.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        for index, address in enumerate(addresses):
            request.url = original.copy_with(host=str(address))
            try:
                return await self._inner.handle_async_request(request)
            except httpx.ConnectError:
                if index == len(addresses) - 1:
                    raise
        raise AssertionError("unreachable: checked_addresses never returns an empty list")

    async def aclose(self) -> None:
        await self._inner.aclose()


def _host_header(host: str, url: httpx.URL) -> str:
    default = 443 if url.scheme == "https" else 80
    return host if url.port in (None, default) else f"{host}:{url.port}"
