"""镇村联动 — custody of paper originals and results between village and township.

Paper originals an agent collected go to the township in handover batches (``to_township``);
the township confirms receipt and records anything missing. Results for citizens who chose
delivery through the agent come back the same way (``to_village``), the agent confirms them,
and records the hand-over to the citizen with a photo — which delivers the case. Each step is
an event on the case's timeline (no status change, except the final delivery).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import segno

from backend import clock
from backend.cases import bundles
from backend.cases.clock import Calendar
from backend.cases.states import Action, Status, can
from backend.cases.store import custody as case_store
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import Actor, Change, apply
from backend.delegation import texts
from backend.delegation.scope import Agent
from backend.delegation.store import handovers as store
from backend.delegation.store.handovers import Batch, BatchSummary, CaseLine, Line
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


async def _event(
    case_id: int, status: str, action: str, actor: Actor, note: str, data: Any
) -> None:
    """A custody step on the case's timeline; the status stays what it is."""
    await case_store.add_custody_event(
        case_id=case_id, status=status, action=action, actor=actor, note=note, data=data
    )


def _check_count(numbers: list[str], limit: int) -> list[str]:
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise InvalidInput(texts.HANDOVER_EMPTY, code="handover_empty")
    if len(wanted) > limit:
        raise InvalidInput(texts.HANDOVER_TOO_MANY.format(limit=limit), code="handover_too_large")
    return wanted


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


def custody_of(paper: list[str], lines: list[CaseLine], handed_over: bool) -> Custody:
    in_transit: set[str] = set()
    received: set[str] = set()
    missing: set[str] = set()
    result_transit = result_here = False
    for line in lines:
        items, lost = set(line.items), set(line.missing)
        if line.direction == TO_TOWNSHIP:
            if line.status == "sent":
                in_transit |= items
            else:
                received |= items - lost
                missing |= lost
        elif RESULT in items:
            if line.status == "sent":
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


