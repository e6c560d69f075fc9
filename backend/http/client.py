"""The client's address: the TCP peer, or the proxy's ``X-Forwarded-For`` when the peer is a
proxy that ``TRUSTED_PROXIES`` names (otherwise anyone could claim any address)."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(raw: str) -> Networks:
    """``TRUSTED_PROXIES``: comma-separated addresses or CIDR blocks (ValueError if malformed)."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()
    )


def _trusted(address: str, networks: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: ASGIConnection[Any, Any, Any, Any], trusted_proxies: Networks) -> str:
    """The peer; behind trusted proxies, the right-most ``X-Forwarded-For`` hop not a proxy."""
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer
