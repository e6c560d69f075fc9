"""The external one-window platform interface (外部一窗受理平台) (standard library only).

A township may take its cases on an external platform instead of the built-in queue: the
``case.forward`` job pushes each case there. ``PlatformUnavailable`` means "try again later"
(the outbox retries with back-off); ``PlatformRejected`` means retrying cannot help.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PushedChild:
    """One item of a bundle case (一件事), pushed with its parent."""

    number: str
    item_code: str
    department_code: str | None


@dataclass(frozen=True, slots=True)
class PushedMaterial:
    material_type: str
    source: str  # upload | shared | paper
    reference: str | None  # the upload id or the shared-data receipt


@dataclass(frozen=True, slots=True)
class PushedCase:
    """What the platform receives: the case without the applicant's full ID number."""

    number: str
    township_code: str
    item_code: str | None
    bundle_code: str | None
    channel: str
    filed_by_kind: str
    applicant_name: str
    applicant_id_number_masked: str
    submitted_at: datetime
    delivery_method: str
    delivery_address: str = ""
    form: Mapping[str, Any] = field(default_factory=dict)
    materials: tuple[PushedMaterial, ...] = ()
    children: tuple[PushedChild, ...] = ()


@dataclass(frozen=True, slots=True)
class PushReceipt:
    external_id: str  # the platform's own number for the case


class PlatformError(Exception):
    """The push did not go through; ``reason`` says why, for the supervisors' list."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PlatformUnavailable(PlatformError):
    """Timeout, connection refused, 5xx, 408 or 429: try again later."""


class PlatformRejected(PlatformError):
    """The platform refused the case (4xx): retrying the same push cannot help."""


class OneWindowPlatform(Protocol):
    async def push(self, case: PushedCase) -> PushReceipt:
        """Hand the case over. Idempotent on the case number: a second push of the same case
        answers the first receipt."""
        ...


class PlatformDirectory(Protocol):
    """The worker's clients, one per platform account (built by the composition root)."""

    def for_platform(self, *, base_url: str, app_id: str) -> OneWindowPlatform: ...