class InFamily(Protocol):
    """A case's id and its bundle parent's (None for a single case or a parent)."""

    @property
    def id(self) -> int: ...
    @property
    def parent(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class FamilyOf:
    id: int
    parent: int | None


async def custody_by_case(rows: Sequence[InFamily]) -> dict[int, Custody]:
    """The custody of each case (paper originals are kept on a bundle's parent)."""
    ids = [r.id for r in rows]
    roots = {r.id: (r.parent or r.id) for r in rows}
    paper = await case_store.paper_materials(sorted(set(roots.values())))
    lines: dict[int, list[CaseLine]] = {}
    for line in await store.lines_of_cases(ids):
        lines.setdefault(line.case_id, []).append(line)
    handed = await store.handed_over(ids)
    return {
        r.id: custody_of(
            paper.get(r.id, []) if r.parent is None else [],
            lines.get(r.id, []),
            r.id in handed,
        )
        for r in rows
    }


# --- village → township: paper originals ----------------------------------------------------


async def send_originals(*, agent: Agent, numbers: list[str], limit: int) -> str:
    """A batch of the paper originals this agent holds for these cases; in the caller's
    transaction. Only originals not already sent (or sent again after the township found them
    missing) go in."""
    wanted = _check_count(numbers, limit)
    found = await case_store.cases_by_number(wanted, lock=True)
    unknown = [
        n
        for n in wanted
        if n not in found or str(found[n].filed_by_staff) != agent.id or found[n].parent
    ]
    if unknown:
        raise InvalidInput(
            texts.HANDOVER_CASES_UNKNOWN.format(numbers="、".join(unknown)),
            code="handover_cases_invalid",
            extra={"case_numbers": unknown},
        )
    rows = [found[n] for n in wanted]
    custody = await custody_by_case(rows)
    nothing = [r.number for r in rows if not _to_send(custody[r.id])]
    if nothing:
        raise InvalidInput(
            texts.HANDOVER_NOTHING_TO_SEND.format(numbers="、".join(nothing)),
            code="handover_nothing_to_send",
            extra={"case_numbers": nothing},
        )
    townships = {r.township or agent.township_code for r in rows}
    if len(townships) != 1:
        raise InvalidInput(texts.HANDOVER_TOWNSHIPS, code="handover_townships")
    handover_id, code = await _new_batch(TO_TOWNSHIP, agent.id, townships.pop(), agent.id)
    actor = agent.actor(None)
    for row in rows:
        items = _to_send(custody[row.id])
        await store.insert_line(handover_id=handover_id, case_id=row.id, items=items)
        await _event(
            row.id,
            row.status,
            "handover_sent",
            Actor(actor.kind, actor.id, actor.role, str(row.applicant), actor.channel),
            texts.NOTE_SENT.format(items="、".join(items), code=code),
            {"handover": handover_id, "items": items},
        )
    return handover_id


def _to_send(c: Custody) -> list[str]:
    return [*c.originals_to_send, *c.originals_missing]


async def _new_batch(direction: str, agent_id: str, township: str, by: str) -> tuple[str, str]:
    code = new_code()
    handover_id = await store.insert_batch(
        code=code, direction=direction, agent_id=agent_id, township=township, by=by
    )
    return handover_id, code


# --- township → village: results -------------------------------------------------------------


async def send_results(*, township_code: str, clerk: Actor, numbers: list[str], limit: int) -> str:
    """A batch of results for the agent who filed these cases (delivery through the agent)."""
    wanted = _check_count(numbers, limit)
    found = await case_store.cases_by_number(wanted, lock=True)
    custody = await custody_by_case(list(found.values()))
    bad = [
        n
        for n in wanted
        if n not in found
        or found[n].township != township_code
        or not can(Status(found[n].status), Action.DELIVER)
        or found[n].delivery_method != "agent"
        or found[n].filed_by_kind not in ("agent", "bank")
        or custody[found[n].id].result_in_transit
        or custody[found[n].id].result_with_agent
    ]
    if bad:
        raise InvalidInput(
            texts.HANDOVER_NOT_RESULTS.format(numbers="、".join(bad)),
            code="handover_cases_invalid",
            extra={"case_numbers": bad},
        )
    rows = [found[n] for n in wanted]
    agents = {str(r.filed_by_staff) for r in rows}
    if len(agents) != 1:
        raise InvalidInput(texts.HANDOVER_AGENTS, code="handover_agents")
    handover_id, code = await _new_batch(TO_VILLAGE, agents.pop(), township_code, str(clerk.id))
    for row in rows:
        await store.insert_line(handover_id=handover_id, case_id=row.id, items=[RESULT])
        await _event(
            row.id,
            row.status,
            "handover_sent",
            clerk,
            texts.NOTE_RESULT_SENT.format(code=code),
            {"handover": handover_id, "items": [RESULT]},
        )
    return handover_id


async def results_to_send(
    *, township_code: str, page: int, page_size: int
) -> tuple[list[case_store.ResultToSend], int]:
    """Results ready in this township for citizens who chose delivery through the agent who
    filed the case, not yet in a batch — what :func:`send_results` accepts — by agent."""
    return await case_store.results_to_send(
        township_code=township_code, page=page, page_size=page_size
    )


# --- receiving either way -------------------------------------------------------------------


async def batch(handover_id: str) -> Batch | None:
    return await store.batch(handover_id)


async def lines(handover_id: str) -> list[Line]:
    return await store.lines(handover_id)


async def receive(
    *, handover_id: str, direction: str, actor: Actor, missing: dict[str, list[str]]
) -> None:
    """Confirm a batch arrived, recording anything missing; the caller checked who may."""
    row = await store.lock(handover_id)
    if row is None or row.direction != direction:
        raise not_found()
    if row.status == "received":
        raise Conflict(texts.HANDOVER_RECEIVED, code="handover_already_received")
    batch_lines = await store.receiving(handover_id)
    by_number = {line.number: line for line in batch_lines}
    problems = [
        f"{number} 不在本批次"
        if number not in by_number
        else f"{number} 的{'、'.join(set(types) - set(by_number[number].items))}不在本批次"
        for number, types in missing.items()
        if number not in by_number or set(types) - set(by_number[number].items)
    ]
    if problems:
        raise InvalidInput(
            texts.HANDOVER_MISSING_BAD.format(problems="；".join(problems)),
            code="handover_missing_invalid",
        )
    await store.mark_received(handover_id=handover_id, by=actor.id, at=clock.now_utc())
    for line in batch_lines:
        lost = sorted(set(missing.get(line.number, [])))
        if lost:
            await store.set_missing(line_id=line.line_id, missing=lost)
        if direction == TO_VILLAGE:
            note = texts.NOTE_RESULT_RECEIVED.format(code=row.code)
        elif lost:
            note = texts.NOTE_RECEIVED_MISSING.format(code=row.code, missing="、".join(lost))
        else:
            note = texts.NOTE_RECEIVED.format(code=row.code)
        who = Actor(actor.kind, actor.id, actor.role, line.applicant, actor.channel)
        await _event(
            line.case_id,
            line.status,
            "handover_received",
            who,
            note,
            {"handover": handover_id, "missing": lost},
        )


async def hand_over_to_citizen(
    *, agent: Agent, row: CaseRecord, photo_upload_id: str, calendar: Calendar
) -> None:
    """The agent gave the result to the citizen: the photo is the proof; the case is delivered."""
    if not photo_upload_id.strip():
        raise InvalidInput(texts.PHOTO_REQUIRED, code="photo_required")
    custody = (await custody_by_case([row]))[row.id]
    if not can(Status(row.status), Action.DELIVER) or not custody.result_with_agent:
        raise Conflict(texts.RESULT_NOT_RECEIVED, code="result_not_received")
    await uploads.claim_uploads(upload_ids=[photo_upload_id], owner_kind="staff", owner_id=agent.id)
    await uploads.attach(upload_ids=[photo_upload_id], kind="handover", target_id=row.number)
    await store.insert_citizen_handover(
        case_id=row.id, agent_id=agent.id, photo_upload_id=photo_upload_id
    )
    actor = agent.actor(str(row.applicant))
    change = Change(
        Action.DELIVER,
        actor,
        texts.NOTE_HANDED,
        {"method": "agent", "photo_upload_id": photo_upload_id},
    )
    await apply(row.id, change, calendar=calendar)
    await bundles.settle_parent(row, calendar=calendar)


async def list_batches(
    *,
    agent_id: str | None,
    township: str | None,
    status: str | None,
    page: int,
    page_size: int,
    code: str | None = None,
) -> tuple[list[BatchSummary], int]:
    """Batches of one agent, or of one township (either direction), newest first; only the one
    printed ``code`` names, when given (see :func:`code_of`)."""
    return await store.list_batches(
        agent_id=agent_id,
        township=township,
        status=status,
        code=code,
        page=page,
        page_size=page_size,
    )


def code_of(scanned: str) -> str:
    """The printed batch code in a scanned QR code's content (or the code typed in)."""
    return scanned.strip().removeprefix(QR_PREFIX).upper()


async def find_by_code(code: str) -> str | None:
    """The batch a scanned QR code (or its printed code) names."""
    return await store.id_of_code(code_of(code))
