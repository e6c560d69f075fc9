"""Tables of the identity context."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.catalogue.tables import Department
from backend.geo.tables import Area


class Citizen(Table, tablename="citizen"):
    """群众 — a person who applies for services; may have a WeChat account or not."""

    id = UUID(primary_key=True)
    openid = Varchar(length=64, null=True, default=None, unique=True)
    unionid = Varchar(length=64, null=True, default=None)
    name = Varchar(length=64, null=True, default=None)
    village = ForeignKey(Area, null=True, default=None, on_delete=OnDelete.restrict)
    identity_bound = Boolean(default=False)
    identity_verified = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class WeChatSession(Table, tablename="wechat_session"):
    """The WeChat ``session_key`` of a citizen, encrypted; it never leaves the server."""

    citizen = ForeignKey(Citizen, unique=True, on_delete=OnDelete.cascade)
    session_key_enc = Text()
    updated_at = Timestamptz(default=TimestamptzNow())


class StaffUser(Table, tablename="staff_user"):
    """工作人员 — an agent, window clerk, approver, supervisor or administrator."""

    id = UUID(primary_key=True)
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=64)
    password_hash = Text()
    role = Varchar(length=16, index=True)
    area = ForeignKey(Area, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, null=True, default=None, on_delete=OnDelete.restrict)
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    last_login_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
