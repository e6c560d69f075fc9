"""Acting on a filed case, inside a caller's transaction: withdrawing, asking for and answering a
supplement, rating, reading a material, and the citizen's cases for the PIPL export.

The citizen's own use cases (``service``), the window, the review desk, agents and platform
callbacks act through these steps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from backend.audit.service import READ_MATERIAL, AuditLog
from backend.audit.service import Actor as AuditActor
from backend.cases import bundles, clock, states, views
from backend.cases.events import BAD_RATING_EVENT, bad_rating_payload
from backend.cases.filing import Submitter, uploads_by_type
from backend.cases.schemas import MaterialIn
from backend.cases.states import CLOSED, Action, Status
from backend.cases.store import cases as case_store
from backend.cases.store import evaluations as evaluation_store
from backend.cases.store import materials as material_store
from backend.cases.store.cases import CaseRecord
from backend.cases.transitions import Actor, Change, apply, status_of
from backend.catalogue import service as catalogue
from backend.clock import now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.outbox.service import publish
from backend.settings import Settings
from backend.uploads import service as uploads

BAD_RATING = 2


async def withdraw(
    *, row: CaseRecord, actor: Actor, calendar: clock.Calendar, note: str = ""
) -> None:
    """Withdraw before acceptance; withdrawing a bundle withdraws every open child with it."""
    if row.bundle_code and row.parent is None:
        children = await bundles.children_of(row.id, lock=True)
        if not states.bundle_withdrawable([Status(c.status) for c in children]):
            raise Conflict("一件事中已有事项被受理，不能整体撤回。", code="transition_not_allowed")
        for child in children:
            if Status(child.status) not in CLOSED:
                await apply(child.id, Change(Action.WITHDRAW, actor, note), calendar=calendar)
    await apply(row.id, Change(Action.WITHDRAW, actor, note), calendar=calendar)
    if row.parent is not None:  # the last open child withdrawn closes its bundle
        await bundles.settle_parent(row, calendar=calendar)


async def request_supplement(
    *, row: CaseRecord, missing: list[str], note: str, actor: Actor, calendar: clock.Calendar
) -> None:
    """补正: ask for every missing or wrong material in one notice (before or after acceptance)."""
    wanted = list(dict.fromkeys(t.strip() for t in missing if t.strip()))
    if not wanted:
        raise InvalidInput("请一次列出需要补正的全部材料。", code="supplement_empty")
    known = set(await views.material_names(row)) | await catalogue.material_types()
    unknown = [t for t in wanted if t not in known]
    if unknown:
        # Material types only (the case's own, or any the catalogue knows): free text here would
        # reach the citizen's message and the kept outbox row (an ID number typed into it, say).
        raise InvalidInput(
            f"补正只能列出材料目录中的材料，有 {len(unknown)} 项不是材料名称，请从清单中选择。",
            code="supplement_material_unknown",
        )
    await apply(
        row.id,
        Change(Action.REQUEST_SUPPLEMENT, actor, note, {"missing": wanted}),
        calendar=calendar,
    )
    await material_store.insert_request(
        case_id=row.id, missing=wanted, note=note, requested_by=actor.id
    )


async def supply(
    *,
    row: CaseRecord,
    materials: list[MaterialIn],
    note: str,
    by: Submitter,
    calendar: clock.Calendar,
    in_person: bool = False,
) -> None:
    """Answer the open supplement request with every material it lists; ``in_person`` marks
    materials handed in at a window (a trip the statistics count)."""
    status, resume = status_of(row)
    if not states.can(status, Action.SUPPLY, resume_to=resume):
        raise Conflict("该办件当前不需要补正。", code="transition_not_allowed")
    request = await material_store.open_request(row.id)
    owner_id = by.upload_owner_id or by.applicant_id
    by_type = await uploads_by_type(
        materials, owner_kind=by.upload_owner_kind, owner_id=owner_id, case_number=row.number
    )
    wanted = request.missing if request else []
    still = [t for t in wanted if t not in by_type]
    if still:
        raise InvalidInput(
            f"还缺少 {len(still)} 项补正材料：" + "、".join(still) + "。请一次补齐后再提交。",
            code="materials_missing",
            extra={"missing": [{"type": t, "name": t} for t in still]},
        )
    supplied = [(t, u) for t, ids in by_type.items() for u in ids]
    if supplied:
        await material_store.insert_supplied(
            case_id=row.parent or row.id,
            uploads=supplied,
            supplement=request.id if request else None,
        )
        await uploads.attach(upload_ids=[u for _, u in supplied], kind="case", target_id=row.number)
    if request:
        await material_store.answer_request(request.id, note=note, at=now_utc())
    await apply(
        row.id,
        Change(
            Action.SUPPLY,
            by.actor,
            note,
            {"materials": sorted(by_type), **({"in_person": True} if in_person else {})},
        ),
        calendar=calendar,
    )


SecondRatingGate = Callable[[int], Awaitable[bool]]
"""Whether a case's bad first rating has had its follow-up resolved (given a case id)."""

