"""What a request handler or portal page may use besides its input: one typed object.

:func:`backend.app.create_app` builds one :class:`Dependencies` when the app starts and offers
it to every handler as the ``deps`` parameter (``async def handler(self, deps: Deps, …)``). Use
cases receive the parts they need as keyword arguments (``doorbell=deps.doorbell``), never the
whole object, so what a use case touches is visible in its signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from litestar.datastructures import State
from litestar.params import SkipValidationMarker

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from backend.audit.service import AuditLog
    from backend.cases.ports import SharedData
    from backend.geo.travel import TravelTimeProvider
    from backend.identity.ports import IdentityVerifier, TextSender
    from backend.outbox.service import Doorbell
    from backend.platform.config import PlatformConfig
    from backend.security.fieldcrypt import FieldCipher
    from backend.settings import Settings
    from backend.uploads.ports import FileStore
    from backend.wechat.ports import WeChatGateway, WeChatOAuthGateway


@dataclass(frozen=True, slots=True)
class Dependencies:
    """The app's shared adapters and settings, built once at start-up."""

    settings: Settings
    doorbell: Doorbell
    redis: Redis
    cipher: FieldCipher
    audit: AuditLog
    wechat: WeChatGateway
    travel: TravelTimeProvider
    shared_data: SharedData
    file_store: FileStore
    identity_verifier: IdentityVerifier | None
    wechat_oauth: WeChatOAuthGateway
    """The Official Account web page's OAuth (H5 sign-in inside WeChat)."""
    sms: TextSender | None
    """The SMS gateway for phone confirmation codes (None: ``SMS_URL`` not set)."""
    platform_config: PlatformConfig
    templates: Mapping[str, object]
    """WeChat subscription templates by event (``WECHAT_TEMPLATES``), parsed by notifications."""


Deps = Annotated[Dependencies, SkipValidationMarker()]
"""What handlers name: Litestar hands the object over as it is (it would otherwise check every
field of it against its type on each request, and the adapters are not data)."""


def provide_deps(state: State) -> Deps:
    """The Litestar dependency behind every ``deps: Deps`` parameter."""
    deps: Deps = state.deps
    return deps
