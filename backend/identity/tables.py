"""Tables of the identity context."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
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


class Citizen(Table, tablename="citizen"):
    """群众 — a person who applies for services; may have a WeChat account or not.

    The ID number is kept only SM4-GCM encrypted (``<key id>:<base64>``, bound to this row) with
    an HMAC-SM3 ``id_number_hash`` for exact lookup (unique: one number, one person) and the
    masked form for display. Its birth date is never stored: only the year and the sex.
    """

    id = UUID(primary_key=True)
    openid = Varchar(length=64, null=True, default=None, unique=True)
    unionid = Varchar(length=64, null=True, default=None)
    name = Varchar(length=64, null=True, default=None)
    village: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Area", module_path="backend.geo.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    identity_bound = Boolean(default=False)
    identity_verified = Boolean(default=False)
    id_number_enc = Text(null=True, default=None)
    id_number_hash = Varchar(length=64, null=True, default=None, unique=True)
    id_number_masked = Varchar(length=18, null=True, default=None)
    birth_year = Integer(null=True, default=None)
    sex = Varchar(length=8, null=True, default=None)
    verified_at = Timestamptz(null=True, default=None)
    verify_reference = Varchar(length=64, null=True, default=None)
    phone_enc = Text(null=True, default=None)
    phone_masked = Varchar(length=20, null=True, default=None)
    phone_hash = Varchar(length=64, null=True, default=None, index=True)
    """HMAC-SM3 lookup hash of the phone (``sealed.PHONE_LOOKUP``): the window finds a citizen's
    cases by phone without decrypting anything. Not unique: a family may share one number."""
    consent_version = Varchar(length=32, null=True, default=None)
    consented_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    restricted_at = Timestamptz(null=True, default=None)
    """Set when the person's deletion was carried out but case files under retention name them:
    the row is kept only as those files' applicant (no login, no lookup by number)."""
    token_version = Integer(default=0)
    """Bumped to end every token of this citizen at once (``backend.identity.sessions``)."""


class WeChatAccount(Table, tablename="wechat_account"):
    """A WeChat account (one app's ``openid``) a citizen signs in with.

    One citizen may hold several: the mini-program's and the Official Account web page's (H5),
    each with its own ``appid``; WeChat gives the same ``unionid`` to both when the two apps are
    bound to one Open Platform account. ``citizen.openid`` stays as a read-only copy of the
    mini-program account's openid, the only one subscribe messages can reach.
    """

    id = BigSerial(primary_key=True)
    appid = Varchar(length=64)
    openid = Varchar(length=64)
    unionid = Varchar(length=64, null=True, default=None, index=True)
    citizen = ForeignKey(Citizen, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class PhoneCode(Table, tablename="phone_code"):
    """An SMS code sent to confirm a citizen's phone number (the H5 has no phone button).

    The number is kept only as its lookup hash and the code only as an HMAC; a row also counts
    towards the send limits, so rows are kept for a day and then deleted.
    """

    id = BigSerial(primary_key=True)
    citizen = ForeignKey(Citizen, on_delete=OnDelete.cascade, index=True)
    phone_hash = Varchar(length=64, index=True)
    code_hash = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    attempts = Integer(default=0)
    used_at = Timestamptz(null=True, default=None)


class WeChatSession(Table, tablename="wechat_session"):
    """The WeChat ``session_key`` of a citizen, encrypted; it never leaves the server."""

    citizen = ForeignKey(Citizen, unique=True, on_delete=OnDelete.cascade)
    session_key_enc = Text()
    updated_at = Timestamptz(default=TimestamptzNow())


class DeletionRequest(Table, tablename="deletion_request"):
    """删除申请 — a citizen's request to delete their personal information (PIPL art. 47).

    Kept after the citizen's record is gone (``citizen`` becomes null) as proof it was handled.
    At most one ``pending`` request per citizen (partial unique index).
    """

    id = UUID(primary_key=True)
    citizen = ForeignKey(Citizen, null=True, on_delete=OnDelete.set_null, index=True)
    status = Varchar(length=16, default="pending")  # pending|approved|refused|completed
    reason = Text(default="")
    requested_at = Timestamptz(default=TimestamptzNow())
    handled_at = Timestamptz(null=True, default=None)
    handled_by = UUID(null=True, default=None)
    note = Text(default="")
    completed_at = Timestamptz(null=True, default=None)


class StaffUser(Table, tablename="staff_user"):
    """工作人员 — an agent, window clerk, approver, supervisor or administrator."""

    id = UUID(primary_key=True)
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=64)
    password_hash = Text()
    role = Varchar(length=16, index=True)
    area: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Area", module_path="backend.geo.tables"), on_delete=OnDelete.restrict
    )
    department: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Department", module_path="backend.catalogue.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    """Unused since login failures moved to ``login_failure`` (kept for the benchmark baseline)."""
    locked_until = Timestamptz(null=True, default=None)
    """Unused since login failures moved to ``login_failure``."""
    last_login_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    token_version = Integer(default=0)
    """Bumped to end every portal session and bearer token of this account at once."""
    must_change_password = Boolean(default=False)
    """Set by an administrator's password reset: nothing but the password change until done."""
    password_changed_at = Timestamptz(null=True, default=None)


class LoginFailure(Table, tablename="login_failure"):
    """Failed staff logins per username string (known or not) and client address.

    ``address = ''`` is the row of the username across all addresses, holding its account-wide
    lock. Unique on (username, address). Kept in PostgreSQL so a Redis flush cannot reset it.
    """

    id = BigSerial(primary_key=True)
    username = Varchar(length=64)
    address = Varchar(length=64)
    failures = Integer(default=0)
    last_failure_at = Timestamptz(default=TimestamptzNow(), index=True)
    locked_until = Timestamptz(null=True, default=None)
