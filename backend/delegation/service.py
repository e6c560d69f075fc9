"""Use cases of the delegation context: what the API handlers and the agent desk's pages call.

Each write is one keyword-only function that opens its own unit of work; those the API makes
idempotent take the request's ``claim`` and run through
:func:`backend.idempotency.service.run_once` (a page passes its form's claim, or ``None``).
They raise domain errors only. The ``*_out`` readers present a case, a batch or a mandate the way
every audience of this context sees it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeAlias, TypeVar

from backend.cases import actions as case_actions
from backend.cases import filing as cases
from backend.cases import present as case_present
from backend.cases import views as case_views
from backend.cases.filing import Submitter
from backend.cases.ports import SharedData
from backend.cases.schemas import CaseForCitizen, CaseSubmission, MaterialIn
from backend.cases.submission import Plan
from backend.cases.transitions import Actor
from backend.delegation import citizens, custody, errands, filing, mandates, present, referrals
from backend.delegation.events import TAKEOVER_REFUSED_EVENT, takeover_refused_payload
from backend.delegation.schemas import (
    AgentCaseOut,
    CitizenOut,
    HandoverOut,
    MandateOut,
    SpotCheckOut,
)
from backend.delegation.scope import Agent
from backend.delegation.store import villagers as villagers_store
from backend.idempotency.service import Answer, Claim, run_once
from backend.identity.offline import Applicant
from backend.identity.ports import IdentityVerifier
from backend.identity.texts import TAKEOVER_REFUSED
from backend.outbox.service import Doorbell, publish, unit_of_work
from backend.security.fieldcrypt import FieldCipher
from backend.workdays.service import load_calendar

T = TypeVar("T")

Given: TypeAlias = "T | Callable[[], Awaitable[T]]"
"""A value, or what produces it before the transaction (a page saving chosen photos first)."""


async def _given(value: Given[T]) -> T:
    if callable(value):
        return await value()
    return value


# --- reading ----------------------------------------------------------------------------------


async def case_out(*, number: str, agent: Agent) -> AgentCaseOut:
    """A filed case as its agent sees it: the citizen's view, the mandate, needs and custody."""
    row = await case_views.case_row(number=number)
    if row is None:
        raise cases.not_found()
    calendar = await load_calendar()
    view = await case_views.view(row=row, calendar=calendar)
    root = row if row.parent is None else await errands.case_by_id(row.parent)
    page, _ = await errands.errands_for_roots(agent=agent, roots=[root], calendar=calendar)
    errand = page[0]
    return AgentCaseOut(
        case=case_present.for_citizen(view),
        mandate_id=row.mandate_id,
        mandate_live=errand.mandate_live,
        needs=[present.need(n) for n in errand.needs if n.case_number == number]
        if row.parent is not None
        else [present.need(n) for n in errand.needs],
        custody=present.custody(errand.custody),
    )


async def batch_out(*, handover_id: str) -> HandoverOut:
    found = await custody.batch(handover_id)
    if found is None:
        raise custody.not_found()
    return present.handover(found, await custody.lines(handover_id))


async def mandate_out(*, mandate_id: str) -> MandateOut:
    row = await mandates.get(mandate_id)
    if row is None:
        raise mandates.not_found()
    return await present.mandate(row)


async def spot_check_out(*, mandate_id: str) -> SpotCheckOut:
    row = await mandates.get(mandate_id)
    if row is None:
        raise mandates.not_found()
    return await present.spot_check(row)


# --- villagers --------------------------------------------------------------------------------


