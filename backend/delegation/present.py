"""Turning delegation rows into response bodies (times shown in Asia/Shanghai)."""

from __future__ import annotations

from typing import cast

from backend.cases.present import shanghai
from backend.cases.states import STATUS_LABELS, Status, public_status
from backend.delegation import custody as custody_mod
from backend.delegation import mandates
from backend.delegation.custody import Custody
from backend.delegation.errands import Errand, Need
from backend.delegation.schemas import (
    CitizenOut,
    Consent,
    CustodyOut,
    Direction,
    ErrandChild,
    ErrandOut,
    HandoverLineOut,
    HandoverOut,
    HandoverStatus,
    HandoverSummary,
    MandateOut,
    MandateStatus,
    NeedKind,
    NeedOut,
    ReferralOut,
    ReferralStatus,
    Sex,
    SpotCheckOut,
)
from backend.delegation.store.handovers import Batch, BatchSummary, Line
from backend.delegation.store.mandates import MandateRow
from backend.delegation.store.villagers import ReferralRow, Villager


def citizen(row: Villager) -> CitizenOut:
    return CitizenOut(
        id=row.id,
        name=row.name or "",
        village_code=row.village,
        id_number_masked=row.id_number_masked,
        birth_year=row.birth_year,
        sex=cast("Sex | None", row.sex),
        has_wechat=row.has_wechat,
        identity_verified=row.identity_verified,
        registered_by_agent=row.registered_by_agent,
        takeover_refused=(row.takeover_refused_reason or None) if row.takeover_refused_at else None,
    )


async def mandate(row: MandateRow) -> MandateOut:
    return MandateOut(
        id=row.id,
        status=cast("MandateStatus", mandates.effective_status(row)),
        citizen_id=row.citizen_id,
        citizen_name=row.citizen_name,
        agent_id=row.agent_id,
        agent_name=row.agent_name,
        item_codes=list(row.item_codes),
        bundle_code=row.bundle_code,
        scope=await mandates.scope_names(row),
        expires_on=row.expires_on.isoformat(),
        consent=cast("Consent", row.consent),
        created_at=shanghai(row.created_at) or "",
        decided_at=shanghai(row.decided_at),
        revoked_at=shanghai(row.revoked_at),
        evidence_count=len(row.evidence_upload_ids),
    )


async def spot_check(row: MandateRow) -> SpotCheckOut:
    return SpotCheckOut(
        mandate=await mandate(row),
        spot_check=bool(row.spot_check),
        spot_check_ok=row.spot_check_ok,
        spot_check_note=row.spot_check_note or "",
        evidence_upload_ids=list(row.evidence_upload_ids),
    )


def need(n: Need) -> NeedOut:
    return NeedOut(
        kind=cast("NeedKind", n.kind), case_number=n.case_number, detail=n.detail, text=n.text
    )


def custody(c: Custody) -> CustodyOut:
    return CustodyOut(
        originals_to_send=c.originals_to_send,
        originals_in_transit=c.originals_in_transit,
        originals_missing=c.originals_missing,
        result_in_transit=c.result_in_transit,
        result_with_agent=c.result_with_agent,
        result_handed_over=c.result_handed_over,
    )


def errand(e: Errand) -> ErrandOut:
    row = e.row
    status = Status(row.status)
    return ErrandOut(
        number=row.number,
        name=e.name,
        citizen_id=str(row.applicant),
        citizen_name=e.citizen_name,
        status=status.value,
        status_label=STATUS_LABELS[status],
        public_status=public_status(status),
        deadline=e.clock.deadline.isoformat() if e.clock.deadline else None,
        working_days_left=e.clock.working_days_left,
        delivery_method=row.delivery_method,
        mandate_id=row.mandate_id,
        mandate_live=e.mandate_live,
        needs=[need(n) for n in e.needs],
        custody=custody(e.custody),
        children=[ErrandChild(c.number, c.item_code, c.status) for c in e.children],
    )


def handover(batch: Batch, lines: list[Line]) -> HandoverOut:
    return HandoverOut(
        id=batch.id,
        code=batch.code,
        direction=cast("Direction", batch.direction),
        status=cast("HandoverStatus", batch.status),
        township_code=batch.township,
        township_name=batch.township_name,
        agent_id=batch.agent_id,
        agent_name=batch.agent_name,
        created_at=shanghai(batch.created_at) or "",
        received_at=shanghai(batch.received_at),
        qr_payload=custody_mod.qr_payload(batch.code),
        qr_svg=custody_mod.qr_svg(batch.code),
        lines=[
            HandoverLineOut(
                case_number=line.number,
                item_code=line.item_code,
                bundle_code=line.bundle_code,
                applicant_name=line.applicant_name,
                applicant_id_masked=line.applicant_id_masked,
                items=list(line.items),
                missing=list(line.missing),
            )
            for line in lines
        ],
    )


def handover_summary(row: BatchSummary) -> HandoverSummary:
    return HandoverSummary(
        id=row.id,
        code=row.code,
        direction=cast("Direction", row.direction),
        status=cast("HandoverStatus", row.status),
        township_code=row.township,
        agent_name=row.agent_name,
        created_at=shanghai(row.created_at) or "",
        received_at=shanghai(row.received_at),
        cases=row.cases,
    )


def referral(row: ReferralRow) -> ReferralOut:
    return ReferralOut(
        id=row.id,
        status=cast("ReferralStatus", row.status),
        village_code=row.village,
        registered_name=row.registered_name,
        agent=row.agent,
        holder_name=row.holder_name,
        holder_id_masked=row.holder_id_masked,
        holder_village_code=row.holder_village,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        note=row.note,
    )
