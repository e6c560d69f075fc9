"""Tables of notifications: the consent ledger, every message, staff notices."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigSerial,
    Boolean,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Subscription(Table, tablename="subscription"):
    """订阅消息授权 — one citizen × one template: what they last said, and the credits left.

    A one-time template earns a credit per ``accept`` and spends one per message sent;
    ``reject``/``ban`` are remembered (and 43101 from WeChat means the same). A long-term
    template needs no credit while ``accept``.
    """

    id = BigSerial(primary_key=True)
    citizen = UUID(index=True)
    template_id = Varchar(length=64)
    status = Varchar(length=16)  # accept | reject | ban | filter
    credits = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
    source = Varchar(length=16, default="app")  # app | popup | change | paired (see ledger)


class Message(Table, tablename="message"):
    """One message to one recipient through one channel, and what became of it.

    ``key`` = ``<event key>:<recipient>:<channel>`` is unique, so a rerun job never makes a
    second message; ``status`` follows API.md: created → sending → delivered, or a
    temporary_failure (retried), permanent_failure or technical_failure.
    """

    id = BigSerial(primary_key=True)
    key = Varchar(length=160, unique=True)
    event = Varchar(length=40)  # case.received, case.accepted, …
    recipient_kind = Varchar(length=8)  # citizen | staff
    recipient_id = Varchar(length=40, index=True)
    channel = Varchar(length=8)  # wechat | sms | inbox
    case_number = Varchar(length=24, null=True, default=None, index=True)
    title = Varchar(length=64)
    body = Text()
    page = Varchar(length=200, null=True, default=None)
    template_id = Varchar(length=64, null=True, default=None)
    template_version = Varchar(length=16, null=True, default=None)
    data = JSONB(default={})
    needs_action = Boolean(default=False)
    status = Varchar(length=24, index=True)
    attempts = Integer(default=0)
    credit_spent = Boolean(default=False)
    errcode = Integer(null=True, default=None)
    last_error = Text(default="")
    wechat_msgid = Varchar(length=40, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    sending_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    read_at = Timestamptz(null=True, default=None)


class StaffNotice(Table, tablename="staff_notice"):
    """A notice in the portal's bell for one staff member or for a township's window desk:
    tasks (tell a citizen in person) and reminders (deadlines, results waiting)."""

    id = BigSerial(primary_key=True)
    key = Varchar(length=160, unique=True)
    staff = UUID(null=True, default=None, index=True)
    township = Varchar(length=12, null=True, default=None, index=True)
    kind = Varchar(length=24)  # tell_citizen | deadline_soon | deadline_today | result_waiting
    case_number = Varchar(length=24, null=True, default=None)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
    read_by = UUID(null=True, default=None)
    wecom_sent_at = Timestamptz(null=True, default=None)  # also pushed to 企业微信, when on
    wecom_attempts = Integer(default=0)
    wecom_error = Text(default="")
