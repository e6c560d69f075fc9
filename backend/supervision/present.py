"""Rows and domain values of the supervision package as response bodies."""

from __future__ import annotations

from backend.audit.store import AuditEntry
from backend.cases.store.oversight import CallRow, EscalationRow, FollowUpRow, RatingRow
from backend.clock import local
from backend.supervision import schemas as S
from backend.supervision import texts
from backend.supervision.followups import FollowUpView
from backend.supervision.overdue import OverdueCase
from backend.supervision.workload import Workload


def overdue(case: OverdueCase) -> S.OverdueOut:
    holder = case.holder
    return S.OverdueOut(
        number=case.number,
        item=case.item,
        status=case.status,
        township_code=case.township,
        township_name=case.township_name,
        deadline=case.deadline,
        working_days_left=case.working_days_left,
        days_overdue=case.days_overdue,
        overdue=case.overdue,
        paused=case.paused,
        holder=S.OverdueHolderOut(holder.kind, holder.id, holder.name, texts.HOLDERS[holder.kind]),
        escalated=case.escalated,
    )


def escalation(row: EscalationRow) -> S.EscalationOut:
    return S.EscalationOut(
        id=row.id,
        number=row.number,
        level=row.level,  # type: ignore[arg-type]
        area_code=row.area,
        at=local(row.at),
        on_day=row.on_day,
        deadline=row.deadline,
        days_overdue=row.days_overdue,
        reason=row.reason,
    )


def follow_up(view: FollowUpView[FollowUpRow]) -> S.FollowUpOut:
    row = view.row
    return S.FollowUpOut(
        id=row.id,
        number=row.number,
        item=row.item,
        round=row.round,
        score=row.score,
        comment=row.comment or "",
        township_code=row.township,
        township_name=row.township_name or "",
        assignee_name=row.assignee_name,
        rated_at=local(row.rated_at),
        state=view.state,
        contact_due=row.contact_due,
        resolve_due=row.resolve_due,
        contact_overdue=view.contact_overdue,
        resolve_overdue=view.resolve_overdue,
        contacted_at=local(row.contacted_at) if row.contacted_at else None,
        contact_note=row.contact_note,
        resolved_at=local(row.resolved_at) if row.resolved_at else None,
        resolution=row.resolution,
        citizen_name=row.citizen_name or "",
        citizen_phone_masked=row.phone_masked,
    )


def evaluation(row: RatingRow, view: FollowUpView[RatingRow] | None) -> S.RatingOut:
    return S.RatingOut(
        id=row.id,
        number=row.number,
        item=row.item,
        round=row.round,
        score=row.score,
        comment=row.comment or "",
        rated_at=local(row.rated_at),
        township_code=row.township,
        follow_up=_rating_follow_up(row, view),
    )


def _rating_follow_up(
    row: RatingRow, view: FollowUpView[RatingRow] | None
) -> S.RatingFollowUpOut | None:
    # A follow-up's id and both its due days are never null once it is opened.
    if view is None or row.follow_up_id is None or not (row.contact_due and row.resolve_due):
        return None
    return S.RatingFollowUpOut(
        id=row.follow_up_id,
        state=view.state,
        contact_due=row.contact_due,
        resolve_due=row.resolve_due,
        contact_overdue=view.contact_overdue,
        resolve_overdue=view.resolve_overdue,
    )


def call(row: CallRow) -> S.CallOut:
    return S.CallOut(
        id=row.id,
        week=row.week,
        number=row.number,
        item=row.item,
        status=row.status,  # type: ignore[arg-type]
        closed_at=local(row.closed_at) if row.closed_at else None,
        township_code=row.township,
        township_name=row.township_name or "",
        citizen_name=row.citizen_name or "",
        citizen_phone_masked=row.phone_masked,
        called_at=local(row.called_at) if row.called_at else None,
        reached=row.reached,
        satisfied=row.satisfied,
        trips=row.trips,
        note=row.note,
    )


def workload(w: Workload) -> S.AgentWorkloadOut:
    return S.AgentWorkloadOut(
        agent_id=w.agent_id,
        name=w.name,
        area_code=w.area_code,
        area_name=w.area_name,
        open_errands=w.open_errands,
        filed_this_month=w.filed_this_month,
        mandates_active=w.mandates_active,
        originals_held=w.originals_held,
        results_held=w.results_held,
    )


def audit(entry: AuditEntry) -> S.AuditEntryOut:
    return S.AuditEntryOut(
        id=entry.id,
        at=local(entry.at),
        actor_kind=entry.actor_kind,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        subject_kind=entry.subject_kind,
        subject_id=entry.subject_id,
        on_behalf_of=entry.on_behalf_of,
        citizen_name=entry.citizen_name,
        reason=entry.reason,
    )
