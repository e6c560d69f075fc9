"""镇村联动 — custody of paper originals and results between village and township.

Paper originals an agent collected go to the township in handover batches (``to_township``);
the township confirms receipt and records anything missing. Results for citizens who chose
delivery through the agent come back the same way (``to_village``), the agent confirms them,
and records the hand-over to the citizen with a photo — which delivers the case. Each step is
an event on the case's timeline (no status change, except the final delivery).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import segno

from backend import clock
from backend.cases import bundles
from backend.cases.clock import Calendar
from backend.cases.states import Action, Status, can
from backend.cases.tables import Case, CaseEvent
from backend.cases.transitions import Actor, Change, apply
from backend.delegation import texts
from backend.delegation.scope import Agent
from backend.delegation.tables import CitizenHandover, Handover, HandoverLine
from backend.errors import Conflict, InvalidInput, NotFound
from backend.uploads import service as uploads

TO_TOWNSHIP = "to_township"
TO_VILLAGE = "to_village"
RESULT = "result"
QR_PREFIX = "JJB-HO:"
_CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes on a printed manifest


def not_found() -> NotFound:
    return NotFound(texts.HANDOVER_NOT_FOUND, code="handover_not_found")


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def qr_payload(code: str) -> str:
    return QR_PREFIX + code


def qr_svg(code: str) -> str:
    """The manifest's QR code as inline SVG (scanned at the receiving end to find the batch)."""
    return str(segno.make(qr_payload(code), error="m").svg_inline(scale=4, border=2, omitsize=True))


async def _event(row: dict[str, Any], action: str, actor: Actor, note: str, data: Any) -> None:
    """A custody step on the case's timeline; the status stays what it is."""
    await CaseEvent.insert(
        CaseEvent(
            case=row["id"],
            at=clock.now_utc(),
            action=action,
            from_status=row["status"],
            to_status=row["status"],
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_role=actor.role,
            on_behalf_of=actor.on_behalf_of,
            channel=actor.channel,
            note=note,
            data=data,
        )
    ).run()


def _check_count(numbers: list[str], limit: int) -> list[str]:
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise InvalidInput(texts.HANDOVER_EMPTY, code="handover_empty")
    if len(wanted) > limit:
        raise InvalidInput(texts.HANDOVER_TOO_MANY.format(limit=limit), code="handover_too_large")
    return wanted


async def _cases(numbers: list[str], *, lock: bool) -> dict[str, dict[str, Any]]:
    query = Case.select().where(Case.number.is_in(numbers)).order_by(Case.id)
    rows = await (query.lock_rows() if lock else query).run()
    return {r["number"]: r for r in rows}


async def _lines_of(case_ids: list[int]) -> list[dict[str, Any]]:
    if not case_ids:
        return []
    return [
        dict(r)
        for r in await HandoverLine.raw(
            "SELECT l.case AS case_id, l.items, l.missing, h.direction, h.status, h.code,"
            " h.id::text AS handover_id, h.created_at, h.received_at"
            " FROM handover_line l JOIN handover h ON h.id = l.handover"
            " WHERE l.case = ANY({}) ORDER BY h.created_at",
            case_ids,
        ).run()
    ]


async def _paper_of(case_ids: list[int]) -> dict[int, list[str]]:
    if not case_ids:
        return {}
    rows = await Case.raw(
        'SELECT "case" AS case_id, material_type FROM case_material'
        " WHERE source = 'paper' AND \"case\" = ANY({}) ORDER BY id",
        case_ids,
    ).run()
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(r["case_id"], []).append(r["material_type"])
    return out


@dataclass(frozen=True, slots=True)
class Custody:
    """Where one case's paper originals and result are."""

    originals_to_send: list[str]  # with the agent, not yet in a batch (or found missing)
    originals_in_transit: list[str]
    originals_missing: list[str]  # the township recorded them missing on receipt
    result_in_transit: bool
    result_with_agent: bool
    result_handed_over: bool

    @property
    def holds_something(self) -> bool:
        return bool(
            self.originals_to_send
            or self.originals_in_transit
            or self.originals_missing
            or self.result_in_transit
            or self.result_with_agent
        )


