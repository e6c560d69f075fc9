"""Tables of the external one-window platform context."""

from __future__ import annotations

from piccolo.columns import (
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# Other contexts' tables are referred to lazily, never imported (docs/architecture.md).
CASE = LazyTableReference("Case", module_path="backend.cases.tables")


class TownshipPlatform(Table, tablename="township_platform"):
    """外部一窗受理平台 — a township that takes its cases on an external platform.

    ``app_id`` is our account on that platform; its shared secret is configuration
    (``PLATFORM_SECRETS``), never a column. An inactive row sends the township's new cases back
    to the built-in queue; cases already pushed keep taking callbacks.
    """

    id = BigSerial(primary_key=True)
    township_code: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Area", module_path="backend.geo.tables"),
        null=False,
        unique=True,
        on_delete=OnDelete.restrict,
    )
    base_url = Varchar(length=300)
    app_id = Varchar(length=64)
    active = Boolean(default=True)
    updated_by = Varchar(length=40, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class PlatformPush(Table, tablename="platform_push"):
    """The push of one case (a bundle's parent carries its children) to an external platform.

    ``pushed_at`` is set when the platform took it; ``failed_at`` when the outbox gave up (the
    platform refused it, or the last attempt failed), which supervisors see.
    """

    id = BigSerial(primary_key=True)
    case: ForeignKey[Table] = ForeignKey(CASE, null=False, unique=True, on_delete=OnDelete.restrict)
    township_code = Varchar(length=12, index=True)
    app_id = Varchar(length=64)
    attempts = Integer(default=0)
    last_status = Varchar(length=16, default="pending")  # pending | pushing | pushed | failed
    last_error = Text(default="")
    external_id = Varchar(length=80, null=True, default=None)
    pushed_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PlatformCallback(Table, tablename="platform_callback"):
    """One status callback from a platform, kept whether or not it changed the case.

    ``event_id`` is unique: a replayed event is recognised and changes nothing.
    """

    id = BigSerial(primary_key=True)
    event_id = Varchar(length=80, unique=True)
    case: ForeignKey[Table] = ForeignKey(CASE, null=False, on_delete=OnDelete.restrict, index=True)
    app_id = Varchar(length=64)
    status = Varchar(length=16)
    occurred_at = Timestamptz()
    received_at = Timestamptz(default=TimestamptzNow())
    applied = Boolean(default=False)
    reason = Varchar(length=32, default="")
    detail = Text(default="")
    note = Text(default="")