_SECOND_RATING_GATES: list[SecondRatingGate] = []


def allow_second_rating_when(gate: SecondRatingGate) -> None:
    """Composition roots only: the supervision package says when a follow-up is resolved."""
    if gate not in _SECOND_RATING_GATES:
        _SECOND_RATING_GATES.append(gate)


async def _second_rating_open(case_id: int) -> bool:
    return any([await gate(case_id) for gate in _SECOND_RATING_GATES])


async def evaluate(*, row: CaseRecord, citizen_id: str, score: int, comment: str) -> int:
    """Rate a closed case (好差评); returns the round. A score of 2 or less is a bad rating,
    reported onward; once the follow-up it opened is resolved, the citizen may rate once more."""
    if Status(row.status) not in CLOSED:
        raise Conflict("办件办结后才能评价。", code="case_not_closed")
    done = await evaluation_store.rounds(row.id)
    if not done:
        round_ = 1
    elif len(done) == 1 and done[0].score <= BAD_RATING and await _second_rating_open(row.id):
        round_ = 2
    elif len(done) == 1:
        raise Conflict("您已评价过该办件。差评整改回访后，可再评价一次。", code="evaluation_exists")
    else:
        raise Conflict("您已对该办件评价过两次，不能再评价。", code="evaluation_exists")
    inserted = await evaluation_store.insert(
        case_id=row.id, citizen_id=citizen_id, round_=round_, score=score, comment=comment
    )
    if not inserted:  # the same round rated at the same moment by another request
        raise Conflict("您已评价过该办件。", code="evaluation_exists")
    if score <= BAD_RATING:
        await publish(
            kind=BAD_RATING_EVENT,
            payload=bad_rating_payload(
                case_id=row.id, number=row.number, score=score, round_=round_
            ),
            dedup_key=f"bad-rating:{row.number}:{round_}",
        )
    return round_


async def material_link(
    *, row: CaseRecord, upload_id: str, reader: AuditActor, audit: AuditLog, settings: Settings
) -> str:
    """A short-lived link to one of the case's uploaded materials, with its audit-log entry.

    The caller has already checked that the reader may see the case; the upload must belong to
    it (404 otherwise). The entry and the link are made in one transaction.
    """
    root_id = row.parent or row.id
    if not await material_store.has_upload(case_id=root_id, upload_id=upload_id):
        raise NotFound("该办件没有这份材料。", code="material_not_found")
    await audit.record(
        actor=reader,
        action=READ_MATERIAL,
        subject_kind="upload",
        subject_id=upload_id,
        reason=f"查看办件 {row.number} 的材料",
    )
    return await uploads.signed_link(upload_id=upload_id, settings=settings)


async def export_cases(citizen_id: str) -> tuple[str, Any]:
    """The citizen's cases for the PIPL export: numbers, items, statuses and dates."""
    rows = await case_store.of_applicant(citizen_id)
    return "cases", [
        {
            "number": r.number,
            "item_code": r.item_code,
            "bundle_code": r.bundle_code,
            "status": r.status,
            "channel": r.channel,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]
