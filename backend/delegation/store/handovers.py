"""Handover batches (材料交接), their lines, and hand-overs to citizens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from backend import clock, db
from backend.delegation.tables import CitizenHandover, Handover, HandoverLine


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch, with the agent's and the township's names."""

    id: str
    code: str
    direction: str  # to_township | to_village
    agent_id: str
    agent_name: str
    township: str
    township_name: str
    status: str  # sent | received
    created_at: datetime
    received_at: datetime | None
    note: str


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """A batch in a list: its counts instead of its lines."""

    id: str
    code: str
    direction: str
    status: str
    township: str
    agent_name: str
    created_at: datetime
    received_at: datetime | None
    cases: int


@dataclass(frozen=True, slots=True)
class Line:
    """One case of a batch as its manifest shows it."""

    case_id: int
    number: str
    item_code: str | None
    item_version: int | None
    bundle_code: str | None
    status: str
    applicant_name: str | None
    applicant_id_masked: str | None
    items: list[str]
    missing: list[str]


@dataclass(frozen=True, slots=True)
class CaseLine:
    """A line of some batch holding this case: what a custody reckoning reads."""

    case_id: int
    items: list[str]
    missing: list[str]
    direction: str
    status: str


@dataclass(frozen=True, slots=True)
class Receiving:
    """A line of the batch being received, with its case's status and applicant."""

    line_id: int
    items: list[str]
    case_id: int
    number: str
    status: str
    applicant: str


@dataclass(frozen=True, slots=True)
class Locked:
    """A batch locked for receiving."""

    status: str
    code: str
    direction: str


def _uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def batch(handover_id: str) -> Batch | None:
    if not _uuid(handover_id):
        return None
    row = await db.fetchrow(
        "SELECT h.id::text AS id, h.code, h.direction, h.agent::text AS agent_id,"
        " s.display_name AS agent_name, h.township, t.name AS township_name, h.status,"
        " h.created_at, h.received_at, h.note"
        " FROM handover h JOIN staff_user s ON s.id = h.agent JOIN area t ON t.code = h.township"
        " WHERE h.id = $1::uuid",
        handover_id,
    )
    return Batch(**dict(row)) if row else None


async def lines(handover_id: str) -> list[Line]:
    rows = await db.fetch(
        "SELECT c.id AS case_id, c.number, c.item_code, c.item_version, c.bundle_code, c.status,"
        " a.name AS applicant_name, a.id_number_masked AS applicant_id_masked, l.items, l.missing"
        " FROM handover_line l JOIN case_record c ON c.id = l.case"
        " JOIN citizen a ON a.id = c.applicant"
        " WHERE l.handover = $1::uuid ORDER BY c.number",
        handover_id,
    )
    return [
        Line(**{**dict(r), "items": list(r["items"]), "missing": list(r["missing"])}) for r in rows
    ]


async def lines_of_cases(case_ids: list[int]) -> list[CaseLine]:
    """Every batch line holding these cases, oldest batch first."""
    if not case_ids:
        return []
    rows = await db.fetch(
        "SELECT l.case AS case_id, l.items, l.missing, h.direction, h.status"
        " FROM handover_line l JOIN handover h ON h.id = l.handover"
        " WHERE l.case = ANY($1::bigint[]) ORDER BY h.created_at",
        case_ids,
    )
    return [
        CaseLine(r["case_id"], list(r["items"]), list(r["missing"]), r["direction"], r["status"])
        for r in rows
    ]


async def handed_over(case_ids: list[int]) -> set[int]:
    """Which of these cases' results the agent has handed to the citizen."""
    if not case_ids:
        return set()
    rows = (
        await CitizenHandover.select(CitizenHandover.case)
        .where(CitizenHandover.case.is_in(case_ids))
        .run()
    )
    return {int(r["case"]) for r in rows}


