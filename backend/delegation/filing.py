"""Filing a case on a citizen's behalf (代办): under a live mandate covering the item.

The case goes through the same ``cases.filing.prepare``/``create`` as the citizen's own
submission: applicant = the citizen, filed by the agent (``agent``, or ``bank`` for a 政银通
outlet clerk) under the mandate; the paper originals the agent collected are listed. The
citizen sees the case in the mini-program and is told of it as if they had filed it.
"""

from __future__ import annotations

from backend.cases import filing as cases
from backend.cases import submission
from backend.cases.filing import Submitter
from backend.cases.ports import SharedData
from backend.cases.schemas import CaseSubmission
from backend.delegation import mandates
from backend.delegation.scope import Agent


def submitter(*, agent: Agent, citizen_id: str, mandate_id: str) -> Submitter:
    return Submitter(
        applicant_id=citizen_id,
        actor=agent.actor(citizen_id),
        channel=agent.kind,
        filed_by_kind=agent.kind,
        filed_by_staff=agent.id,
        mandate_id=mandate_id,
        upload_owner_kind="staff",
        upload_owner_id=agent.id,
        in_person=agent.kind == "bank",  # the citizen came to the outlet; an agent goes to them
    )


async def prepare(
    *, agent: Agent, mandate_id: str, body: CaseSubmission, shared_data: SharedData
) -> tuple[submission.Plan, Submitter]:
    """Check the mandate first (a stranger's mandate is 404, a dead one 403), then the rest."""
    items, bundle_code, _ = await submission.resolve_items(
        item_code=body.item_code, bundle_code=body.bundle_code
    )
    mandate = await mandates.require_live(
        mandate_id=mandate_id,
        agent=agent,
        citizen_id=None,
        item_codes=[v.spec.code for v in items] if bundle_code is None else [],
        bundle_code=bundle_code,
    )
    by = submitter(agent=agent, citizen_id=mandate.citizen_id, mandate_id=mandate.id)
    plan = await cases.prepare(body=body, by=by, shared_data=shared_data)
    return plan, by


async def create(*, plan: submission.Plan, by: Submitter) -> str:
    """Write the case; in the caller's transaction. The mandate is read again under a share
    lock, so a revocation that commits between ``prepare`` and now is seen (and one that comes
    later waits for this case to exist). Returns the case number."""
    assert by.mandate_id is not None
    await mandates.hold_live(mandate_id=by.mandate_id)
    return await cases.create(plan=plan, by=by)
