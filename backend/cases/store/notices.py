"""What notifications need to know of a case: the facts of a step the applicant hears of.

Read when a ``case.event`` is published (into its payload, ``backend.cases.events``) and, for
rows published before payloads carried their facts, when such a row runs; the free-text note
of a step (a rejection's reason) is read only when the message is written, so the outbox row
never holds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend import db


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """The case as a notice names it: its number, applicant and who serves it."""

    case_id: int
    number: str
    parent_id: int | None
    applicant_id: str
    item_code: str | None
    bundle_code: str | None
    township: str | None
    filed_by_kind: str
    filed_by_staff: str | None
    delivery_method: str
    committed_days: int
    deadline: date | None


@dataclass(frozen=True, slots=True)
class StepFacts:
    """One step of a case's timeline, with its case."""

    event_id: int
    action: str
    at: datetime
    missing: tuple[str, ...]
    case: CaseFacts


_STEP = (
    "SELECT e.id AS event_id, e.action, e.at,"
    " ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(e.data->'missing') = 'array'"
    " THEN e.data->'missing' ELSE '[]'::jsonb END)) AS missing,"
    " c.id AS case_id, c.number, c.parent AS parent_id, c.applicant::text AS applicant_id,"
    " c.item_code, c.bundle_code, c.township, c.filed_by_kind,"
    " c.filed_by_staff::text AS filed_by_staff, c.delivery_method, c.committed_days, c.deadline"
    ' FROM case_event e JOIN case_record c ON c.id = e."case" WHERE e.id = $1'
)
_BY_NUMBER = (
    "SELECT c.id AS case_id, c.number, c.parent AS parent_id, c.applicant::text AS applicant_id,"
    " c.item_code, c.bundle_code, c.township, c.filed_by_kind,"
    " c.filed_by_staff::text AS filed_by_staff, c.delivery_method, c.committed_days, c.deadline"
    " FROM case_record c WHERE c.number = $1"
)
_BY_ID = (
    "SELECT c.id AS case_id, c.number, c.parent AS parent_id, c.applicant::text AS applicant_id,"
    " c.item_code, c.bundle_code, c.township, c.filed_by_kind,"
    " c.filed_by_staff::text AS filed_by_staff, c.delivery_method, c.committed_days, c.deadline"
    " FROM case_record c WHERE c.id = $1"
)
_DATA = "SELECT data FROM case_event WHERE id = $1"
_NOTE = (
    "SELECT COALESCE(NULLIF(note, ''), data->>'reason', '') AS note FROM case_event WHERE id = $1"
)


def _case(row: dict[str, object]) -> CaseFacts:
    return CaseFacts(
        case_id=int(str(row["case_id"])),
        number=str(row["number"]),
        parent_id=int(str(row["parent_id"])) if row["parent_id"] is not None else None,
        applicant_id=str(row["applicant_id"]),
        item_code=_text(row["item_code"]),
        bundle_code=_text(row["bundle_code"]),
        township=_text(row["township"]),
        filed_by_kind=str(row["filed_by_kind"]),
        filed_by_staff=_text(row["filed_by_staff"]),
        delivery_method=str(row["delivery_method"] or ""),
        committed_days=int(str(row["committed_days"] or 0)),
        deadline=row["deadline"] if isinstance(row["deadline"], date) else None,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def step(event_id: int) -> StepFacts | None:
    """The step ``event_id`` and its case; None when there is no such step."""
    row = await db.fetchrow(_STEP, event_id)
    if row is None:
        return None
    found = dict(row)
    return StepFacts(
        event_id=int(found["event_id"]),
        action=str(found["action"]),
        at=found["at"],
        missing=tuple(found["missing"] or ()),
        case=_case(found),
    )


async def case_by_number(number: str) -> CaseFacts | None:
    row = await db.fetchrow(_BY_NUMBER, number)
    return _case(dict(row)) if row is not None else None


async def case_by_id(case_id: int) -> CaseFacts | None:
    row = await db.fetchrow(_BY_ID, case_id)
    return _case(dict(row)) if row is not None else None


async def step_note(event_id: int) -> str:
    """The note written with a step (a rejection's reason); empty when there is none."""
    row = await db.fetchrow(_NOTE, event_id)
    return str(row["note"]) if row is not None else ""


async def step_data(event_id: int) -> dict[str, Any]:
    """What a step recorded (a 送达's method, waybill and collector); empty when none."""
    value = await db.fetchval(_DATA, event_id)
    found = json.loads(value) if isinstance(value, str) else value
    return dict(found) if isinstance(found, dict) else {}


@dataclass(frozen=True, slots=True)
class DueCase:
    """A case whose deadline falls on a day, for the reminders of its desk and supervisors."""

    number: str
    township: str
    district: str | None
    deadline: date
    item: str


@dataclass(frozen=True, slots=True)
class ResultOut:
    """A case an agent filed whose result went out to the village and is not yet with the
    applicant (its custody says at which stage it waits)."""

    case_id: int
    parent_id: int | None
    number: str
    applicant_id: str
    filed_by_staff: str


async def due_on(deadline: date, statuses: list[str]) -> list[DueCase]:
    """The open cases (not bundles' parents) in ``statuses`` whose deadline is ``deadline``."""
    rows = await db.fetch(
        "SELECT c.number, c.township, t.parent AS district, c.deadline,"
        " COALESCE(i.name, c.item_code, '') AS item"
        " FROM case_record c JOIN area t ON t.code = c.township"
        " LEFT JOIN item_version i ON i.id = c.item_version"
        " WHERE c.deadline = $1 AND c.closed_at IS NULL AND c.status = ANY($2)"
        " AND NOT EXISTS (SELECT 1 FROM case_record k WHERE k.parent = c.id)"
        " ORDER BY c.number",
        deadline,
        statuses,
    )
    return [
        DueCase(r["number"], r["township"], r["district"], r["deadline"], r["item"]) for r in rows
    ]


async def results_out() -> list[ResultOut]:
    """The cases agents filed whose result was sent to the village and not yet handed over."""
    rows = await db.fetch(
        "SELECT DISTINCT c.id, c.parent, c.number, c.applicant::text AS applicant,"
        " c.filed_by_staff::text AS filed_by_staff FROM case_record c"
        " JOIN handover_line l ON l.case = c.id JOIN handover h ON h.id = l.handover"
        " WHERE c.filed_by_staff IS NOT NULL AND h.direction = 'to_village'"
        " AND 'result' = ANY(l.items)"
        " AND NOT EXISTS (SELECT 1 FROM citizen_handover x WHERE x.case = c.id)"
    )
    return [
        ResultOut(r["id"], r["parent"], r["number"], r["applicant"], r["filed_by_staff"])
        for r in rows
    ]
