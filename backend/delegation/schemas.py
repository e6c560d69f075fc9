"""Request and response bodies of the delegation routes (msgspec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from backend.cases.schemas import (
    CaseForCitizen,
    CaseSubmission,
    Code,
    DeliveryIn,
    MaterialIn,
    MaterialType,
)

Id = Annotated[str, msgspec.Meta(max_length=40)]
Number = Annotated[str, msgspec.Meta(max_length=24)]
ShortNote = Annotated[str, msgspec.Meta(max_length=500)]


class AgentCitizenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=64)]
    id_number: Annotated[str, msgspec.Meta(max_length=32)]
    village_code: Annotated[str, msgspec.Meta(max_length=12)]
    phone: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class CitizenOut(msgspec.Struct):
    id: str
    name: str
    village_code: str | None
    id_number_masked: str | None
    birth_year: int | None
    sex: str | None
    has_wechat: bool
    identity_verified: bool
    registered_by_agent: bool
    takeover_refused: str | None = None
    """Why a WeChat account could not take this record over (the agent is told), if it tried."""


class CitizenPage(msgspec.Struct):
    items: list[CitizenOut]
    total: int


class MandateIn(msgspec.Struct, forbid_unknown_fields=True):
    citizen_id: Id
    expires_on: date
    item_codes: Annotated[list[Code], msgspec.Meta(max_length=50)] = []
    bundle_code: Code | None = None
    evidence_upload_ids: Annotated[list[Id], msgspec.Meta(max_length=10)] = []


class MandateOut(msgspec.Struct):
    id: str
    status: str
    citizen_id: str
    citizen_name: str | None
    agent_id: str
    agent_name: str
    item_codes: list[str]
    bundle_code: str | None
    scope: list[str]
    expires_on: str
    consent: str
    created_at: str
    decided_at: str | None
    revoked_at: str | None
    evidence_count: int


class MandatePage(msgspec.Struct):
    items: list[MandateOut]
    total: int


class SpotCheckIn(msgspec.Struct, forbid_unknown_fields=True):
    ok: bool
    note: ShortNote = ""


class SpotCheckOut(msgspec.Struct):
    mandate: MandateOut
    spot_check: bool
    spot_check_ok: bool | None
    spot_check_note: str
    evidence_upload_ids: list[str]


class SpotCheckPage(msgspec.Struct):
    items: list[SpotCheckOut]
    total: int


class AgentCaseSubmission(msgspec.Struct, forbid_unknown_fields=True):
    mandate_id: Id
    delivery: DeliveryIn
    item_code: Code | None = None
    bundle_code: Code | None = None
    form: dict[str, Any] = {}
    materials: Annotated[list[MaterialIn], msgspec.Meta(max_length=50)] = []
    service_point_id: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    paper_originals: Annotated[list[MaterialType], msgspec.Meta(max_length=50)] = []

    def submission(self) -> CaseSubmission:
        return CaseSubmission(
            delivery=self.delivery,
            item_code=self.item_code,
            bundle_code=self.bundle_code,
            form=self.form,
            materials=self.materials,
            service_point_id=self.service_point_id,
            paper_originals=self.paper_originals,
        )


class NeedOut(msgspec.Struct):
    kind: str
    case_number: str
    detail: list[str]
    text: str


class CustodyOut(msgspec.Struct):
    originals_to_send: list[str]
    originals_in_transit: list[str]
    originals_missing: list[str]
    result_in_transit: bool
    result_with_agent: bool
    result_handed_over: bool


class ErrandChild(msgspec.Struct):
    number: str
    item_code: str | None
    status: str


class ErrandOut(msgspec.Struct):
    number: str
    name: str
    citizen_id: str
    citizen_name: str
    status: str
    status_label: str
    public_status: str
    deadline: str | None
    working_days_left: int | None
    delivery_method: str
    mandate_id: str | None
    mandate_live: bool
    needs: list[NeedOut]
    custody: CustodyOut
    children: list[ErrandChild]


class ErrandPage(msgspec.Struct):
    items: list[ErrandOut]
    total: int


class AgentCaseOut(msgspec.Struct):
    case: CaseForCitizen
    mandate_id: str | None
    mandate_live: bool
    needs: list[NeedOut]
    custody: CustodyOut


class HandoverIn(msgspec.Struct, forbid_unknown_fields=True):
    case_numbers: Annotated[list[Number], msgspec.Meta(max_length=1000)]


class MissingIn(msgspec.Struct, forbid_unknown_fields=True):
    case_number: Number
    items: Annotated[list[MaterialType], msgspec.Meta(max_length=50)]


class ReceiveIn(msgspec.Struct, forbid_unknown_fields=True):
    missing: Annotated[list[MissingIn], msgspec.Meta(max_length=1000)] = []


class HandoverLineOut(msgspec.Struct):
    case_number: str
    item_code: str | None
    bundle_code: str | None
    applicant_name: str | None
    applicant_id_masked: str | None
    items: list[str]
    missing: list[str]


class HandoverOut(msgspec.Struct):
    id: str
    code: str
    direction: str
    status: str
    township_code: str
    township_name: str
    agent_id: str
    agent_name: str
    created_at: str
    received_at: str | None
    qr_payload: str
    qr_svg: str
    lines: list[HandoverLineOut]


class HandoverSummary(msgspec.Struct):
    id: str
    code: str
    direction: str
    status: str
    township_code: str
    agent_name: str
    created_at: str
    received_at: str | None
    cases: int


class HandoverPage(msgspec.Struct):
    items: list[HandoverSummary]
    total: int


class HandOverIn(msgspec.Struct, forbid_unknown_fields=True):
    photo_upload_id: Id


class ReferralOut(msgspec.Struct):
    """A registration the township settles: what the agent typed beside the holder's record."""

    id: str
    status: str
    village_code: str
    registered_name: str
    agent: str
    holder_name: str | None
    holder_id_masked: str | None
    holder_village_code: str | None
    created_at: datetime
    resolved_at: datetime | None
    note: str


class ReferralPage(msgspec.Struct):
    items: list[ReferralOut]
    total: int


class ReferralResolveIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Annotated[str, msgspec.Meta(max_length=16)]
    note: Annotated[str, msgspec.Meta(max_length=500)]
