"""Bodies of the platform routes: what a platform sends us, what supervisors see."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

CallbackStatus = Literal[
    "accepted",
    "rejected",
    "supplement",
    "in_review",
    "approved",
    "denied",
    "result_ready",
    "delivered",
]
MaterialType = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class CallbackIn(msgspec.Struct):
    """A status callback. Unknown fields are ignored: the platform may add its own."""

    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    case_number: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]
    status: CallbackStatus
    occurred_at: Annotated[datetime, msgspec.Meta(tz=True)]
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    missing: Annotated[list[MaterialType], msgspec.Meta(max_length=50)] | None = None


class CallbackOut(msgspec.Struct):
    event_id: str
    case_number: str
    applied: bool
    replayed: bool
    status: str  # the case's status after this callback
    reason: str | None = None  # out_of_order | transition_not_allowed, when not applied
    detail: str | None = None


class PushFailureOut(msgspec.Struct):
    case_number: str
    township_code: str
    app_id: str
    attempts: int
    last_error: str
    failed_at: str
    case_status: str


class PushFailurePage(msgspec.Struct):
    items: list[PushFailureOut]
    total: int


class RetryOut(msgspec.Struct):
    case_number: str
    status: str  # pending: a new push is on its way


class TownshipPlatformIn(msgspec.Struct, forbid_unknown_fields=True):
    base_url: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    app_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    active: bool = True


class TownshipPlatformOut(msgspec.Struct):
    township_code: str
    township_name: str
    base_url: str
    app_id: str
    active: bool
    secret_configured: bool
    updated_at: str


class TownshipPlatformPage(msgspec.Struct):
    items: list[TownshipPlatformOut]
    total: int
