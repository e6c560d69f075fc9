"""Bodies of the window, review and routing routes, and what staff see of a case.

``CaseForStaff`` is written by hand (never a Piccolo row): the applicant appears with name and
masked ID number only.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from backend.cases.schemas import CaseSubmission

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
AreaCode = Annotated[str, msgspec.Meta(min_length=1, max_length=12)]
MaterialType = Annotated[str, msgspec.Meta(max_length=20)]
Note = Annotated[str, msgspec.Meta(max_length=500)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


# --- what staff send ------------------------------------------------------------------------


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class SupplementRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    missing: Annotated[list[MaterialType], msgspec.Meta(max_length=50)]
    note: Note = ""


class TransferIn(msgspec.Struct, forbid_unknown_fields=True):
    department_code: Annotated[str, msgspec.Meta(min_length=1, max_length=16)] | None = None


class HandoffIn(msgspec.Struct, forbid_unknown_fields=True):
    township_code: AreaCode


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Note = ""


class DeliverIn(msgspec.Struct, forbid_unknown_fields=True):
    method: Annotated[str, msgspec.Meta(max_length=16)]
    tracking_no: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class DenyIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class ApplicantIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=64)]
    id_number: Annotated[str, msgspec.Meta(max_length=32)]
    village_code: Annotated[str, msgspec.Meta(max_length=32)]
    phone: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class WalkInSubmission(CaseSubmission, kw_only=True, forbid_unknown_fields=True):
    """A citizen submission plus the applicant standing at the window."""

    applicant: ApplicantIn


class RoutingRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    item_code: Code
    department_code: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
    township_code: AreaCode | None = None
    send_method: Annotated[str, msgspec.Meta(max_length=16)] = "builtin"


# --- what staff see -------------------------------------------------------------------------


class PersonRef(msgspec.Struct):
    id: str
    name: str | None


class FiledByOut(msgspec.Struct):
    kind: str
    name: str | None = None


class CaseEntry(msgspec.Struct):
    """One line of a staff list (queue, township cases, review)."""

    number: str
    parent_number: str | None
    name: str
    item_code: str | None
    bundle_code: str | None
    status: str
    status_label: str
    applicant_name: str  # masked: 王*英
    filed_by: FiledByOut
    channel: str
    township_code: str | None
    department_code: str | None
    submitted_at: str
    deadline: str | None
    claimed_by: PersonRef | None = None
    claimed_until: str | None = None


class CasePage(msgspec.Struct):
    items: list[CaseEntry]
    total: int


class ApplicantOut(msgspec.Struct):
    name: str | None
    id_number_masked: str | None


class StaffTimelineEntry(msgspec.Struct):
    at: str
    action: str
    from_status: str | None
    status: str
    actor_role: str
    actor: PersonRef | None
    on_behalf_of: str | None
    channel: str | None
    note: str
    data: dict[str, Any]


class StaffMaterial(msgspec.Struct):
    type: str
    source: str  # upload | shared | paper
    upload_id: str | None
    shared_ref: str | None
    supplement: int | None
    added_at: str


class StaffChild(msgspec.Struct):
    number: str
    item_code: str | None
    item_name: str | None
    status: str
    status_label: str
    department_code: str | None
    deadline: str | None
    working_days_left: int | None


class SupplementRequestOut(msgspec.Struct):
    missing: list[str]
    note: str
    requested_at: str
    requested_by: str | None


class ResultOut(msgspec.Struct):
    issued_at: str | None
    note: str
    delivered_at: str | None = None
    delivery_method: str | None = None
    tracking_no: str | None = None


class ClaimOut(msgspec.Struct):
    staff: PersonRef
    claimed_at: str
    expires_at: str
    mine: bool


class CaseForStaff(msgspec.Struct):
    number: str
    status: str
    status_label: str
    public_status: str
    item_code: str | None
    bundle_code: str | None
    name: str
    parent_number: str | None
    applicant: ApplicantOut
    filed_by: FiledByOut
    mandate_id: str | None
    channel: str
    township_code: str | None
    department_code: str | None
    service_point_id: str | None
    form: dict[str, Any]
    """The form as typed, except that ID numbers, phones and bank accounts are masked."""
    delivery_method: str
    delivery_address: str
    submitted_at: str
    accepted_at: str | None
    closed_at: str | None
    deadline: str | None
    working_days_left: int | None
    paused_working_days: int
    clock_paused: bool
    overdue: bool
    allowed_actions: list[str]
    timeline: list[StaffTimelineEntry]
    materials: list[StaffMaterial]
    children: list[StaffChild] | None = None
    supplement: SupplementRequestOut | None = None
    result: ResultOut | None = None
    claim: ClaimOut | None = None
    masked_fields: list[str] = []
    """The fields of ``form`` shown masked; ``POST …/form/{field}/reveal`` shows one in full."""


class RevealIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class RevealedOut(msgspec.Struct):
    field: str
    value: str


class MaterialLinkOut(msgspec.Struct):
    url: str
    expires_in: int


class RoutingRuleOut(msgspec.Struct):
    id: int
    township_code: str | None
    item_code: str
    department_code: str
    send_method: str
    updated_at: str


class RoutingRulePage(msgspec.Struct):
    items: list[RoutingRuleOut]
    total: int
