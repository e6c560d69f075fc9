"""Reading cases: rows, what a citizen may see, the case with its timeline and clock, and
the names and clocks of a list page — each in a fixed, small number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from uuid import UUID

from backend.cases import clock, numbers
from backend.cases.states import CLOSED, Status
from backend.cases.store import cases as case_store
from backend.cases.store.cases import CaseItems, CaseListRow, CaseRecord
from backend.cases.store.detail import detail, list_clocks
from backend.cases.store.events import EventRecord, Step
from backend.cases.store.later import LaterItem
from backend.cases.store.materials import MaterialRecord, SupplementRecord
from backend.cases.transitions import clock_events
from backend.catalogue import service as catalogue
from backend.catalogue.model import merge_materials
from backend.clock import today
from backend.errors import NotFound
from backend.identity import service as identity


async def case_row(*, number: str) -> CaseRecord | None:
    if not numbers.looks_like_number(number):
        return None
    return await case_store.by_number(number)


async def citizen_may_see(*, number: str, citizen_id: str) -> bool:
    row = await case_row(number=number)
    return row is not None and str(row.applicant) == citizen_id


async def citizen_case(*, number: str, citizen_id: str) -> CaseRecord | None:
    """The case row if ``citizen_id`` is its applicant, else None (a stranger learns nothing)."""
    row = await case_row(number=number)
    return row if row is not None and str(row.applicant) == citizen_id else None


@dataclass(frozen=True, slots=True)
class CaseView:
    row: CaseRecord
    name: str
    events: list[EventRecord]
    materials: list[MaterialRecord]
    children: list[tuple[CaseRecord, str, clock.Clock]]
    supplement: SupplementRecord | None
    clock: clock.Clock
    evaluations: list[int]
    filed_by_name: str | None
    later: list[LaterItem] = field(default_factory=list)
    """A bundle's items its channel could not file: to do at a window or through an agent."""


async def name_of(row: CaseRecord | CaseListRow) -> str:
    if row.bundle_code:
        try:
            return (await catalogue.get_bundle(code=row.bundle_code)).spec.name
        except NotFound:
            return str(row.bundle_code)
    if row.item_version:
        return (await catalogue.get_item_version(version_id=row.item_version)).spec.name
    return row.item_code or ""


async def item_versions(row: CaseItems) -> list[catalogue.ItemView]:
    """The item versions the case (or each item of a bundle) was filed under."""
    if row.item_version is not None:
        return [await catalogue.get_item_version(version_id=row.item_version)]
    return [
        await catalogue.get_item_version(version_id=version)
        for version in await case_store.child_item_versions(row.id)
    ]


async def material_names(row: CaseItems) -> dict[str, str]:
    """Material type → the name the case's own item version(s) give it.

    A type means different papers in different items (申请表 is a 高龄津贴 form in one and a
    planning-permit form in another), so a name is only ever looked up in the case's items.
    """
    specs = merge_materials((v.spec.code, v.spec.materials) for v in await item_versions(row))
    return {m.type: m.name for m in specs}


def clock_of(
    events: list[Step] | list[EventRecord], committed_days: int, calendar: clock.Calendar
) -> clock.Clock:
    return clock.compute(
        clock_events(events), committed_days=committed_days, calendar=calendar, today=today()
    )


def latest_deadline(
    own: clock.Clock, children: list[tuple[CaseRecord, str, clock.Clock]]
) -> clock.Clock:
    """A bundle's deadline is its children's latest."""
    deadlines = [c for _, _, c in children if c.deadline is not None]
    return max(deadlines, key=lambda c: c.deadline or date.min) if deadlines else own


async def filed_by_name(row: CaseRecord) -> str | None:
    if not row.filed_by_staff:
        return None
    account = await identity.get_staff_account(staff_id=str(row.filed_by_staff))
    return account.display_name if account else None


async def filer_names(*, rows: list[CaseListRow]) -> dict[UUID, str]:
    """The display names of the staff who filed the cases of a list page (one read per filer)."""
    names: dict[UUID, str] = {}
    for staff in {r.filed_by_staff for r in rows if r.filed_by_staff}:
        account = await identity.get_staff_account(staff_id=str(staff))
        if account:
            names[staff] = account.display_name
    return names


async def view(*, row: CaseRecord, calendar: clock.Calendar) -> CaseView:
    """The case with its timeline, materials, children and clock, in as few reads as it needs.

    An open supplement request is read only while the case awaits one, and ratings only once
    it is closed: neither can exist otherwise (the state machine sees to that).
    """
    status = Status(row.status)
    found = await detail(
        row,
        with_supplement=status == Status.AWAITING_SUPPLEMENT,
        with_scores=status in CLOSED,
        with_children=bool(row.bundle_code) and row.parent is None,
    )
    children = [
        (
            kid,
            await name_of(kid),
            clock_of(found.child_steps[kid.id], kid.committed_days, calendar),
        )
        for kid in found.children
    ]
    own_clock = latest_deadline(clock_of(found.events, row.committed_days, calendar), children)
    return CaseView(
        row,
        await name_of(row),
        found.events,
        found.materials,
        children,
        found.supplement,
        own_clock,
        found.scores,
        await filed_by_name(row),
        found.later,
    )


async def list_for_citizen(
    *, citizen_id: str, page: int, page_size: int
) -> tuple[list[CaseListRow], int]:
    """The citizen's cases (bundles as one entry), newest first — including those filed for them.

    Rows carry the columns a list shows, not the whole case.
    """
    return await case_store.my_cases(
        citizen_id=citizen_id, limit=page_size, offset=(page - 1) * page_size
    )


Listed = TypeVar("Listed", CaseRecord, CaseListRow)


async def summaries(
    *, rows: list[Listed], calendar: clock.Calendar
) -> list[tuple[Listed, str, clock.Clock]]:
    """Name and clock of each case of a list page, in a fixed number of queries (no N+1).

    A bundle's clock is its children's latest deadline, as in the detail view.
    """
    if not rows:
        return []
    parent_ids = [r.id for r in rows if r.bundle_code and r.parent is None]
    clocks = await list_clocks([r.id for r in rows], parent_ids)
    children, events = clocks.children, clocks.steps

    snap = await catalogue.snapshot()
    out = []
    for row in rows:
        if row.bundle_code:
            bundle = snap.bundles.get(row.bundle_code)
            name = bundle.name if bundle else row.bundle_code
        else:
            current = snap.items.get(row.item_code or "")
            name = current.spec.name if current else await name_of(row)
        own = clock_of(events[row.id], row.committed_days, calendar)
        kids = [
            clock_of(events[c.id], c.committed_days, calendar)
            for c in children
            if c.parent == row.id
        ]
        dated = [k for k in kids if k.deadline is not None]
        if dated:
            own = max(dated, key=lambda k: k.deadline or date.min)
        out.append((row, name, own))
    return out