def custody_of(paper: list[str], lines: list[dict[str, Any]], handed_over: bool) -> Custody:
    in_transit: set[str] = set()
    received: set[str] = set()
    missing: set[str] = set()
    result_transit = result_here = False
    for line in lines:
        items, lost = set(line["items"]), set(line["missing"])
        if line["direction"] == TO_TOWNSHIP:
            if line["status"] == "sent":
                in_transit |= items
            else:
                received |= items - lost
                missing |= lost
        elif RESULT in items:
            if line["status"] == "sent":
                result_transit = True
            elif RESULT not in lost:
                result_here = True
    missing -= received
    to_send = [t for t in paper if t not in in_transit and t not in received and t not in missing]
    return Custody(
        originals_to_send=to_send,
        originals_in_transit=sorted(in_transit - received),
        originals_missing=sorted(missing - in_transit),
        result_in_transit=result_transit and not handed_over,
        result_with_agent=result_here and not handed_over,
        result_handed_over=handed_over,
    )


async def custody_by_case(rows: list[dict[str, Any]]) -> dict[int, Custody]:
    """The custody of each case (paper originals are kept on a bundle's parent)."""
    ids = [r["id"] for r in rows]
    roots = {r["id"]: (r["parent"] or r["id"]) for r in rows}
    paper = await _paper_of(sorted(set(roots.values())))
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in await _lines_of(ids):
        lines.setdefault(line["case_id"], []).append(line)
    handed = {
        r["case"]
        for r in await CitizenHandover.select(CitizenHandover.case)
        .where(CitizenHandover.case.is_in(ids or [0]))
        .run()
    }
    return {
        r["id"]: custody_of(
            paper.get(r["id"], []) if r["parent"] is None else [],
            lines.get(r["id"], []),
            r["id"] in handed,
        )
        for r in rows
    }


# --- village → township: paper originals ----------------------------------------------------


async def send_originals(*, agent: Agent, numbers: list[str], limit: int) -> str:
    """A batch of the paper originals this agent holds for these cases; in the caller's
    transaction. Only originals not already sent (or sent again after the township found them
    missing) go in."""
    wanted = _check_count(numbers, limit)
    found = await _cases(wanted, lock=True)
    unknown = [
        n
        for n in wanted
        if n not in found or str(found[n]["filed_by_staff"]) != agent.id or found[n]["parent"]
    ]
    if unknown:
        raise InvalidInput(
            texts.HANDOVER_CASES_UNKNOWN.format(numbers="、".join(unknown)),
            code="handover_cases_invalid",
            extra={"case_numbers": unknown},
        )
    rows = [found[n] for n in wanted]
    custody = await custody_by_case(rows)
    nothing = [r["number"] for r in rows if not _to_send(custody[r["id"]])]
    if nothing:
        raise InvalidInput(
            texts.HANDOVER_NOTHING_TO_SEND.format(numbers="、".join(nothing)),
            code="handover_nothing_to_send",
            extra={"case_numbers": nothing},
        )
    townships = {r["township"] or agent.township_code for r in rows}
    if len(townships) != 1:
        raise InvalidInput(texts.HANDOVER_TOWNSHIPS, code="handover_townships")
    handover_id, code = await _new_batch(TO_TOWNSHIP, agent.id, townships.pop(), agent.id)
    actor = agent.actor(None)
    for row in rows:
        items = _to_send(custody[row["id"]])
        await HandoverLine.insert(
            HandoverLine(handover=handover_id, case=row["id"], items=items)
        ).run()
        await _event(
            row,
            "handover_sent",
            Actor(actor.kind, actor.id, actor.role, str(row["applicant"]), actor.channel),
            texts.NOTE_SENT.format(items="、".join(items), code=code),
            {"handover": handover_id, "items": items},
        )
    return handover_id


def _to_send(c: Custody) -> list[str]:
    return [*c.originals_to_send, *c.originals_missing]


async def _new_batch(direction: str, agent_id: str, township: str, by: str) -> tuple[str, str]:
    handover_id, code = str(uuid.uuid4()), new_code()
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
    return handover_id, code


# --- township → village: results -------------------------------------------------------------


