"""Turning a case view into what a citizen sees (times shown in Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime

from backend.cases.schemas import (
    CaseForCitizen,
    CaseMaterialOut,
    CaseSummary,
    ChildOut,
    CitizenCaseResult,
    FiledBy,
    LaterItemOut,
    SupplementOut,
    TimelineEntry,
)
from backend.cases.states import STATUS_LABELS, Status, public_status
from backend.cases.store.cases import CaseListRow
from backend.cases.store.events import EventRecord
from backend.cases.store.later import LaterItem
from backend.cases.views import CaseView
from backend.catalogue.schemas import Channel as ItemChannel
from backend.clock import local_iso

_NOTES = {
    "submit": "已提交申请",
    "forward": "已转入镇街受理队列",
    "handoff": "已转交其他镇街受理",
    "accept": "已受理，开始计算办理时限",
    "reject": "不予受理",
    "request_supplement": "需要补正材料",
    "supply": "已提交补正材料",
    "transfer": "已转后台审批",
    "approve": "审批通过",
    "deny": "审批未通过",
    "issue_result": "已出件",
    "deliver": "已送达",
    "withdraw": "已撤回申请",
}


_WHERE: dict[ItemChannel, str] = {
    "window": "到镇街便民服务中心窗口办理",
    "agent": "请村社代办员代办",
    "bank": "到银行网点办理",
    "self_service": "在自助终端办理",
    "online": "在小程序申请",
}


def later_advice(item: LaterItem) -> str:
    """What the applicant is told to do about an item the bundle's channel could not file."""
    ways = "，或".join(w for c, w in _WHERE.items() if c in item.channels)
    bring = "请带齐材料" if item.materials else "请"
    return f"{bring}{ways}。" if ways else "请咨询镇街便民服务中心。"


def later_out(item: LaterItem) -> LaterItemOut:
    return LaterItemOut(
        item_code=item.item_code,
        item_name=item.item_name,
        channels=[c for c in _WHERE if c in item.channels],
        materials=item.materials,
        advice=later_advice(item),
    )


def shanghai(moment: datetime | None) -> str | None:
    """The answers' way of showing a time (``backend.clock.local_iso``)."""
    return local_iso(moment)


def _note(event: EventRecord, before: EventRecord | None) -> str:
    """What the citizen reads of a step: its note, said once for a 即办办结's steps (accepted,
    approved and issued at once carry the clerk's one note), else the step's own words."""
    spot = bool(event.data and event.data.get("on_the_spot"))
    repeated = (
        spot
        and before is not None
        and bool(before.data and before.data.get("on_the_spot"))
        and before.note == event.note
    )
    if event.note and not repeated:
        return event.note
    return _NOTES.get(event.action, "")


def for_citizen(view: CaseView) -> CaseForCitizen:
    row = view.row
    status = Status(row.status)
    timeline = [
        TimelineEntry(
            at=shanghai(e.at) or "",
            status=e.to_status,
            action=e.action,
            actor_role=e.actor_role,
            note=_note(e, view.events[n - 1] if n else None),
        )
        for n, e in enumerate(view.events)
    ]
    supplement = None
    if view.supplement is not None and status == Status.AWAITING_SUPPLEMENT:
        supplement = SupplementOut(
            missing=list(view.supplement.missing),
            note=view.supplement.note,
            requested_at=shanghai(view.supplement.requested_at) or "",
        )
    children = None
    if view.children:
        children = [
            ChildOut(
                number=child.number,
                item_code=child.item_code,
                item_name=name,
                status=Status(child.status).value,
                status_label=STATUS_LABELS[Status(child.status)],
                public_status=public_status(Status(child.status)),
                department_code=child.department,
                deadline=c.deadline.isoformat() if c.deadline else None,
                working_days_left=c.working_days_left,
            )
            for child, name, c in view.children
        ]
    result = None
    if status in (Status.RESULT_READY, Status.DELIVERED):
        result = CitizenCaseResult(
            delivery_method=row.delivery_method,
            status="delivered" if status == Status.DELIVERED else "result_ready",
        )
    return CaseForCitizen(
        number=row.number,
        status=status.value,
        status_label=STATUS_LABELS[status],
        public_status=public_status(status),
        item_code=row.item_code,
        bundle_code=row.bundle_code,
        name=view.name,
        filed_by=FiledBy(kind=row.filed_by_kind, name=view.filed_by_name),
        channel=row.channel,
        township_code=row.township,
        deadline=view.clock.deadline.isoformat() if view.clock.deadline else None,
        working_days_left=view.clock.working_days_left,
        submitted_at=shanghai(row.created_at) or "",
        delivery_method=row.delivery_method,
        timeline=timeline,
        materials=[CaseMaterialOut(m.material_type, m.source, m.upload_id) for m in view.materials],
        children=children,
        supplement=supplement,
        result=result,
        evaluations=view.evaluations,
        later=[later_out(i) for i in view.later],
    )


def summary(
    row: CaseListRow, name: str, deadline: str | None, left: int | None, filer: str | None
) -> CaseSummary:
    status = Status(row.status)
    return CaseSummary(
        number=row.number,
        name=name,
        status=status.value,
        status_label=STATUS_LABELS[status],
        public_status=public_status(status),
        submitted_at=shanghai(row.created_at) or "",
        deadline=deadline,
        working_days_left=left,
        filed_by=FiledBy(kind=row.filed_by_kind, name=filer),
        evaluated=row.evaluated,
    )
