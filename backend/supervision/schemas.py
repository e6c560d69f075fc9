"""Request and response bodies of the supervision routes (msgspec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

Note = Annotated[str, msgspec.Meta(max_length=1000)]


class HolderOut(msgspec.Struct):
    kind: str  # window | department | agent | citizen | township
    id: str | None
    name: str
    label: str


class OverdueOut(msgspec.Struct):
    number: str
    item: str
    status: str
    township_code: str | None
    township_name: str
    deadline: date
    working_days_left: int
    days_overdue: int
    overdue: bool
    paused: bool
    holder: HolderOut
    escalated: list[str]


class OverduePage(msgspec.Struct):
    items: list[OverdueOut]
    total: int


class EscalationOut(msgspec.Struct):
    id: int
    number: str
    level: str
    area_code: str
    at: datetime
    on_day: date
    deadline: date
    days_overdue: int
    reason: str


class EscalationPage(msgspec.Struct):
    items: list[EscalationOut]
    total: int


class FollowUpOut(msgspec.Struct):
    id: int
    number: str
    item: str
    round: int
    score: int
    comment: str
    township_code: str | None
    township_name: str
    assignee_name: str | None
    rated_at: datetime
    state: str  # open | contacted | resolved
    contact_due: date
    resolve_due: date
    contact_overdue: bool
    resolve_overdue: bool
    contacted_at: datetime | None
    contact_note: str
    resolved_at: datetime | None
    resolution: str
    citizen_name: str
    citizen_phone_masked: str | None


class FollowUpPage(msgspec.Struct):
    items: list[FollowUpOut]
    total: int


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Note


class FollowUpStateOut(msgspec.Struct):
    id: int
    state: str
    contact_due: date
    resolve_due: date
    contact_overdue: bool
    resolve_overdue: bool


class EvaluationOut(msgspec.Struct):
    id: int
    number: str
    item: str
    round: int
    score: int
    comment: str
    rated_at: datetime
    township_code: str | None
    follow_up: FollowUpStateOut | None


class EvaluationPage(msgspec.Struct):
    items: list[EvaluationOut]
    total: int


class CallOut(msgspec.Struct):
    id: int
    week: date
    number: str
    item: str
    status: str
    closed_at: datetime | None
    township_code: str | None
    township_name: str
    citizen_name: str
    citizen_phone_masked: str | None
    called_at: datetime | None
    reached: bool | None
    satisfied: int | None
    trips: int | None
    note: str


class CallPage(msgspec.Struct):
    week: date
    items: list[CallOut]
    total: int


class CallIn(msgspec.Struct, forbid_unknown_fields=True):
    reached: bool
    satisfied: int | None = None
    trips: int | None = None
    note: Note = ""


class WorkloadOut(msgspec.Struct):
    agent_id: str
    name: str
    area_code: str
    area_name: str
    open_errands: int
    filed_this_month: int
    mandates_active: int
    originals_held: int
    results_held: int


class WorkloadPage(msgspec.Struct):
    items: list[WorkloadOut]
    total: int


class AuditOut(msgspec.Struct):
    id: int
    at: datetime
    actor_kind: str
    actor_id: str
    actor_name: str | None
    action: str
    subject_kind: str
    subject_id: str
    on_behalf_of: str | None
    citizen_name: str | None
    reason: str


class AuditPage(msgspec.Struct):
    items: list[AuditOut]
    total: int