async def send_results(*, township_code: str, clerk: Actor, numbers: list[str], limit: int) -> str:
    """A batch of results for the agent who filed these cases (delivery through the agent)."""
    wanted = _check_count(numbers, limit)
    found = await _cases(wanted, lock=True)
    custody = await custody_by_case(list(found.values()))
    bad = [
        n
        for n in wanted
        if n not in found
        or found[n]["township"] != township_code
        or not can(Status(found[n]["status"]), Action.DELIVER)
        or found[n]["delivery_method"] != "agent"
        or found[n]["filed_by_kind"] not in ("agent", "bank")
        or custody[found[n]["id"]].result_in_transit
        or custody[found[n]["id"]].result_with_agent
    ]
    if bad:
        raise InvalidInput(
            texts.HANDOVER_NOT_RESULTS.format(numbers="、".join(bad)),
            code="handover_cases_invalid",
            extra={"case_numbers": bad},
        )
    rows = [found[n] for n in wanted]
    agents = {str(r["filed_by_staff"]) for r in rows}
    if len(agents) != 1:
        raise InvalidInput(texts.HANDOVER_AGENTS, code="handover_agents")
    handover_id, code = await _new_batch(TO_VILLAGE, agents.pop(), township_code, str(clerk.id))
    for row in rows:
        await HandoverLine.insert(
            HandoverLine(handover=handover_id, case=row["id"], items=[RESULT])
        ).run()
        await _event(
            row,
            "handover_sent",
            clerk,
            texts.NOTE_RESULT_SENT.format(code=code),
            {"handover": handover_id, "items": [RESULT]},
        )
    return handover_id


