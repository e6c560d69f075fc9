"""What a notice states, read when it is rendered: the clock as it stood when it was issued,
the applicant's name, the step's reason and missing materials (by the item's own names), the
township's window and how the result was delivered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.cases import clock
from backend.cases.states import Action
from backend.cases.store import custody as case_reads
from backend.cases.store import events as case_events
from backend.cases.store import notices as case_steps
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import clock_events
from backend.cases.views import material_names
from backend.clock import SHANGHAI
from backend.geo.store import areas
from backend.identity.store import citizens
from backend.notices import model, render, texts
from backend.notices.store import NoticeRow
from backend.workdays.service import load_calendar


async def district_of(township: str | None) -> tuple[str, str]:
    """(township name, district name) of a township code; empty strings when unknown."""
    if not township:
        return "", ""
    found = await areas.area(township)
    if found is None:
        return "", ""
    district = await areas.area(found.parent_code) if found.parent_code else None
    return found.name, district.name if district else ""


async def of_notice(notice: NoticeRow, case: CaseRecord) -> render.NoticeFacts:
    """Everything the notice ``notice`` of the item case ``case`` states."""
    calendar = await load_calendar()
    # The clock as it stood when the notice was issued: later steps do not rewrite it.
    steps = [s for s in (await case_events.steps([case.id]))[case.id] if s.at <= notice.issued_at]
    computed = clock.compute(
        clock_events(steps),
        committed_days=case.committed_days,
        calendar=calendar,
        today=notice.issued_at.astimezone(SHANGHAI).date(),
    )
    step = await case_steps.step(notice.event)
    received_on = case.created_at.astimezone(SHANGHAI).date()
    issued_on = notice.issued_at.astimezone(SHANGHAI).date()
    names = await citizens.names(citizen_ids=[str(case.applicant)])
    township, district = await district_of(case.township)
    delivery = await _delivery(notice, case)
    accepted_on = computed.accepted_on
    before_acceptance = not any(s.action == Action.ACCEPT.value for s in steps)
    return render.NoticeFacts(
        notice=notice,
        case_number=case.number,
        applicant=names.get(str(case.applicant)) or "申请人",
        received_on=received_on,
        issued_on=issued_on,
        accepted_on=accepted_on,
        # Pauses for supplements so far included: a late 补正 dates acceptance back to receipt,
        # and the days waiting for the applicant do not count.
        deadline=computed.deadline,
        committed_days=case.committed_days,
        missing=await _material_names(case, step.missing if step is not None else ()),
        reason=await case_steps.step_note(notice.event),
        # The five-day rule speaks only of a supplement asked before acceptance; one asked
        # while the case is being processed says so and that the wait does not count.
        late_supplement=before_acceptance
        and clock.late_supplement(received_on, issued_on, calendar),
        after_acceptance=not before_acceptance,
        delivery=delivery.method,
        reconsideration_organ=texts.RECONSIDERATION_ORGAN.format(district=district or "区"),
        township=township,
        tracking_no=delivery.tracking_no,
        collector=delivery.collector,
        collector_checked=delivery.collector_checked,
    )


@dataclass(frozen=True, slots=True)
class _Delivery:
    method: str
    tracking_no: str | None = None
    collector: str | None = None
    collector_checked: bool = False


async def _delivery(notice: NoticeRow, case: CaseRecord) -> _Delivery:
    """How the result went out, as the 送达 step (the notice's own step) recorded it: the
    method, a mail's waybill, the collector's name and whether their ID card was checked —
    the step never kept their ID number, and the notice prints none."""
    data = await case_steps.step_data(notice.event) if notice.kind == model.COMPLETION else {}
    method = str(data.get("method") or case.delivery_method)
    found = data.get("collector")
    collector: dict[str, Any] = found if isinstance(found, dict) else {}
    return _Delivery(
        method=texts.DELIVERY.get(method, method),
        tracking_no=str(data.get("tracking_no") or "") or None,
        collector=str(collector.get("name") or "") or None,
        collector_checked=bool(collector.get("id_checked")),
    )


async def _material_names(case: CaseRecord, types: Iterable[str]) -> tuple[str, ...]:
    """Each missing material by the name the case's own item gives it (申请人有效居民身份证, not
    身份证). A bundle's 补正 names materials of every item; a type this item does not ask for
    takes the bundle's name for it, else stays as the clerk named it."""
    names = await material_names(case)
    if case.parent is not None:
        parent = await case_reads.case_by_id(case.parent)
        if parent is not None:
            names = {**await material_names(parent), **names}
    return tuple(names.get(t, t) for t in types)
