"""Request and response bodies of the notifications routes (msgspec)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec


class SubscriptionsIn(msgspec.Struct, forbid_unknown_fields=True):
    results: Annotated[dict[str, Any], msgspec.Meta(max_length=50)]
    """What ``wx.requestSubscribeMessage`` returned: template id → accept/reject/ban/filter."""


class CreditOut(msgspec.Struct):
    event: str
    template_id: str
    kind: str
    status: str | None
    credits: int


class CreditsOut(msgspec.Struct):
    templates: list[CreditOut]


class MessageOut(msgspec.Struct):
    id: int
    event: str
    title: str
    body: str
    case_number: str | None
    channel: str
    status: str
    created_at: str
    read_at: str | None


class MessagePage(msgspec.Struct):
    items: list[MessageOut]
    total: int
    unread: int


class NoticeOut(msgspec.Struct):
    id: int
    kind: str
    text: str
    case_number: str | None
    created_at: str
    read_at: str | None


class NoticePage(msgspec.Struct):
    items: list[NoticeOut]
    total: int
    unread: int
