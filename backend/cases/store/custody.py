"""What the delegation context reads and writes of the case tables: cases an agent filed, their
paper originals, custody steps on the timeline, and results waiting to go back to an agent.

Whole case rows are :class:`~backend.cases.store.cases.CaseRecord`, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend import clock, db
from backend.cases.store.cases import C_COLUMNS, COLUMNS, CaseRecord, record
from backend.cases.tables import CaseEvent, Supplement
from backend.cases.transitions import Actor


@dataclass(frozen=True, slots=True)
class ResultToSend:
    """A result ready for a citizen who chose delivery through the agent who filed the case."""

    id: int
    number: str
    item_code: str | None
    bundle_code: str | None
    parent: int | None
    status: str
    agent_id: str
    agent_name: str | None
    applicant_name: str | None
    applicant_id_masked: str | None


_BY_NUMBERS = f"SELECT {COLUMNS} FROM case_record WHERE number = ANY($1::text[]) ORDER BY id"  # noqa: S608
_BY_ID = f"SELECT {COLUMNS} FROM case_record WHERE id = $1"  # noqa: S608
_CHILDREN = f"SELECT {COLUMNS} FROM case_record WHERE parent = ANY($1::bigint[]) ORDER BY number"  # noqa: S608


async def cases_by_number(numbers: list[str], *, lock: bool) -> dict[str, CaseRecord]:
    """These cases by number (locked in id order when ``lock``)."""
    rows = await db.fetch(_BY_NUMBERS + (" FOR UPDATE" if lock else ""), numbers)
    return {r["number"]: record(r) for r in rows}


async def case_by_id(case_id: int) -> CaseRecord | None:
    row = await db.fetchrow(_BY_ID, case_id)
    return record(row) if row is not None else None


async def children(root_ids: list[int]) -> list[CaseRecord]:
    """The child cases of these bundle parents, by number."""
    if not root_ids:
        return []
    return [record(r) for r in await db.fetch(_CHILDREN, root_ids)]


async def paper_materials(case_ids: list[int]) -> dict[int, list[str]]:
    """The material types each case's agent collected on paper."""
    if not case_ids:
        return {}
    rows = await db.fetch(
        'SELECT "case" AS case_id, material_type FROM case_material'
        " WHERE source = 'paper' AND \"case\" = ANY($1::bigint[]) ORDER BY id",
        case_ids,
    )
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(r["case_id"], []).append(r["material_type"])
    return out


async def add_custody_event(
    *, case_id: int, status: str, action: str, actor: Actor, note: str, data: Any
) -> None:
    """A custody step on the case's timeline; the status stays what it is."""
    await CaseEvent.insert(
        CaseEvent(
            case=case_id,
            at=clock.now_utc(),
            action=action,
            from_status=status,
            to_status=status,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_role=actor.role,
            on_behalf_of=actor.on_behalf_of,
            channel=actor.channel,
            note=note,
            data=data,
        )
    ).run()


async def open_supplements(case_ids: list[int]) -> dict[int, list[str]]:
    """The material types each case's open supplement asks for."""
    if not case_ids:
        return {}
    rows = (
        await Supplement.select(Supplement.case, Supplement.missing)
        .where(Supplement.case.is_in(case_ids) & Supplement.answered_at.is_null())
        .order_by(Supplement.id)
        .run()
    )
    return {r["case"]: list(r["missing"]) for r in rows}


@dataclass(frozen=True, slots=True)
class FiledRoot:
    """A case an agent filed (a bundle's parent or a single case) and the citizen's name."""

    case: CaseRecord
    citizen_name: str


async def filed_roots(
    *, agent_id: str, open_only: bool, page: int, page_size: int
) -> tuple[list[FiledRoot], int]:
    """The agent's filed cases (bundle parents and singles, with the citizen's name), open ones
    by deadline, then newest; one page, and how many there are."""
    counted = await db.fetchrow(
        "SELECT count(*) AS n FROM case_record c WHERE c.filed_by_staff = $1::uuid"
        " AND c.restricted_at IS NULL AND c.parent IS NULL AND (NOT $2 OR c.closed_at IS NULL)",
        agent_id,
        open_only,
    )
    rows = await db.fetch(
        f"SELECT {C_COLUMNS}, a.name AS citizen_name FROM case_record c"  # noqa: S608
        " JOIN citizen a ON a.id = c.applicant"
        " WHERE c.filed_by_staff = $1::uuid AND c.restricted_at IS NULL AND c.parent IS NULL"
        " AND (NOT $2 OR c.closed_at IS NULL)"
        " ORDER BY (c.closed_at IS NULL) DESC, c.deadline NULLS LAST, c.created_at DESC, c.id"
        " LIMIT $3 OFFSET $4",
        agent_id,
        open_only,
        page_size,
        (page - 1) * page_size,
    )
    roots = [FiledRoot(record(r), r["citizen_name"]) for r in rows]
    return roots, int(counted["n"]) if counted else 0


_RESULTS_TO_SEND = (
    "SELECT c.id, c.number, c.item_code, c.bundle_code, c.parent, c.status,"
    " c.filed_by_staff::text AS agent_id, s.display_name AS agent_name,"
    " a.name AS applicant_name, a.id_number_masked AS applicant_id_masked,"
    " count(*) OVER () AS total"
    " FROM case_record c JOIN staff_user s ON s.id = c.filed_by_staff"
    " JOIN citizen a ON a.id = c.applicant"
    " WHERE c.township = $1 AND c.status = 'result_ready' AND c.delivery_method = 'agent'"
    " AND c.filed_by_kind IN ('agent', 'bank')"
    " AND NOT EXISTS (SELECT 1 FROM handover_line l JOIN handover h ON h.id = l.handover"
    "  WHERE l.case = c.id AND h.direction = 'to_village'"
    "  AND NOT (h.status = 'received' AND 'result' = ANY(l.missing)))"
    " ORDER BY s.display_name, c.filed_by_staff, c.number LIMIT $2 OFFSET $3"
)


async def results_to_send(
    *, township_code: str, page: int, page_size: int
) -> tuple[list[ResultToSend], int]:
    """Results ready in this township for delivery through the agent who filed the case, not yet
    in a batch (or found missing on arrival), by agent."""
    rows = await db.fetch(_RESULTS_TO_SEND, township_code, page_size, (page - 1) * page_size)
    total = int(rows[0]["total"]) if rows else 0
    return [ResultToSend(**{k: v for k, v in dict(r).items() if k != "total"}) for r in rows], total
