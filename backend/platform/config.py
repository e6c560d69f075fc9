"""What the composition roots hand the platform package: the shared secrets and the timeouts.

``PLATFORM_SECRETS`` is ``app_id:secret[,app_id:secret…]``: one shared secret per platform
account. Secrets live in configuration, never in the database, like the other keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from backend.http.outbound import OutboundPolicy
from backend.platform.signing import MAX_AGE_S

# The parser lives with the settings (which check it at start-up); re-exported here.
from backend.settings_values import PlatformConfigError as PlatformConfigError
from backend.settings_values import parse_secrets as parse_secrets


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    secrets: Mapping[str, str] = field(default_factory=dict)
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    callback_max_age_s: int = MAX_AGE_S
    # Where townships' base URLs may point (checked when saved and on every push); the
    # composition roots pass the deployment's policy, the default is dev mode's (tests).
    outbound: OutboundPolicy = field(default_factory=lambda: OutboundPolicy(dev_mode=True))

    @classmethod
    def from_values(
        cls,
        secrets: str,
        *,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 10.0,
        outbound: OutboundPolicy | None = None,
    ) -> PlatformConfig:
        """Build from the raw ``PLATFORM_SECRETS`` string (raises PlatformConfigError)."""
        return cls(
            secrets=parse_secrets(secrets),
            connect_timeout_s=connect_timeout_s,
            read_timeout_s=read_timeout_s,
            outbound=outbound or OutboundPolicy(dev_mode=True),
        )

    def secret_for(self, app_id: str) -> str | None:
        return self.secrets.get(app_id)
