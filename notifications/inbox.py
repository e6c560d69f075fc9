"""What a citizen reads in the mini-program (every message, whatever WeChat did) and what
staff see in the portal's bell (tasks and reminders)."""

from __future__ import annotations

from typing import Any

from backend import clock
from backend.errors import NotFound
from notifications.tables import Message, StaffNotice


def not_found() -> NotFound:
    return NotFound("找不到该消息。", code="message_not_found")


async def messages(
    *, citizen_id: str, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int, int]:
    mine = (Message.recipient_kind == "citizen") & (Message.recipient_id == citizen_id)
    total = await Message.count().where(mine).run()
    unread = await Message.count().where(mine & Message.read_at.is_null()).run()
    rows = (
        await Message.select()
        .where(mine)
        .order_by(Message.id, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .run()
    )
    return rows, total, unread


async def mark_read(*, citizen_id: str, message_id: int) -> dict[str, Any]:
    rows = await Message.raw(
        "UPDATE message SET read_at = COALESCE(read_at, now()) WHERE id = {}"
        " AND recipient_kind = 'citizen' AND recipient_id = {} RETURNING *",
        message_id,
        citizen_id,
    ).run()
    if not rows:
        raise not_found()
    return dict(rows[0])


def _visible(staff_id: str, role: str, area_code: str) -> Any:
    mine = StaffNotice.staff == staff_id
    if role in ("window", "supervisor"):
        return mine | (StaffNotice.staff.is_null() & (StaffNotice.township == area_code))
    return mine


async def notices(
    *, staff_id: str, role: str, area_code: str, unread_only: bool, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int, int]:
    seen = _visible(staff_id, role, area_code)
    unread = await StaffNotice.count().where(seen & StaffNotice.read_at.is_null()).run()
    where = seen & StaffNotice.read_at.is_null() if unread_only else seen
    total = await StaffNotice.count().where(where).run()
    rows = (
        await StaffNotice.select()
        .where(where)
        .order_by(StaffNotice.id, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .run()
    )
    return rows, total, unread


async def unread_notices(*, staff_id: str, role: str, area_code: str) -> int:
    seen = _visible(staff_id, role, area_code)
    return int(await StaffNotice.count().where(seen & StaffNotice.read_at.is_null()).run())


async def mark_notice_read(*, notice_id: int, staff_id: str, role: str, area_code: str) -> None:
    seen = _visible(staff_id, role, area_code)
    found = (
        await StaffNotice.select(StaffNotice.id)
        .where(seen & (StaffNotice.id == notice_id))
        .first()
        .run()
    )
    if found is None:
        raise NotFound("找不到该通知。", code="notice_not_found")
    await (
        StaffNotice.update({StaffNotice.read_at: clock.now_utc(), StaffNotice.read_by: staff_id})
        .where((StaffNotice.id == notice_id) & StaffNotice.read_at.is_null())
        .run()
    )
