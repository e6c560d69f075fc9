"""The notifications context's use cases: what the API, the portal and WeChat's push call.

The portal reaches notifications only through these functions (an import-linter contract keeps
it so). Each opens its own unit of work where it writes; errors are domain errors.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend.errors import NotFound
from backend.outbox.service import Doorbell, unit_of_work
from backend.settings import Settings
from notifications import ledger, push, store, texts
from notifications.ledger import Credit
from notifications.store import Listed, MessageRow, NoticeRow
from notifications.templates import Configured

__all__ = [
    "Credit",
    "Listed",
    "MessageRow",
    "NoticeRow",
    "credits",
    "mark_message_read",
    "mark_notice_read",
    "messages",
    "notices",
    "receive_push",
    "record_subscriptions",
    "unread_notices",
    "verify_push_url",
]


async def record_subscriptions(
    *,
    citizen_id: str,
    results: Mapping[str, object],
    templates: Mapping[str, Configured],
    doorbell: Doorbell | None,
) -> list[Credit]:
    """The mini-program's ``requestSubscribeMessage`` result; the credits of every template."""
    async with unit_of_work(doorbell):
        return await ledger.record_results(
            citizen_id=citizen_id, results=results, templates=templates
        )


async def credits(*, citizen_id: str, templates: Mapping[str, Configured]) -> list[Credit]:
    return await ledger.credits_of(citizen_id=citizen_id, templates=templates)


async def messages(*, citizen_id: str, page: int, page_size: int) -> Listed[MessageRow]:
    return await store.messages(citizen_id=citizen_id, page=page, page_size=page_size)


async def mark_message_read(*, citizen_id: str, message_id: int) -> MessageRow:
    """Mark one of the citizen's messages read; 404 ``message_not_found`` for another's."""
    row = await store.mark_message_read(citizen_id=citizen_id, message_id=message_id)
    if row is None:
        raise NotFound(texts.MESSAGE_NOT_FOUND, code="message_not_found")
    return row


async def notices(
    *, staff_id: str, role: str, area_code: str, unread_only: bool, page: int, page_size: int
) -> Listed[NoticeRow]:
    """The notices of the portal's bell a staff member sees, newest first, one page."""
    return await store.notices(
        staff_id=staff_id,
        role=role,
        area_code=area_code,
        unread_only=unread_only,
        page=page,
        page_size=page_size,
    )


async def unread_notices(*, staff_id: str, role: str, area_code: str) -> int:
    return await store.unread_notices(staff_id=staff_id, role=role, area_code=area_code)


async def mark_notice_read(*, notice_id: int, staff_id: str, role: str, area_code: str) -> None:
    """Mark a notice read; 404 ``notice_not_found`` for one the staff member does not see."""
    if not await store.mark_notice_read(
        notice_id=notice_id, staff_id=staff_id, role=role, area_code=area_code
    ):
        raise NotFound(texts.NOTICE_NOT_FOUND, code="notice_not_found")


def verify_push_url(
    *, settings: Settings, signature: str, timestamp: str, nonce: str, echostr: str
) -> str:
    """WeChat's check of the push URL: ``echostr`` back when the signature holds."""
    return push.verify_url(
        push.PushConfig.of(settings),
        signature=signature,
        timestamp=timestamp,
        nonce=nonce,
        echostr=echostr,
    )


async def receive_push(
    *,
    settings: Settings,
    query: Mapping[str, str],
    body: bytes,
    templates: Mapping[str, Configured],
    doorbell: Doorbell | None,
) -> str:
    """One push of WeChat's: checked (401 for anything forged), then applied once."""
    opened = push.open_push(push.PushConfig.of(settings), query=query, body=body)
    async with unit_of_work(doorbell):
        await push.apply(opened, templates=templates)
    return push.SUCCESS
