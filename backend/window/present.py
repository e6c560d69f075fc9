"""Turning cases into what staff see (times shown in Asia/Shanghai)."""

from __future__ import annotations

from datetime import date
from typing import cast

from backend.cases import bundles, formreveal
from backend.cases import views as case_views
from backend.cases.clock import Calendar, Clock
from backend.cases.present import later_out, shanghai
from backend.cases.states import STATUS_LABELS, Action, Status, allowed_actions, public_status
from backend.cases.store import queue
from backend.cases.store.cases import CaseRecord
from backend.cases.store.events import EventRecord
from backend.cases.store.queue import Line
from backend.clock import now_utc
from backend.http.fields import CaseChannel, CaseStatus, FiledByKind
from backend.identity.store import clerks
from backend.window import claims, store
from backend.window.schemas import (
    ApplicantOut,
    CaseEntry,
    CaseForStaff,
    ClaimOut,
    FiledByOut,
    PersonRef,
    ResultOut,
    StaffChild,
    StaffMaterial,
    StaffTimelineEntry,
    SupplementRequestOut,
)


def mask_name(name: str | None) -> str:
    """王*英 — the first and last characters of a name, the middle starred (王* for two)."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def entry(line: Line, names: dict[str, str]) -> CaseEntry:
    status = Status(line.status)
    code = line.bundle_code if line.bundle_code and line.parent is None else line.item_code
    claim = claims.claimed(line)
    return CaseEntry(
        number=line.number,
        parent_number=line.parent_number,
        name=names.get(code or "", code or ""),
        item_code=line.item_code,
        bundle_code=line.bundle_code,
        status=cast("CaseStatus", line.status),
        status_label=STATUS_LABELS[status],
        applicant_name=mask_name(line.applicant_name),
        filed_by=FiledByOut(kind=cast("FiledByKind", line.filed_by_kind), name=line.filed_by_name),
        channel=cast("CaseChannel", line.channel),
        township_code=line.township,
        department_code=line.department,
        submitted_at=shanghai(line.created_at) or "",
        deadline=line.deadline.isoformat() if line.deadline else None,
        claimed_by=PersonRef(claim.staff_id, claim.staff_name) if claim else None,
        claimed_until=shanghai(claim.expires_at) if claim else None,
    )


def _bundle_clock(own: Clock, children: list[tuple[CaseRecord, str, Clock]]) -> Clock:
    """A bundle runs as long as its slowest item; its own committed days are none."""
    dated = [c for _, _, c in children if c.deadline is not None]
    if not dated:
        return own
    return max(dated, key=lambda c: c.deadline or date.min)


def _result(events: list[EventRecord]) -> ResultOut | None:
    issued = [e for e in events if e.action == Action.ISSUE_RESULT.value]
    if not issued:
        return None
    delivered = [e for e in events if e.action == Action.DELIVER.value]
    last = delivered[-1] if delivered else None
    data = last.data if last else {}
    collector = data.get("collector") or {}
    return ResultOut(
        issued_at=shanghai(issued[-1].at),
        note=issued[-1].note,
        delivered_at=shanghai(last.at) if last else None,
        delivery_method=data.get("method"),
        tracking_no=data.get("tracking_no"),
        collector_name=collector.get("name"),
        collector_id_checked=bool(collector.get("id_checked")),
    )


async def for_staff(*, row: CaseRecord, calendar: Calendar, viewer_id: str) -> CaseForStaff:
    view = await case_views.view(row=row, calendar=calendar)
    status = Status(row.status)
    applicant = await clerks.shown_applicant(str(row.applicant))
    parent_number = None
    parent_row: CaseRecord | None = None
    if row.parent is not None:
        parent_row = await queue.case_by_id(row.parent)
        parent_number = parent_row.number if parent_row else None
    claim = await store.live_claim(row.id, now=now_utc())
    form = await formreveal.staff_form(row)
    actors = {e.actor_id for e in view.events if e.actor_kind == "staff" and e.actor_id}
    staff = await clerks.staff_names(actors | ({claim.staff_id} if claim else set()))
    shown = _bundle_clock(view.clock, view.children) if view.children else view.clock
    resume = Status(row.resume_status) if row.resume_status else None
    supplement = None
    if view.supplement is not None and status == Status.AWAITING_SUPPLEMENT:
        supplement = SupplementRequestOut(
            missing=list(view.supplement.missing),
            note=view.supplement.note,
            requested_at=shanghai(view.supplement.requested_at) or "",
            requested_by=view.supplement.requested_by,
        )
    return CaseForStaff(
        number=row.number,
        status=row.status,
        status_label=STATUS_LABELS[status],
        public_status=public_status(status),
        item_code=row.item_code,
        bundle_code=row.bundle_code,
        name=view.name,
        parent_number=parent_number,
        applicant=ApplicantOut(applicant.name, applicant.id_number_masked),
        filed_by=FiledByOut(kind=row.filed_by_kind, name=view.filed_by_name),
        mandate_id=row.mandate_id,
        channel=row.channel,
        township_code=row.township,
        department_code=row.department,
        service_point_id=row.service_point,
        form=form.values,
        masked_fields=form.sensitive,
        delivery_method=row.delivery_method,
        delivery_address=row.delivery_address,
        submitted_at=shanghai(row.created_at) or "",
        accepted_at=shanghai(row.accepted_at),
        closed_at=shanghai(row.closed_at),
        deadline=shown.deadline.isoformat() if shown.deadline else None,
        working_days_left=shown.working_days_left,
        paused_working_days=shown.paused_working_days,
        clock_paused=shown.paused,
        overdue=shown.overdue,
        allowed_actions=[
            a.value
            for a in bundles.bundle_allowed(
                row,
                allowed_actions(status, resume_to=resume),
                parent=parent_row,
                children=[child for child, _, _ in view.children],
            )
        ],
        timeline=[
            StaffTimelineEntry(
                at=shanghai(e.at) or "",
                action=e.action,
                from_status=e.from_status,
                status=e.to_status,
                actor_role=e.actor_role,
                actor=PersonRef(e.actor_id, staff.get(e.actor_id))
                if e.actor_kind == "staff" and e.actor_id
                else None,
                on_behalf_of=e.on_behalf_of,
                channel=e.channel,
                note=e.note,
                data=e.data,
            )
            for e in view.events
        ],
        materials=[
            StaffMaterial(
                type=m.material_type,
                source=m.source,
                upload_id=m.upload_id,
                shared_ref=m.shared_ref,
                supplement=m.supplement,
                added_at=shanghai(m.created_at) or "",
            )
            for m in view.materials
        ],
        children=[
            StaffChild(
                number=child.number,
                item_code=child.item_code,
                item_name=name,
                status=child.status,
                status_label=STATUS_LABELS[Status(child.status)],
                department_code=child.department,
                deadline=c.deadline.isoformat() if c.deadline else None,
                working_days_left=c.working_days_left,
            )
            for child, name, c in view.children
        ]
        or None,
        supplement=supplement,
        result=_result(view.events),
        claim=ClaimOut(
            staff=PersonRef(claim.staff_id, staff.get(claim.staff_id)),
            claimed_at=shanghai(claim.claimed_at) or "",
            expires_at=shanghai(claim.expires_at) or "",
            mine=claim.staff_id == viewer_id,
        )
        if claim
        else None,
        later=[later_out(i) for i in view.later],
    )
