"""The inbox and the bell: what a citizen and staff read, and the messages and notices written
for them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Generic, TypeVar

from backend import clock, db
from notifications.tables import Message, StaffNotice


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A message as its recipient reads it in the inbox."""

    id: int
    event: str
    title: str
    body: str
    case_number: str | None
    channel: str
    status: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """A notice of the portal's bell."""

    id: int
    kind: str
    text: str
    case_number: str | None
    created_at: datetime
    read_at: datetime | None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    """One page of rows, how many there are in all and how many are unread."""

    rows: list[T]
    total: int
    unread: int


def _message(row: Any) -> MessageRow:
    return MessageRow(
        id=int(row["id"]),
        event=row["event"],
        title=row["title"],
        body=row["body"],
        case_number=row["case_number"],
        channel=row["channel"],
        status=row["status"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


def _notice(row: Any) -> NoticeRow:
    return NoticeRow(
        id=int(row["id"]),
        kind=row["kind"],
        text=row["text"],
        case_number=row["case_number"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


_MESSAGE_COLUMNS = (
    Message.id,
    Message.event,
    Message.title,
    Message.body,
    Message.case_number,
    Message.channel,
    Message.status,
    Message.created_at,
    Message.read_at,
)
_NOTICE_COLUMNS = (
    StaffNotice.id,
    StaffNotice.kind,
    StaffNotice.text,
    StaffNotice.case_number,
    StaffNotice.created_at,
    StaffNotice.read_at,
)


async def messages(*, citizen_id: str, page: int, page_size: int) -> Listed[MessageRow]:
    """A citizen's messages, newest first, one page."""
    mine = (Message.recipient_kind == "citizen") & (Message.recipient_id == citizen_id)
    total = await Message.count().where(mine).run()
    unread = await Message.count().where(mine & Message.read_at.is_null()).run()
    rows = (
        await Message.select(*_MESSAGE_COLUMNS)
        .where(mine)
        .order_by(Message.id, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .run()
    )
    return Listed([_message(r) for r in rows], int(total), int(unread))


async def mark_message_read(*, citizen_id: str, message_id: int) -> MessageRow | None:
    """Mark a citizen's message read (the first time only); None when it is not theirs."""
    row = await db.fetchrow(
        "UPDATE message SET read_at = COALESCE(read_at, now()) WHERE id = $1"
        " AND recipient_kind = 'citizen' AND recipient_id = $2"
        " RETURNING id, event, title, body, case_number, channel, status, created_at, read_at",
        message_id,
        citizen_id,
    )
    return _message(row) if row is not None else None


def _visible(staff_id: str, role: str, area_code: str) -> Any:
    mine = StaffNotice.staff == staff_id
    if role in ("window", "supervisor"):
        return mine | (StaffNotice.staff.is_null() & (StaffNotice.township == area_code))
    return mine


async def notices(
    *, staff_id: str, role: str, area_code: str, unread_only: bool, page: int, page_size: int
) -> Listed[NoticeRow]:
    """The notices a staff member sees (their own, and a desk's their role shares), one page."""
    seen = _visible(staff_id, role, area_code)
    unread = await StaffNotice.count().where(seen & StaffNotice.read_at.is_null()).run()
    where = seen & StaffNotice.read_at.is_null() if unread_only else seen
    total = await StaffNotice.count().where(where).run()
    rows = (
        await StaffNotice.select(*_NOTICE_COLUMNS)
        .where(where)
        .order_by(StaffNotice.id, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .run()
    )
    return Listed([_notice(r) for r in rows], int(total), int(unread))


async def unread_notices(*, staff_id: str, role: str, area_code: str) -> int:
    seen = _visible(staff_id, role, area_code)
    return int(await StaffNotice.count().where(seen & StaffNotice.read_at.is_null()).run())


async def mark_notice_read(*, notice_id: int, staff_id: str, role: str, area_code: str) -> bool:
    """Mark a notice the staff member sees read (the first time only); False when they do not
    see it."""
    seen = _visible(staff_id, role, area_code)
    found = (
        await StaffNotice.select(StaffNotice.id)
        .where(seen & (StaffNotice.id == notice_id))
        .first()
        .run()
    )
    if found is None:
        return False
    await (
        StaffNotice.update({StaffNotice.read_at: clock.now_utc(), StaffNotice.read_by: staff_id})
        .where((StaffNotice.id == notice_id) & StaffNotice.read_at.is_null())
        .run()
    )
    return True


async def add_notice(
    *,
    key: str,
    kind: str,
    text: str,
    staff: str | None = None,
    township: str | None = None,
    case_number: str | None = None,
) -> bool:
    """A notice for one staff member (``staff``) or a desk (``township``), once per ``key``;
    True when it was written now (False: a rerun found it)."""
    row = await db.fetchrow(
        "INSERT INTO staff_notice (key, staff, township, kind, case_number, text, created_at)"
        " VALUES ($1, $2::uuid, $3, $4, $5, $6, now()) ON CONFLICT (key) DO NOTHING RETURNING id",
        key,
        staff,
        township,
        kind,
        case_number,
        text,
    )
    return row is not None


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to write: to a citizen, through one channel."""

    key: str
    event: str
    recipient_id: str
    channel: str
    title: str
    body: str
    status: str
    finished: bool
    """Finished as written (an inbox message is delivered once it is there)."""
    case_number: str | None = None
    page: str | None = None
    template_id: str | None = None
    template_version: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)
    needs_action: bool = False


async def add_message(message: NewMessage) -> int | None:
    """Write a message once per key; its id, or None when a rerun found it written."""
    row = await db.fetchrow(
        "INSERT INTO message (key, event, recipient_kind, recipient_id, channel, case_number,"
        " title, body, page, template_id, template_version, data, needs_action, status,"
        " attempts, credit_spent, last_error, created_at, finished_at)"
        " VALUES ($1, $2, 'citizen', $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, 0,"
        " false, '', now(), CASE WHEN $14 THEN now() END) ON CONFLICT (key) DO NOTHING"
        " RETURNING id",
        message.key,
        message.event,
        message.recipient_id,
        message.channel,
        message.case_number,
        message.title,
        message.body,
        message.page,
        message.template_id,
        message.template_version,
        json.dumps(dict(message.data), ensure_ascii=False),
        message.needs_action,
        message.status,
        message.finished,
    )
    return int(row["id"]) if row is not None else None


@dataclass(frozen=True, slots=True)
class Unpushed:
    """A notice not yet pushed to WeCom: for one staff member, or a desk's."""

    id: int
    staff: str | None
    township: str | None
    text: str


async def claim_unpushed(*, max_attempts: int, since: datetime, after: int) -> Unpushed | None:
    """The next notice (by id, after ``after``) not yet pushed to WeCom, tried fewer than
    ``max_attempts`` times, written since ``since``; locked for the caller's transaction (a
    notice another worker holds is skipped)."""
    row = await db.fetchrow(
        "SELECT id, staff::text AS staff, township, text FROM staff_notice"
        " WHERE wecom_sent_at IS NULL AND wecom_attempts < $1 AND created_at > $2"
        " AND id > $3 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        max_attempts,
        since,
        after,
    )
    if row is None:
        return None
    return Unpushed(int(row["id"]), row["staff"], row["township"], row["text"])


async def record_push(notice_id: int, *, sent: bool, error: str) -> None:
    """One more try to push a notice to WeCom: sent now (``error`` says why it went nowhere,
    if it did), or failed with ``error``."""
    await db.fetch(
        "UPDATE staff_notice SET wecom_attempts = wecom_attempts + 1, wecom_error = $2,"
        " wecom_sent_at = CASE WHEN $3 THEN $4 ELSE wecom_sent_at END WHERE id = $1",
        notice_id,
        error[:500],
        sent,
        clock.now_utc(),
    )


FREE_TEXT_KINDS: Final = ("tell_citizen", "urged", "rectification")
"""Staff notices whose text names the citizen (请当面告知) or carries a supervisor's free text
(督办说明, 整改要求) that may."""


async def erase_tasks_about(case_numbers: Sequence[str]) -> int:
    """The notices of :data:`FREE_TEXT_KINDS` about these cases go: an erasure."""
    if not case_numbers:
        return 0
    status = await db.execute(
        "DELETE FROM staff_notice WHERE kind = ANY($2::text[]) AND case_number = ANY($1::text[])",
        list(case_numbers),
        list(FREE_TEXT_KINDS),
    )
    return int(status.split()[-1])