async def register_citizen(
    *,
    agent: Agent,
    applicant: Applicant,
    claim: Claim | None,
    verifier: IdentityVerifier | None,
    cipher: FieldCipher,
    doorbell: Doorbell | None,
    ttl_s: int,
) -> Answer:
    """A villager found or registered (body: ``CitizenOut``). A number held elsewhere and not
    verified is referred to the township in its own transaction before the 409 is raised."""
    prepared = await citizens.prepare(agent=agent, applicant=applicant, verifier=verifier)

    async def create() -> CitizenOut:
        found = await citizens.register(agent=agent, prepared=prepared, cipher=cipher)
        rows, _ = await citizens.search(agent=agent, q="", page=1, page_size=1, only=found.id)
        return present.citizen(rows[0])

    try:
        return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, create=create)
    except citizens.ReferredToTownship as referred:
        await citizens.refer(agent=agent, referred=referred)
        raise


# --- mandates ---------------------------------------------------------------------------------


async def record_mandate(
    *,
    agent: Agent,
    citizen_id: str,
    item_codes: list[str],
    bundle_code: str | None,
    expires_on: date,
    evidence: Given[list[str]],
    claim: Claim | None,
    max_days: int,
    spot_check_rate: float,
    doorbell: Doorbell | None,
    ttl_s: int,
) -> Answer:
    """Record a mandate (body: ``MandateOut``): active at once on paper evidence, else pending
    until the citizen confirms."""

    async def prepare() -> list[str]:
        return await _given(evidence)

    async def create(evidence_upload_ids: list[str]) -> MandateOut:
        mandate_id = await mandates.create(
            agent=agent,
            citizen_id=citizen_id,
            item_codes=item_codes,
            bundle_code=bundle_code,
            expires_on=expires_on,
            evidence_upload_ids=evidence_upload_ids,
            max_days=max_days,
            spot_check_rate=spot_check_rate,
        )
        return await mandate_out(mandate_id=mandate_id)

    return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, prepare=prepare, create=create)


async def confirm_mandate(*, mandate_id: str, citizen_id: str, doorbell: Doorbell | None) -> None:
    async with unit_of_work(doorbell):
        await mandates.confirm(mandate_id=mandate_id, citizen_id=citizen_id)


async def refuse_mandate(*, mandate_id: str, citizen_id: str, doorbell: Doorbell | None) -> None:
    async with unit_of_work(doorbell):
        await mandates.refuse(mandate_id=mandate_id, citizen_id=citizen_id)


async def revoke_mandate(*, mandate_id: str, citizen_id: str, doorbell: Doorbell | None) -> None:
    async with unit_of_work(doorbell):
        await mandates.revoke(mandate_id=mandate_id, citizen_id=citizen_id)


async def spot_check(
    *, mandate_id: str, ok: bool, note: str, by: str, area_code: str, doorbell: Doorbell | None
) -> None:
    """A supervisor's verdict on a sampled paper mandate within their area."""
    async with unit_of_work(doorbell):
        await mandates.spot_check(
            mandate_id=mandate_id, ok=ok, note=note, by=by, area_code=area_code
        )


# --- cases filed on a citizen's behalf --------------------------------------------------------


async def file_case(
    *,
    agent: Agent,
    mandate_id: str,
    body: Given[CaseSubmission],
    claim: Claim | None,
    shared_data: SharedData,
    doorbell: Doorbell | None,
    ttl_s: int,
) -> Answer:
    """File a case for the mandate's citizen (body: ``CaseForCitizen``): the mandate is checked
    first (a stranger's is 404, a dead one 403), then the submission as the citizen's own."""

    async def prepare() -> tuple[Plan, Submitter]:
        return await filing.prepare(
            agent=agent, mandate_id=mandate_id, body=await _given(body), shared_data=shared_data
        )

    async def create(ready: tuple[Plan, Submitter]) -> CaseForCitizen:
        number = await filing.create(plan=ready[0], by=ready[1])
        calendar = await load_calendar()
        row = await case_views.case_row(number=number)
        assert row is not None
        return case_present.for_citizen(await case_views.view(row=row, calendar=calendar))

    return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, prepare=prepare, create=create)


