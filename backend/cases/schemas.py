"""Bodies of the citizen case routes (what a citizen sends and sees)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
MaterialType = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
UploadId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Note = Annotated[str, msgspec.Meta(max_length=500)]


class MaterialIn(msgspec.Struct, forbid_unknown_fields=True):
    type: MaterialType
    upload_id: UploadId


class DeliveryIn(msgspec.Struct, forbid_unknown_fields=True):
    method: Annotated[str, msgspec.Meta(max_length=16)]
    address: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class CaseSubmission(msgspec.Struct, forbid_unknown_fields=True):
    delivery: DeliveryIn
    item_code: Code | None = None
    bundle_code: Code | None = None
    form: dict[str, Any] = {}
    materials: Annotated[list[MaterialIn], msgspec.Meta(max_length=50)] = []
    service_point_id: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    paper_originals: Annotated[list[MaterialType], msgspec.Meta(max_length=50)] = []
    """Material types whose paper originals staff or an agent checked in person (not online)."""


class SupplementIn(msgspec.Struct, forbid_unknown_fields=True):
    materials: Annotated[list[MaterialIn], msgspec.Meta(max_length=50)]
    note: Note = ""


class EvaluationIn(msgspec.Struct, forbid_unknown_fields=True):
    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Note | None = None


class FiledBy(msgspec.Struct):
    kind: str
    name: str | None = None


class TimelineEntry(msgspec.Struct):
    at: str
    status: str
    action: str
    actor_role: str
    note: str


class SupplementOut(msgspec.Struct):
    missing: list[str]
    note: str
    requested_at: str


class MaterialOut(msgspec.Struct):
    type: str
    source: str
    upload_id: str | None


class ChildOut(msgspec.Struct):
    number: str
    item_code: str | None
    item_name: str | None
    status: str
    public_status: str
    department_code: str | None
    deadline: str | None
    working_days_left: int | None


class CaseForCitizen(msgspec.Struct):
    number: str
    status: str
    status_label: str
    public_status: str
    item_code: str | None
    bundle_code: str | None
    name: str
    filed_by: FiledBy
    channel: str
    township_code: str | None
    deadline: str | None
    working_days_left: int | None
    submitted_at: str
    delivery_method: str
    timeline: list[TimelineEntry]
    materials: list[MaterialOut]
    children: list[ChildOut] | None = None
    supplement: SupplementOut | None = None
    result: dict[str, Any] | None = None
    evaluations: list[int] = []


class CaseSummary(msgspec.Struct):
    number: str
    name: str
    status: str
    status_label: str
    public_status: str
    submitted_at: str
    deadline: str | None
    working_days_left: int | None


class CasePage(msgspec.Struct):
    items: list[CaseSummary]
    total: int


class MaterialLink(msgspec.Struct):
    url: str
    expires_in: int
