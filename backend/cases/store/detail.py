"""The reads behind a case page and a list page, each in one connection checkout."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend import db
from backend.cases.store import cases, evaluations, events, later, materials
from backend.cases.store.cases import CaseRecord, ChildClock
from backend.cases.store.events import EventRecord, Step
from backend.cases.store.later import LaterItem
from backend.cases.store.materials import MaterialRecord, SupplementRecord


@dataclass(frozen=True, slots=True)
class Detail:
    events: list[EventRecord]
    materials: list[MaterialRecord]
    supplement: SupplementRecord | None = None
    scores: list[int] = field(default_factory=list)
    children: list[CaseRecord] = field(default_factory=list)
    child_steps: dict[int, list[Step]] = field(default_factory=dict)
    later: list[LaterItem] = field(default_factory=list)


async def detail(
    row: CaseRecord, *, with_supplement: bool, with_scores: bool, with_children: bool
) -> Detail:
    """The case's timeline, its (root's) materials and, when asked, its open supplement
    request, its ratings, and (a bundle's) its children with their clocks' steps and the items
    left for a window or an agent."""
    root_id = row.parent or row.id
    async with db.connection() as conn:
        timeline = await events.timeline(conn, row.id)
        papers = await materials.of_case(conn, root_id)
        supplement = await materials.open_supplement(conn, row.id) if with_supplement else None
        scores = await evaluations.scores(conn, row.id) if with_scores else []
        kids: list[CaseRecord] = []
        kid_steps: dict[int, list[Step]] = {}
        left: list[LaterItem] = []
        if with_children:
            kids = [cases.record(r) for r in await conn.fetch(cases.CHILDREN, row.id)]
            kid_steps = await events.steps([k.id for k in kids], conn)
            left = await later.of_case(conn, row.id)
    return Detail(timeline, papers, supplement, scores, kids, kid_steps, left)


@dataclass(frozen=True, slots=True)
class ListClocks:
    children: list[ChildClock]
    steps: dict[int, list[Step]]


async def list_clocks(case_ids: list[int], parent_ids: list[int]) -> ListClocks:
    """The children of the bundles among a list page's cases, and every clock step of both."""
    async with db.connection() as conn:
        children = await cases.children_of_cases(conn, parent_ids)
        steps = await events.steps(case_ids + [c.id for c in children], conn)
    return ListClocks(children, steps)
