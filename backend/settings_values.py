"""Parsers for the structured settings values, shared by ``backend.settings`` (which checks them
at start-up) and the packages that use them (``http.outbound``, ``platform.config``).

Standard library only, and nothing of backend's packages: settings is what every package reads,
so what it needs must not depend on any of them.
"""

from __future__ import annotations

import ipaddress

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MIN_PLATFORM_SECRET_LENGTH = 16


def parse_networks(raw: str) -> tuple[IPNetwork, ...]:
    """``OUTBOUND_ALLOW_NETWORKS``: comma-separated CIDR networks (``10.20.0.0/16,fd12::/48``).

    Only private networks may be listed: loopback, link-local and metadata addresses are never
    allowed, so listing them is a configuration error rather than a silent no-op.
    """
    networks = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            network = ipaddress.ip_network(part, strict=False)
        except ValueError as exc:
            raise ValueError(f"{part!r} is not a CIDR network") from exc
        first = network.network_address
        if first.is_loopback or first.is_link_local or first.is_unspecified:
            raise ValueError(f"{part!r}: loopback and link-local addresses are never allowed")
        networks.append(network)
    return tuple(networks)


class PlatformConfigError(ValueError):
    """``PLATFORM_SECRETS`` is malformed; the message says how."""


def parse_secrets(raw: str) -> dict[str, str]:
    """``PLATFORM_SECRETS`` is ``app_id:secret[,app_id:secret…]``: one secret per account."""
    secrets: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        app_id, sep, secret = part.partition(":")
        app_id, secret = app_id.strip(), secret.strip()
        if not sep or not app_id or not secret:
            raise PlatformConfigError("PLATFORM_SECRETS entries look like 'app_id:secret'")
        if len(secret) < MIN_PLATFORM_SECRET_LENGTH:
            raise PlatformConfigError(
                f"PLATFORM_SECRETS: the secret of {app_id!r} is shorter than"
                f" {MIN_PLATFORM_SECRET_LENGTH} characters"
            )
        if app_id in secrets:
            raise PlatformConfigError(f"PLATFORM_SECRETS names {app_id!r} twice")
        secrets[app_id] = secret
    return secrets
