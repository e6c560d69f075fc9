"""Identity's rows as the API shows them (``schemas``), shared by the route modules."""

from __future__ import annotations

import msgspec

from backend.identity.binding import BindOutcome
from backend.identity.deletion import DeletionReceipt
from backend.identity.schemas import (
    CitizenMe,
    DeletionReceiptOut,
    IdentityBound,
    RetainedData,
    StaffAdminView,
    StaffMe,
)
from backend.identity.service import CitizenProfile
from backend.identity.store.users import StaffAccount, StaffListed


def staff_me(account: StaffAccount) -> StaffMe:
    return StaffMe(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        role_label=account.role_label,
        area_code=account.area_code,
        area_name=account.area_name,
        department_code=account.department_code,
    )


def citizen_me(profile: CitizenProfile) -> CitizenMe:
    return CitizenMe(
        id=profile.id,
        name=profile.name,
        id_number_masked=profile.id_number_masked,
        phone_masked=profile.phone_masked,
        identity_bound=profile.identity_bound,
        identity_verified=profile.identity_verified,
        village_code=profile.village_code,
    )


def admin_view(listed: StaffListed) -> StaffAdminView:
    account = listed.account
    return StaffAdminView(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        role_label=account.role_label,
        area_code=account.area_code,
        area_name=account.area_name,
        department_code=account.department_code,
        active=account.active,
        locked=listed.locked,
        password_change_required=account.must_change_password,
        last_login_at=listed.last_login_at,
    )


def identity_bound(outcome: BindOutcome) -> IdentityBound:
    """The citizen's profile after binding, with how the identity was verified."""
    return IdentityBound(
        **msgspec.structs.asdict(citizen_me(outcome.profile)),
        verification=outcome.verification,
        verification_note=outcome.note,
    )


def deletion_receipt(receipt: DeletionReceipt) -> DeletionReceiptOut:
    """What a deletion request will delete and what the law makes us keep, and for how long."""
    return DeletionReceiptOut(
        id=receipt.id,
        status=receipt.status,
        requested_at=receipt.requested_at,
        detail=receipt.detail,
        will_delete=list(receipt.deleted),
        will_keep=[RetainedData(k.data, k.retention, k.basis) for k in receipt.kept],
    )