async def results_to_send(
    *, township_code: str, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """Results ready in this township for citizens who chose delivery through the agent who
    filed the case, not yet in a batch — what :func:`send_results` accepts — by agent."""
    rows = await Case.raw(_RESULTS_TO_SEND, township_code, page_size, (page - 1) * page_size).run()
    total = int(rows[0]["total"]) if rows else 0
    return [dict(r) for r in rows], total


_RESULTS_TO_SEND = (
    "SELECT c.id, c.number, c.item_code, c.bundle_code, c.parent, c.status,"
    " c.filed_by_staff::text AS agent_id, s.display_name AS agent_name,"
    " a.name AS applicant_name, a.id_number_masked AS applicant_id_masked,"
    " count(*) OVER () AS total"
    " FROM case_record c JOIN staff_user s ON s.id = c.filed_by_staff"
    " JOIN citizen a ON a.id = c.applicant"
    " WHERE c.township = {} AND c.status = 'result_ready' AND c.delivery_method = 'agent'"
    " AND c.filed_by_kind IN ('agent', 'bank')"
    " AND NOT EXISTS (SELECT 1 FROM handover_line l JOIN handover h ON h.id = l.handover"
    "  WHERE l.case = c.id AND h.direction = 'to_village'"
    "  AND NOT (h.status = 'received' AND 'result' = ANY(l.missing)))"
    " ORDER BY s.display_name, c.filed_by_staff, c.number LIMIT {} OFFSET {}"
)


# --- receiving either way -------------------------------------------------------------------


async def batch(handover_id: str) -> dict[str, Any] | None:
    try:
        uuid.UUID(handover_id)
    except ValueError:
        return None
    rows = await Handover.raw(
        "SELECT h.id::text AS id, h.code, h.direction, h.agent::text AS agent_id,"
        " s.display_name AS agent_name, h.township, t.name AS township_name, h.status,"
        " h.created_at, h.received_at, h.note"
        " FROM handover h JOIN staff_user s ON s.id = h.agent JOIN area t ON t.code = h.township"
        " WHERE h.id = {}::uuid",
        handover_id,
    ).run()
    return dict(rows[0]) if rows else None


async def lines(handover_id: str) -> list[dict[str, Any]]:
    rows = await HandoverLine.raw(
        "SELECT c.id, c.number, c.item_code, c.item_version, c.bundle_code, c.status,"
        " a.name AS applicant_name,"
        " a.id_number_masked AS applicant_id_masked, l.items, l.missing"
        " FROM handover_line l JOIN case_record c ON c.id = l.case"
        " JOIN citizen a ON a.id = c.applicant"
        " WHERE l.handover = {}::uuid ORDER BY c.number",
        handover_id,
    ).run()
    return [dict(r) for r in rows]


async def receive(
    *, handover_id: str, direction: str, actor: Actor, missing: dict[str, list[str]]
) -> None:
    """Confirm a batch arrived, recording anything missing; the caller checked who may."""
    row = (
        await Handover.select(Handover.status, Handover.code, Handover.direction)
        .where(Handover.id == handover_id)
        .lock_rows()
        .first()
        .run()
    )
    if row is None or row["direction"] != direction:
        raise not_found()
    if row["status"] == "received":
        raise Conflict(texts.HANDOVER_RECEIVED, code="handover_already_received")
    batch_lines = await HandoverLine.raw(
        "SELECT l.id, l.items, c.id AS case_id, c.number, c.status, c.applicant::text AS applicant"
        " FROM handover_line l JOIN case_record c ON c.id = l.case"
        " WHERE l.handover = {}::uuid ORDER BY l.id",
        handover_id,
    ).run()
    by_number = {line["number"]: line for line in batch_lines}
    problems = [
        f"{number} 不在本批次"
        if number not in by_number
        else f"{number} 的{'、'.join(set(types) - set(by_number[number]['items']))}不在本批次"
        for number, types in missing.items()
        if number not in by_number or set(types) - set(by_number[number]["items"])
    ]
    if problems:
        raise InvalidInput(
            texts.HANDOVER_MISSING_BAD.format(problems="；".join(problems)),
            code="handover_missing_invalid",
        )
    now = clock.now_utc()
    await (
        Handover.update(
            {Handover.status: "received", Handover.received_at: now, Handover.received_by: actor.id}
        )
        .where(Handover.id == handover_id)
        .run()
    )
    for line in batch_lines:
        lost = sorted(set(missing.get(line["number"], [])))
        if lost:
            await (
                HandoverLine.update({HandoverLine.missing: lost})
                .where(HandoverLine.id == line["id"])
                .run()
            )
        if direction == TO_VILLAGE:
            note = texts.NOTE_RESULT_RECEIVED.format(code=row["code"])
        elif lost:
            note = texts.NOTE_RECEIVED_MISSING.format(code=row["code"], missing="、".join(lost))
        else:
            note = texts.NOTE_RECEIVED.format(code=row["code"])
        who = Actor(actor.kind, actor.id, actor.role, line["applicant"], actor.channel)
        await _event(
            {"id": line["case_id"], "status": line["status"]},
            "handover_received",
            who,
            note,
            {"handover": handover_id, "missing": lost},
        )


async def hand_over_to_citizen(
    *, agent: Agent, row: dict[str, Any], photo_upload_id: str, calendar: Calendar
) -> None:
    """The agent gave the result to the citizen: the photo is the proof; the case is delivered."""
    if not photo_upload_id.strip():
        raise InvalidInput(texts.PHOTO_REQUIRED, code="photo_required")
    custody = (await custody_by_case([row]))[row["id"]]
    if not can(Status(row["status"]), Action.DELIVER) or not custody.result_with_agent:
        raise Conflict(texts.RESULT_NOT_RECEIVED, code="result_not_received")
    await uploads.claim_uploads(upload_ids=[photo_upload_id], owner_kind="staff", owner_id=agent.id)
    await uploads.attach(upload_ids=[photo_upload_id], kind="handover", target_id=row["number"])
    await CitizenHandover.insert(
        CitizenHandover(case=row["id"], agent=agent.id, photo_upload_id=photo_upload_id)
    ).run()
    actor = agent.actor(str(row["applicant"]))
    change = Change(
        Action.DELIVER,
        actor,
        texts.NOTE_HANDED,
        {"method": "agent", "photo_upload_id": photo_upload_id},
    )
    await apply(row["id"], change, calendar=calendar)
    await bundles.settle_parent(row, calendar=calendar)


_COUNT_BATCHES = (
    "SELECT count(*) AS n FROM handover h"
    " WHERE ({}::uuid IS NULL OR h.agent = {}::uuid) AND ({}::text IS NULL OR h.township = {})"
    " AND ({}::text IS NULL OR h.status = {})"
)
_BATCHES = (
    "SELECT h.id::text AS id, h.code, h.direction, h.status, h.township,"
    " s.display_name AS agent_name, h.created_at, h.received_at,"
    " (SELECT count(*) FROM handover_line l WHERE l.handover = h.id) AS cases"
    " FROM handover h JOIN staff_user s ON s.id = h.agent"
    " WHERE ({}::uuid IS NULL OR h.agent = {}::uuid) AND ({}::text IS NULL OR h.township = {})"
    " AND ({}::text IS NULL OR h.status = {})"
    " ORDER BY h.created_at DESC, h.id LIMIT {} OFFSET {}"
)


async def list_batches(
    *, agent_id: str | None, township: str | None, status: str | None, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """Batches of one agent, or of one township (either direction), newest first."""
    args = [agent_id, agent_id, township, township, status, status]
    total = await Handover.raw(_COUNT_BATCHES, *args).run()
    rows = await Handover.raw(_BATCHES, *args, page_size, (page - 1) * page_size).run()
    return [dict(r) for r in rows], int(total[0]["n"])


async def find_by_code(code: str) -> str | None:
    """The batch a scanned QR code (or its printed code) names."""
    wanted = code.strip().removeprefix(QR_PREFIX).upper()
    row = await Handover.select(Handover.id).where(Handover.code == wanted).first().run()
    return str(row["id"]) if row else None
