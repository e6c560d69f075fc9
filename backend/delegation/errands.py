"""The cases an agent filed: their standing, and what each needs from the agent now.

Standing (DESIGN.md rule 4): an agent reads a case they filed while its mandate is live, and
afterwards only while they still hold something of it (paper originals not yet received at the
township, or a result not yet handed to the citizen); acting needs a live mandate.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.cases import clock as case_clock
from backend.cases import filing as cases
from backend.cases import views as case_views
from backend.cases.states import Status
from backend.cases.store import custody as case_store
from backend.cases.store import locks
from backend.cases.store.cases import CaseRecord
from backend.delegation import custody as custody_mod
from backend.delegation import mandates, texts
from backend.delegation.custody import Custody
from backend.delegation.scope import Agent
from backend.errors import NotAllowed
from backend.identity.store import agents


@dataclass(frozen=True, slots=True)
class Need:
    kind: str  # supply_materials | bring_originals | bring_missing | pick_up_result | hand_over
    case_number: str
    detail: list[str]

    @property
    def text(self) -> str:
        return texts.NEEDS[self.kind].format(detail="、".join(self.detail))


async def readable_case(*, number: str, agent: Agent) -> CaseRecord | None:
    """The case when this agent may read it now, else None (the route answers 404)."""
    row = await case_views.case_row(number=number)
    if row is None or str(row.filed_by_staff or "") != agent.id:
        return None
    if await mandates.is_live(row.mandate_id):
        return row
    root = row
    if row.parent is not None:
        root = await case_store.case_by_id(row.parent) or row
    family = [root, *await case_store.children([root.id])]
    held = await custody_mod.custody_by_case(family)
    return row if any(c.holds_something for c in held.values()) else None


async def require_live_mandate(row: CaseRecord) -> str:
    """Acting on a filed case (answering a supplement) needs its mandate to be live still; the
    mandate's id."""
    found = await mandates.get(row.mandate_id or "")
    status = mandates.effective_status(found) if found else "revoked"
    if found is None or status != mandates.LIVE:
        raise NotAllowed(texts.NOT_LIVE[status], code="mandate_required", extra={"reason": status})
    return found.id


def _needs(
    family: list[CaseRecord],
    custody: dict[int, Custody],
    open_supplements: dict[int, list[str]],
) -> list[Need]:
    out: list[Need] = []
    root = family[0]
    c = custody[root.id]
    if c.originals_to_send:
        out.append(Need("bring_originals", root.number, c.originals_to_send))
    if c.originals_missing:
        out.append(Need("bring_missing", root.number, c.originals_missing))
    for row in family:
        if row.status == Status.AWAITING_SUPPLEMENT.value:
            out.append(Need("supply_materials", row.number, open_supplements.get(row.id, [])))
        here = custody[row.id]
        if here.result_in_transit:
            out.append(Need("pick_up_result", row.number, []))
        if here.result_with_agent:
            out.append(Need("hand_over", row.number, []))
    return out


@dataclass(frozen=True, slots=True)
class Errand:
    row: CaseRecord
    name: str
    children: list[CaseRecord]
    needs: list[Need]
    custody: Custody
    clock: case_clock.Clock
    citizen_name: str
    mandate_live: bool


async def errands(
    *, agent: Agent, open_only: bool, page: int, page_size: int, calendar: case_clock.Calendar
) -> tuple[list[Errand], int]:
    """The agent's filed cases (bundles as one entry), open ones by deadline, then newest."""
    roots, total = await case_store.filed_roots(
        agent_id=agent.id, open_only=open_only, page=page, page_size=page_size
    )
    names = {str(r.case.applicant): r.citizen_name for r in roots}
    found, _ = await errands_for_roots(
        agent=agent, roots=[r.case for r in roots], calendar=calendar, names=names
    )
    return found, total


async def errands_for_roots(
    *,
    agent: Agent,
    roots: list[CaseRecord],
    calendar: case_clock.Calendar,
    names: dict[str, str] | None = None,
) -> tuple[list[Errand], int]:
    """Errands for these root cases (singles and bundle parents) of the agent; ``names`` (citizen
    id → name) saves looking up the citizens' names when the caller has them."""
    if names is None:
        names = await agents.names_by_id([str(r.applicant) for r in roots])
    kids = await case_store.children([r.id for r in roots])
    family_of: dict[int, list[CaseRecord]] = {r.id: [r] for r in roots}
    for kid in kids:
        if kid.parent is not None:
            family_of[kid.parent].append(kid)
    everyone = [row for fam in family_of.values() for row in fam]
    custody = await custody_mod.custody_by_case(everyone)
    supplements = await case_store.open_supplements([r.id for r in everyone])
    live = await mandates.live_among([r.mandate_id for r in roots if r.mandate_id])
    out = []
    summed = await case_views.summaries(rows=[family_of[r.id][0] for r in roots], calendar=calendar)
    for row, name, shown in summed:
        family = family_of[row.id]
        out.append(
            Errand(
                row=row,
                name=name,
                children=family[1:],
                needs=_needs(family, custody, supplements),
                custody=custody[row.id],
                clock=shown,
                citizen_name=names.get(str(row.applicant), ""),
                mandate_live=row.mandate_id in live,
            )
        )
    return out, len(out)


async def case_by_id(case_id: int) -> CaseRecord:
    row = await case_store.case_by_id(case_id)
    if row is None:
        raise cases.not_found()
    return row


async def lock_family(row: CaseRecord) -> None:
    """Lock a case for a custody step, a bundle's parent before its child (the parent settles
    with it): :func:`backend.cases.store.locks.lock_family`, the one locking order."""
    await locks.lock_family(int(row.id))
