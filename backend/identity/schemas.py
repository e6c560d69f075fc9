"""Request and response bodies of the identity routes, per audience."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class WeChatLoginRequest(msgspec.Struct, forbid_unknown_fields=False):
    code: Code


class CitizenSummary(msgspec.Struct):
    id: str
    identity_bound: bool


class WeChatLoginResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    citizen: CitizenSummary
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class StaffLoginRequest(msgspec.Struct):
    username: Username
    password: Password


class StaffSummary(msgspec.Struct):
    id: str
    role: str
    area_code: str
    department_code: str | None


class StaffLoginResponse(msgspec.Struct):
    """``password_change_required``: an administrator reset the password; until it is changed
    (``POST /api/v1/staff/me/password``) every other call answers 403
    ``password_change_required``."""

    access_token: str
    expires_in: int
    staff: StaffSummary
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    password_change_required: bool = False


class CitizenMe(msgspec.Struct):
    """``GET /api/v1/me``: what a citizen sees of themselves (masked)."""

    id: str
    name: str | None
    id_number_masked: str | None
    phone_masked: str | None
    identity_bound: bool
    identity_verified: bool
    village_code: str | None


class IdentityBindRequest(msgspec.Struct):
    """``PUT /api/v1/me/identity``; every field is checked by the service, all at once."""

    name: Annotated[str, msgspec.Meta(max_length=64)]
    id_number: Annotated[str, msgspec.Meta(max_length=32)]
    village_code: Annotated[str, msgspec.Meta(max_length=32)]
    consent_version: Annotated[str, msgspec.Meta(max_length=64)]


class IdentityBound(CitizenMe):
    """``GET /me`` plus how verification went: ``verified``, ``unavailable`` (the service could
    not answer; the binding stays unverified, submit again later) or ``disabled``."""

    verification: str
    verification_note: str


class PhoneBindRequest(msgspec.Struct):
    code: Code


class DeletionRequestBody(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class RetainedData(msgspec.Struct):
    data: str
    retention: str
    basis: str


class DeletionReceiptOut(msgspec.Struct):
    """``POST /api/v1/me/deletion-request`` (202): what will go, what is kept and how long."""

    id: str
    status: str
    requested_at: datetime
    detail: str
    will_delete: list[str]
    will_keep: list[RetainedData]


class StaffMe(msgspec.Struct):
    id: str
    username: str
    display_name: str
    role: str
    role_label: str
    area_code: str
    area_name: str
    department_code: str | None


class StaffCreateRequest(msgspec.Struct):
    username: Username
    password: Password
    role: str
    area_code: str
    display_name: str | None = None
    department_code: str | None = None


class StaffAdminView(StaffMe):
    """An account as administrators see it in the staff list."""

    active: bool
    locked: bool
    password_change_required: bool
    last_login_at: datetime | None


class StaffAdminPage(msgspec.Struct):
    items: list[StaffAdminView]
    total: int


class AdminActionRequest(msgspec.Struct):
    """Why an administrator changes an account (written to the audit log)."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class PasswordResetOut(msgspec.Struct):
    """The temporary password, shown once; it must be changed at the next login."""

    staff: StaffAdminView
    temporary_password: str


class PasswordChangeRequest(msgspec.Struct):
    current_password: Password
    new_password: Password
