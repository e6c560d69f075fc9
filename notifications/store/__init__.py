"""The notifications context's SQL: the only modules that import its tables, returning typed
rows (docs/architecture.md)."""

from notifications.store.inbox import (
    Listed,
    MessageRow,
    NewMessage,
    NoticeRow,
    add_message,
    add_notice,
    mark_message_read,
    mark_notice_read,
    messages,
    notices,
    unread_notices,
)

__all__ = [
    "Listed",
    "MessageRow",
    "NewMessage",
    "NoticeRow",
    "add_message",
    "add_notice",
    "mark_message_read",
    "mark_notice_read",
    "messages",
    "notices",
    "unread_notices",
]