async def insert_batch(*, code: str, direction: str, agent_id: str, township: str, by: str) -> str:
    handover_id = str(uuid.uuid4())
    await Handover.insert(
        Handover(
            id=handover_id,
            code=code,
            direction=direction,
            agent=agent_id,
            township=township,
            created_by=by,
            created_at=clock.now_utc(),
        )
    ).run()
    return handover_id


async def insert_line(*, handover_id: str, case_id: int, items: list[str]) -> None:
    await HandoverLine.insert(HandoverLine(handover=handover_id, case=case_id, items=items)).run()


async def lock(handover_id: str) -> Locked | None:
    row = (
        await Handover.select(Handover.status, Handover.code, Handover.direction)
        .where(Handover.id == handover_id)
        .lock_rows()
        .first()
        .run()
    )
    return Locked(row["status"], row["code"], row["direction"]) if row else None


async def receiving(handover_id: str) -> list[Receiving]:
    rows = await db.fetch(
        "SELECT l.id AS line_id, l.items, c.id AS case_id, c.number, c.status,"
        " c.applicant::text AS applicant"
        " FROM handover_line l JOIN case_record c ON c.id = l.case"
        " WHERE l.handover = $1::uuid ORDER BY l.id",
        handover_id,
    )
    return [Receiving(**{**dict(r), "items": list(r["items"])}) for r in rows]


async def mark_received(*, handover_id: str, by: str | None, at: datetime) -> None:
    await (
        Handover.update(
            {Handover.status: "received", Handover.received_at: at, Handover.received_by: by}
        )
        .where(Handover.id == handover_id)
        .run()
    )


async def set_missing(*, line_id: int, missing: list[str]) -> None:
    await (
        HandoverLine.update({HandoverLine.missing: missing}).where(HandoverLine.id == line_id).run()
    )


async def insert_citizen_handover(*, case_id: int, agent_id: str, photo_upload_id: str) -> None:
    await CitizenHandover.insert(
        CitizenHandover(case=case_id, agent=agent_id, photo_upload_id=photo_upload_id)
    ).run()


_BATCHES = (
    "SELECT h.id::text AS id, h.code, h.direction, h.status, h.township,"
    " s.display_name AS agent_name, h.created_at, h.received_at,"
    " (SELECT count(*) FROM handover_line l WHERE l.handover = h.id) AS cases,"
    " count(*) OVER () AS total"
    " FROM handover h JOIN staff_user s ON s.id = h.agent"
    " WHERE ($1::uuid IS NULL OR h.agent = $1::uuid) AND ($2::text IS NULL OR h.township = $2)"
    " AND ($3::text IS NULL OR h.status = $3) AND ($4::text IS NULL OR h.code = $4)"
    " ORDER BY h.created_at DESC, h.id LIMIT $5 OFFSET $6"
)
_COUNT = (
    "SELECT count(*) AS n FROM handover h"
    " WHERE ($1::uuid IS NULL OR h.agent = $1::uuid) AND ($2::text IS NULL OR h.township = $2)"
    " AND ($3::text IS NULL OR h.status = $3) AND ($4::text IS NULL OR h.code = $4)"
)


async def list_batches(
    *,
    agent_id: str | None,
    township: str | None,
    status: str | None,
    code: str | None,
    page: int,
    page_size: int,
) -> tuple[list[BatchSummary], int]:
    """Batches of one agent or one township (and only the one ``code`` names, when given),
    newest first, one page, and how many there are."""
    rows = await db.fetch(
        _BATCHES, agent_id, township, status, code, page_size, (page - 1) * page_size
    )
    if rows:
        total = int(rows[0]["total"])
    else:
        counted = await db.fetchrow(_COUNT, agent_id, township, status, code)
        total = int(counted["n"]) if counted else 0
    return [BatchSummary(**{k: v for k, v in dict(r).items() if k != "total"}) for r in rows], total


async def id_of_code(code: str) -> str | None:
    row = await Handover.select(Handover.id).where(Handover.code == code).first().run()
    return str(row["id"]) if row else None
