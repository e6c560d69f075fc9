"""The client's address, for login throttling and rate limits.

It is the socket's peer address. ``X-Forwarded-For`` is believed only when that peer is one of
the ``TRUSTED_PROXIES`` networks, and then only as far as the hops stay within trusted proxies:
the address taken is the right-most one that is not a trusted proxy, so a client cannot choose
its own address by sending the header itself.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from litestar.connection import ASGIConnection

from backend.settings import Settings

UNKNOWN = "unknown"

Network = IPv4Network | IPv6Network


@lru_cache(maxsize=8)
def _networks(settings: Settings) -> tuple[Network, ...]:
    return settings.trusted_proxy_networks()


def _parse(raw: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(raw.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> str:
    """The client's address as text (``unknown`` when the server cannot tell)."""
    peer = _parse(connection.client.host) if connection.client else None
    if peer is None:
        return UNKNOWN
    networks = _networks(settings)
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [h for h in connection.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for raw in reversed(hops):
        hop = _parse(raw)
        if hop is None:  # a malformed hop: nothing left of it can be believed
            return str(peer)
        if not _trusted(hop, networks):
            return str(hop)
        peer = hop
    return str(peer)
