"""The citizen's case use cases: submit, withdraw, answer a supplement, read a material, rate,
and read their cases. Each opens its own transaction (submission runs idempotency through
``run_once``) and calls the in-transaction steps of ``filing`` and ``actions``, which the window,
agents and bank outlets use too.
"""

from __future__ import annotations

import msgspec

from backend.audit.service import Actor as AuditActor
from backend.audit.service import AuditLog
from backend.cases import clock, present, submission, views
from backend.cases.actions import evaluate, material_link, supply, withdraw
from backend.cases.filing import (
    citizen_submitter,
    kiosk_submitter,
    not_found,
    prepare,
    submit,
)
from backend.cases.ports import SharedData
from backend.cases.schemas import (
    CaseForCitizen,
    CaseSubmission,
    CitizenCasePage,
    EvaluationIn,
    MaterialLink,
    SupplementIn,
)
from backend.cases.store.cases import CaseRecord
from backend.idempotency.service import Answer, Claim, run_once
from backend.outbox.service import Doorbell, unit_of_work
from backend.settings import Settings
from backend.workdays.service import load_calendar


async def _own_row(number: str) -> CaseRecord:
    row = await views.case_row(number=number)
    if row is None:
        raise not_found()
    return row


async def case_for_citizen(*, number: str, row: CaseRecord | None = None) -> CaseForCitizen:
    """The case as its applicant sees it (``row``: the case row already read, if any)."""
    calendar = await load_calendar()
    return present.for_citizen(
        await views.view(row=row or await _own_row(number), calendar=calendar)
    )


async def cases_of_citizen(*, citizen_id: str, page: int, page_size: int) -> CitizenCasePage:
    """A page of the citizen's cases, newest first, with their names and deadlines."""
    rows, total = await views.list_for_citizen(
        citizen_id=citizen_id, page=page, page_size=page_size
    )
    calendar = await load_calendar()
    filers = await views.filer_names(rows=rows)
    items = [
        present.summary(
            row,
            name,
            shown.deadline.isoformat() if shown.deadline else None,
            shown.working_days_left,
            filers.get(row.filed_by_staff) if row.filed_by_staff else None,
        )
        for row, name, shown in await views.summaries(rows=rows, calendar=calendar)
    ]
    return CitizenCasePage(items=items, total=total)


async def submit_own_case(
    *,
    body: CaseSubmission,
    citizen_id: str,
    claim: Claim | None,
    shared_data: SharedData,
    doorbell: Doorbell,
    ttl_s: int,
    terminal_point: str | None = None,
) -> Answer:
    """A citizen files for themselves: checked before the transaction, written in it, at most
    once per idempotency key (a retry answers the first answer).

    At a self-service terminal (``terminal_point``, the terminal's service point) the case is
    filed through channel ``self_service`` at that point, whatever point the body names.
    """
    by = citizen_submitter(citizen_id)
    if terminal_point is not None:
        by = kiosk_submitter(citizen_id)
        body = msgspec.structs.replace(body, service_point_id=terminal_point)

    async def checked() -> tuple[submission.Plan, clock.Calendar]:
        plan = await prepare(body=body, by=by, shared_data=shared_data)
        return plan, await load_calendar()

    async def filed(ready: tuple[submission.Plan, clock.Calendar]) -> CaseForCitizen:
        plan, calendar = ready
        return present.for_citizen(await submit(plan=plan, by=by, calendar=calendar))

    return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, prepare=checked, create=filed)


async def withdraw_own_case(*, number: str, citizen_id: str, doorbell: Doorbell) -> CaseForCitizen:
    """The applicant withdraws their case before acceptance; answers the case afterwards."""
    calendar = await load_calendar()
    actor = citizen_submitter(citizen_id).actor
    async with unit_of_work(doorbell):
        await withdraw(row=await _own_row(number), actor=actor, calendar=calendar)
    return await case_for_citizen(number=number)


async def supply_own_case(
    *, number: str, citizen_id: str, body: SupplementIn, doorbell: Doorbell
) -> CaseForCitizen:
    """The applicant answers the open supplement request; answers the case afterwards."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        await supply(
            row=await _own_row(number),
            materials=body.materials,
            note=body.note,
            by=citizen_submitter(citizen_id),
            calendar=calendar,
        )
    return await case_for_citizen(number=number)


async def material_link_of_own_case(
    *,
    number: str,
    citizen_id: str,
    upload_id: str,
    audit: AuditLog,
    settings: Settings,
    doorbell: Doorbell,
) -> MaterialLink:
    """A short-lived link to one of the applicant's own materials, audited."""
    reader = AuditActor("citizen", citizen_id, on_behalf_of=citizen_id)
    async with unit_of_work(doorbell):
        url = await material_link(
            row=await _own_row(number),
            upload_id=upload_id,
            reader=reader,
            audit=audit,
            settings=settings,
        )
    return MaterialLink(url=url, expires_in=settings.signed_url_ttl_s)


async def rate_own_case(
    *, number: str, citizen_id: str, body: EvaluationIn, doorbell: Doorbell
) -> CaseForCitizen:
    """The applicant rates their closed case; answers the case afterwards."""
    async with unit_of_work(doorbell):
        await evaluate(
            row=await _own_row(number),
            citizen_id=citizen_id,
            score=body.score,
            comment=body.comment or "",
        )
    return await case_for_citizen(number=number)