async def supply(
    *,
    agent: Agent,
    number: str,
    materials: list[MaterialIn],
    note: str,
    doorbell: Doorbell | None,
) -> None:
    """Answer a case's supplement for the citizen; its mandate must still be live."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        row = await case_views.case_row(number=number)
        if row is None:
            raise cases.not_found()
        mandate_id = await errands.require_live_mandate(row)
        by = filing.submitter(agent=agent, citizen_id=str(row.applicant), mandate_id=mandate_id)
        await case_actions.supply(row=row, materials=materials, note=note, by=by, calendar=calendar)


# --- custody ----------------------------------------------------------------------------------


async def hand_over_to_citizen(
    *, agent: Agent, number: str, photo_upload_id: str, doorbell: Doorbell | None
) -> None:
    """The agent gave the result to the citizen (the photo is the proof): the case is delivered,
    and a bundle's parent settles with it — so the parent is locked before the child."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        row = await case_views.case_row(number=number)
        if row is None:
            raise cases.not_found()
        await errands.lock_family(row)
        row = await case_views.case_row(number=number)
        assert row is not None
        await custody.hand_over_to_citizen(
            agent=agent, row=row, photo_upload_id=photo_upload_id, calendar=calendar
        )


async def send_originals(
    *,
    agent: Agent,
    numbers: list[str],
    limit: int,
    claim: Claim | None,
    doorbell: Doorbell | None,
    ttl_s: int,
) -> Answer:
    """A batch of the paper originals the agent holds for these cases (body: ``HandoverOut``)."""

    async def create() -> HandoverOut:
        handover_id = await custody.send_originals(agent=agent, numbers=numbers, limit=limit)
        return await batch_out(handover_id=handover_id)

    return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, create=create)


async def send_results(
    *,
    township_code: str,
    clerk: Actor,
    numbers: list[str],
    limit: int,
    claim: Claim | None,
    doorbell: Doorbell | None,
    ttl_s: int,
) -> Answer:
    """A batch of results for the agent who filed these cases (body: ``HandoverOut``)."""

    async def create() -> HandoverOut:
        handover_id = await custody.send_results(
            township_code=township_code, clerk=clerk, numbers=numbers, limit=limit
        )
        return await batch_out(handover_id=handover_id)

    return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, create=create)


async def receive_batch(
    *,
    handover_id: str,
    direction: str,
    actor: Actor,
    missing: dict[str, list[str]],
    doorbell: Doorbell | None,
) -> None:
    """Confirm a batch arrived, with what was missing (the caller checked who may)."""
    async with unit_of_work(doorbell):
        await custody.receive(
            handover_id=handover_id, direction=direction, actor=actor, missing=missing
        )


# --- referrals --------------------------------------------------------------------------------


async def resolve_referral(
    *,
    referral_id: str,
    township: str,
    staff_id: str,
    outcome: str,
    note: str,
    doorbell: Doorbell | None,
) -> None:
    """Settle a pending referral of this township after checking the person's papers."""
    referrals.check_resolution(outcome=outcome, note=note)
    async with unit_of_work(doorbell):
        await referrals.resolve(
            referral_id=referral_id,
            township=township,
            staff_id=staff_id,
            outcome=outcome,
            note=note,
        )


async def takeover_refused(registered_id: str, account_id: str, reason: str) -> None:
    """Tell the agent who registered the villager that a WeChat account could not take the
    record over, and why (shown in the agent's citizen list; an outbox event for messages).

    Identity calls it (a registered listener) on the refusal's error path, outside any request's
    transaction and without a doorbell: the outbox sweeper delivers the event within seconds."""
    async with unit_of_work(None):
        agent_id = await villagers_store.note_takeover_refused(
            citizen_id=registered_id, reason=TAKEOVER_REFUSED[reason]
        )
        if agent_id is not None:
            await publish(
                kind=TAKEOVER_REFUSED_EVENT,
                payload=takeover_refused_payload(
                    citizen_id=registered_id, agent_id=agent_id, reason=reason
                ),
                dedup_key=None,
            )
