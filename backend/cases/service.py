"""Case use cases: submit, withdraw, answer a supplement, rate (reading is ``views``).

The citizen's use cases (``*_own_case``, at the end) open their own transaction and run
idempotency through ``run_once``; the steps above them run inside a caller's transaction (the
window, an agent, a bank outlet file and act through them) unless their docstring says they
call out (shared-data lookups happen before any transaction).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from backend import db
from backend.audit.service import READ_MATERIAL, AuditLog
from backend.audit.service import Actor as AuditActor
from backend.cases import bundles, clock, formcrypt, numbers, present, states, submission, views
from backend.cases.events import bad_rating_payload, forward_payload
from backend.cases.ports import SharedData
from backend.cases.schemas import (
    CaseForCitizen,
    CaseSubmission,
    CitizenCasePage,
    EvaluationIn,
    MaterialIn,
    MaterialLink,
    SupplementIn,
)
from backend.cases.states import CLOSED, Action, Status
from backend.cases.store import cases as case_store
from backend.cases.store import evaluations as evaluation_store
from backend.cases.store import materials as material_store
from backend.cases.store.cases import CaseRecord, NewCase
from backend.cases.store.events import EventRecord
from backend.cases.store.materials import MaterialRecord, NewMaterial
from backend.cases.transitions import (
    FORWARD_EVENT,
    Actor,
    Change,
    apply,
    record_submission,
    status_of,
)
from backend.clock import now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.idempotency.service import Answer, Claim, run_once
from backend.identity import reveal
from backend.identity import service as identity
from backend.outbox.service import Doorbell, publish, unit_of_work
from backend.settings import Settings
from backend.uploads import service as uploads
from backend.workdays.service import load_calendar

BAD_RATING = 2
BAD_RATING_EVENT = "evaluation.bad"


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who files: the applicant, who acts (actor), how (channel) and as what (filed_by_kind)."""

    applicant_id: str
    actor: Actor
    channel: str  # miniprogram | agent | window | bank | self_service
    filed_by_kind: str  # self | agent | window | bank
    filed_by_staff: str | None = None
    mandate_id: str | None = None
    upload_owner_kind: str = "citizen"
    upload_owner_id: str | None = None
    in_person: bool = False
    """The applicant came in person to file (a bank outlet): one trip (docs/statistics.md)."""


def not_found() -> NotFound:
    return NotFound("找不到该办件。", code="case_not_found")


# --- submitting -------------------------------------------------------------------------------


async def _uploads_by_type(
    materials: list[MaterialIn], *, owner_kind: str, owner_id: str, case_number: str | None = None
) -> dict[str, list[str]]:
    """The uploads of ``materials`` by material type, checked against what was uploaded.

    For a new case (no ``case_number``) this only checks: it runs before the transaction, and
    :func:`create` claims the uploads atomically inside it (``uploads.attach``). Answering a
    supplement runs inside the transaction and locks them.
    """
    if not materials:
        return {}
    ids = [m.upload_id for m in materials]
    if case_number is None:
        claimed = await uploads.check_uploads(
            upload_ids=ids, owner_kind=owner_kind, owner_id=owner_id
        )
    else:
        claimed = await uploads.claim_uploads(
            upload_ids=ids,
            owner_kind=owner_kind,
            owner_id=owner_id,
            kind="case",
            target_id=case_number,
        )
    types = {u.id: u.material_type for u in claimed}
    by_type: dict[str, list[str]] = {}
    wrong = [m for m in materials if types.get(m.upload_id) != m.type]
    if wrong:
        raise InvalidInput(
            "以下材料的类型与上传时不一致：" + "、".join(m.type for m in wrong) + "。",
            code="material_type_mismatch",
        )
    for m in materials:
        by_type.setdefault(m.type, [])
        if m.upload_id not in by_type[m.type]:
            by_type[m.type].append(m.upload_id)
    return by_type


async def prepare(
    *, body: CaseSubmission, by: Submitter, shared_data: SharedData
) -> submission.Plan:
    """Check everything a submission says, without writing; calls the shared-data service."""
    profile = await identity.get_citizen_profile(citizen_id=by.applicant_id)
    if not profile.identity_bound:
        raise Conflict("请先完成实名登记（姓名和身份证号）再提交申请。", code="identity_not_bound")
    if profile.erasure_pending:
        raise Conflict(
            "该群众的个人信息删除申请已批准，正在删除，不能再提交新的申请。",
            code="erasure_pending",
        )
    items, bundle_code, bundle_name = await submission.resolve_items(
        item_code=body.item_code, bundle_code=body.bundle_code
    )
    submission.check_channel(items, by.channel)
    form = submission.check_form_data(items, body.form)
    method, address = submission.check_delivery(items, body.delivery.method, body.delivery.address)
    point, point_township = await submission.check_service_point(items, body.service_point_id)
    materials = submission.required_materials(items)
    needed = {m.type for m in materials}
    paper = frozenset(body.paper_originals)
    if paper and by.channel == "miniprogram":
        raise InvalidInput("小程序申请不能登记纸质原件，请上传材料照片。", code="paper_not_allowed")
    extra = sorted(({m.type for m in body.materials} | paper) - needed)
    if extra:
        raise InvalidInput(
            "以下材料不是该事项所需，请勿提交：" + "、".join(extra) + "。",
            code="material_not_needed",
        )
    owner_id = by.upload_owner_id or by.applicant_id
    by_type = await _uploads_by_type(
        body.materials, owner_kind=by.upload_owner_kind, owner_id=owner_id
    )
    missing = submission.missing_materials(materials, by_type, {}, paper)
    shared = {}
    if any(m.exempt_if_shared for m in missing):
        reader = AuditActor(by.actor.kind, by.actor.id or "system", on_behalf_of=by.applicant_id)
        id_number = await identity.read_full_id_number(
            citizen_id=by.applicant_id, actor=reader, reason="电子证照/数据共享核验申请材料"
        )
        shared = await submission.shared_records(
            materials=missing,
            uploads=by_type,
            shared_data=shared_data,
            name=profile.name or "",
            id_number=id_number,
        )
    missing = submission.missing_materials(materials, by_type, shared, paper)
    if missing:
        submission.raise_missing(missing)
    return submission.Plan(
        items=items,
        bundle_code=bundle_code,
        bundle_name=bundle_name,
        form=form,
        materials=materials,
        uploads=by_type,
        shared=shared,
        paper=sorted(paper),
        delivery_method=method,
        delivery_address=address,
        service_point=point,
        township_of_point=point_township,
    )


@dataclass(frozen=True, slots=True)
class _Filed:
    cases: list[CaseRecord]  # the case first, then a bundle's children
    materials: list[MaterialRecord]
    events: dict[int, list[EventRecord]]


async def _file(plan: submission.Plan, by: Submitter) -> _Filed:
    if not db.engine().transaction_exists():
        raise RuntimeError("cases.create must run inside unit_of_work()")
    number = await numbers.next_number()
    now = now_utc()
    single = plan.items[0] if plan.bundle_code is None else None
    cipher = reveal.configured_cipher()
    kinds = formcrypt.kinds_of(f for v in plan.items for f in v.spec.form)

    def new_case(number: str, form: dict[str, Any], **item: Any) -> NewCase:
        return NewCase(
            number=number,
            applicant=by.applicant_id,
            filed_by_kind=by.filed_by_kind,
            filed_by_staff=by.filed_by_staff,
            mandate_id=by.mandate_id,
            channel=by.channel,
            status=Status.SUBMITTED.value,
            service_point=plan.service_point,
            delivery_method=plan.delivery_method,
            delivery_address=plan.delivery_address or "",
            form=formcrypt.seal_form(form, kinds=kinds, number=number, cipher=cipher),
            **item,
        )

    parent = await case_store.insert(
        new_case(
            number,
            plan.form,
            bundle_code=plan.bundle_code,
            item_code=single.spec.code if single else None,
            item_version=single.version_id if single else None,
            department=single.spec.department_code if single else None,
            committed_days=single.spec.committed_days if single else 0,
        ),
        at=now,
    )
    cases = [parent]
    if single is None:
        for index, item in enumerate(plan.items, start=1):
            own = {f.name for f in item.spec.form}
            child = await case_store.insert(
                new_case(
                    numbers.child_number(number, index),
                    # sealed as sensitive in any item of the bundle
                    {k: v for k, v in plan.form.items() if k in own},
                    parent=parent["id"],
                    item_code=item.spec.code,
                    item_version=item.version_id,
                    department=item.spec.department_code,
                    committed_days=item.spec.committed_days,
                ),
                at=now,
            )
            cases.append(child)
    materials = await material_store.insert_filed(
        case_id=parent["id"],
        materials=[
            NewMaterial(t, "upload", upload_id=u) for t, ids in plan.uploads.items() for u in ids
        ]
        + [NewMaterial(t, "shared", shared_ref=r.reference) for t, r in plan.shared.items()]
        + [NewMaterial(t, "paper") for t in plan.paper],
        at=now,
    )
    all_uploads = [u for ids in plan.uploads.values() for u in ids]
    if all_uploads:  # the claim: atomic, so two submissions never attach the same upload
        await uploads.attach(upload_ids=all_uploads, kind="case", target_id=number)
    visit = {"in_person": True} if by.in_person else None
    events = {
        case["id"]: [
            await record_submission(
                case["id"], by.actor, data=visit if case["id"] == parent["id"] else None
            )
        ]
        for case in cases
    }
    await publish(
        kind=FORWARD_EVENT, payload=forward_payload(parent["id"]), dedup_key=f"forward:{number}"
    )
    return _Filed(cases, materials, events)


async def create(*, plan: submission.Plan, by: Submitter) -> str:
    """Write the case (and a bundle's children) planned by :func:`prepare`; returns its number.

    Runs inside the caller's ``unit_of_work``; the uploads are claimed there, atomically.
    """
    return str((await _file(plan, by)).cases[0]["number"])


async def submit(
    *, plan: submission.Plan, by: Submitter, calendar: clock.Calendar
) -> views.CaseView:
    """:func:`create`, answering with the new case as :func:`view` would read it back.

    Built from the rows the inserts returned, so nothing just written is read again.
    """
    filed = await _file(plan, by)
    parent, *kids = filed.cases
    children = [
        (
            kid,
            await views.name_of(kid),
            views.clock_of(filed.events[kid["id"]], kid["committed_days"], calendar),
        )
        for kid in kids
    ]
    events = filed.events[parent["id"]]
    own_clock = views.latest_deadline(
        views.clock_of(events, parent["committed_days"], calendar), children
    )
    return views.CaseView(
        parent,
        await views.name_of(parent),
        events,
        filed.materials,
        children,
        None,
        own_clock,
        [],
        await views.filed_by_name(parent),
    )


# --- acting ---------------------------------------------------------------------------------


async def withdraw(
    *, row: dict[str, Any], actor: Actor, calendar: clock.Calendar, note: str = ""
) -> None:
    """Withdraw before acceptance; withdrawing a bundle withdraws every open child with it."""
    if row["bundle_code"] and row["parent"] is None:
        children = await bundles.children_of(row["id"], lock=True)
        if not states.bundle_withdrawable([Status(c["status"]) for c in children]):
            raise Conflict("一件事中已有事项被受理，不能整体撤回。", code="transition_not_allowed")
        for child in children:
            if Status(child["status"]) not in CLOSED:
                await apply(child["id"], Change(Action.WITHDRAW, actor, note), calendar=calendar)
    await apply(row["id"], Change(Action.WITHDRAW, actor, note), calendar=calendar)
    if row["parent"] is not None:  # the last open child withdrawn closes its bundle
        await bundles.settle_parent(row, calendar=calendar)


async def request_supplement(
    *, row: dict[str, Any], missing: list[str], note: str, actor: Actor, calendar: clock.Calendar
) -> None:
    """补正: ask for every missing or wrong material in one notice (before or after acceptance)."""
    wanted = list(dict.fromkeys(t.strip() for t in missing if t.strip()))
    if not wanted:
        raise InvalidInput("请一次列出需要补正的全部材料。", code="supplement_empty")
    await apply(
        row["id"],
        Change(Action.REQUEST_SUPPLEMENT, actor, note, {"missing": wanted}),
        calendar=calendar,
    )
    await material_store.insert_request(
        case_id=row["id"], missing=wanted, note=note, requested_by=actor.id
    )


async def supply(
    *,
    row: dict[str, Any],
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
    request = await material_store.open_request(row["id"])
    owner_id = by.upload_owner_id or by.applicant_id
    by_type = await _uploads_by_type(
        materials, owner_kind=by.upload_owner_kind, owner_id=owner_id, case_number=row["number"]
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
            case_id=row["parent"] or row["id"],
            uploads=supplied,
            supplement=request.id if request else None,
        )
        await uploads.attach(
            upload_ids=[u for _, u in supplied], kind="case", target_id=row["number"]
        )
    if request:
        await material_store.answer_request(request.id, note=note, at=now_utc())
    await apply(
        row["id"],
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


async def evaluate(*, row: dict[str, Any], citizen_id: str, score: int, comment: str) -> int:
    """Rate a closed case (好差评); returns the round. A score of 2 or less is a bad rating,
    reported onward; once the follow-up it opened is resolved, the citizen may rate once more."""
    if Status(row["status"]) not in CLOSED:
        raise Conflict("办件办结后才能评价。", code="case_not_closed")
    done = await evaluation_store.rounds(row["id"])
    if not done:
        round_ = 1
    elif len(done) == 1 and done[0].score <= BAD_RATING and await _second_rating_open(row["id"]):
        round_ = 2
    elif len(done) == 1:
        raise Conflict("您已评价过该办件。差评整改回访后，可再评价一次。", code="evaluation_exists")
    else:
        raise Conflict("您已对该办件评价过两次，不能再评价。", code="evaluation_exists")
    inserted = await evaluation_store.insert(
        case_id=row["id"], citizen_id=citizen_id, round_=round_, score=score, comment=comment
    )
    if not inserted:  # the same round rated at the same moment by another request
        raise Conflict("您已评价过该办件。", code="evaluation_exists")
    if score <= BAD_RATING:
        await publish(
            kind=BAD_RATING_EVENT,
            payload=bad_rating_payload(
                case_id=row["id"], number=row["number"], score=score, round_=round_
            ),
            dedup_key=f"bad-rating:{row['number']}:{round_}",
        )
    return round_


# --- materials ------------------------------------------------------------------------------


async def material_link(
    *, row: dict[str, Any], upload_id: str, reader: AuditActor, audit: AuditLog, settings: Settings
) -> str:
    """A short-lived link to one of the case's uploaded materials, with its audit-log entry.

    The caller has already checked that the reader may see the case; the upload must belong to
    it (404 otherwise). The entry and the link are made in one transaction.
    """
    root_id = row["parent"] or row["id"]
    if not await material_store.has_upload(case_id=root_id, upload_id=upload_id):
        raise NotFound("该办件没有这份材料。", code="material_not_found")
    await audit.record(
        actor=reader,
        action=READ_MATERIAL,
        subject_kind="upload",
        subject_id=upload_id,
        reason=f"查看办件 {row['number']} 的材料",
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


# --- the citizen's use cases (each its own transaction) --------------------------------------


def citizen_submitter(citizen_id: str) -> Submitter:
    """A citizen filing for themselves through the mini-program."""
    return Submitter(
        applicant_id=citizen_id,
        actor=Actor("citizen", citizen_id, "citizen", channel="miniprogram"),
        channel="miniprogram",
        filed_by_kind="self",
    )


async def _own_row(number: str) -> CaseRecord:
    row = await views.case_row(number=number)
    if row is None:
        raise not_found()
    return row


async def case_for_citizen(*, number: str, row: CaseRecord | None = None) -> CaseForCitizen:
    """The case as its applicant sees it (``row``: the case row already read, if any)."""
    calendar = await load_calendar()
    return present.for_citizen(
        await views.view(row=row or await _own_row(number), calendar=calendar)
    )


async def cases_of_citizen(*, citizen_id: str, page: int, page_size: int) -> CitizenCasePage:
    """A page of the citizen's cases, newest first, with their names and deadlines."""
    rows, total = await views.list_for_citizen(
        citizen_id=citizen_id, page=page, page_size=page_size
    )
    calendar = await load_calendar()
    items = [
        present.summary(
            row,
            name,
            shown.deadline.isoformat() if shown.deadline else None,
            shown.working_days_left,
        )
        for row, name, shown in await views.summaries(rows=rows, calendar=calendar)
    ]
    return CitizenCasePage(items=items, total=total)


async def submit_own_case(
    *,
    body: CaseSubmission,
    citizen_id: str,
    claim: Claim | None,
    shared_data: SharedData,
    doorbell: Doorbell,
    ttl_s: int,
) -> Answer:
    """A citizen files for themselves: checked before the transaction, written in it, at most
    once per idempotency key (a retry answers the first answer)."""
    by = citizen_submitter(citizen_id)

    async def checked() -> tuple[submission.Plan, clock.Calendar]:
        plan = await prepare(body=body, by=by, shared_data=shared_data)
        return plan, await load_calendar()

    async def filed(ready: tuple[submission.Plan, clock.Calendar]) -> CaseForCitizen:
        plan, calendar = ready
        return present.for_citizen(await submit(plan=plan, by=by, calendar=calendar))

    return await run_once(claim, ttl_s=ttl_s, doorbell=doorbell, prepare=checked, create=filed)


async def withdraw_own_case(*, number: str, citizen_id: str, doorbell: Doorbell) -> CaseForCitizen:
    """The applicant withdraws their case before acceptance; answers the case afterwards."""
    calendar = await load_calendar()
    actor = citizen_submitter(citizen_id).actor
    async with unit_of_work(doorbell):
        await withdraw(row=await _own_row(number), actor=actor, calendar=calendar)
    return await case_for_citizen(number=number)


async def supply_own_case(
    *, number: str, citizen_id: str, body: SupplementIn, doorbell: Doorbell
) -> CaseForCitizen:
    """The applicant answers the open supplement request; answers the case afterwards."""
    calendar = await load_calendar()
    async with unit_of_work(doorbell):
        await supply(
            row=await _own_row(number),
            materials=body.materials,
            note=body.note,
            by=citizen_submitter(citizen_id),
            calendar=calendar,
        )
    return await case_for_citizen(number=number)


async def material_link_of_own_case(
    *,
    number: str,
    citizen_id: str,
    upload_id: str,
    audit: AuditLog,
    settings: Settings,
    doorbell: Doorbell,
) -> MaterialLink:
    """A short-lived link to one of the applicant's own materials, audited."""
    reader = AuditActor("citizen", citizen_id, on_behalf_of=citizen_id)
    async with unit_of_work(doorbell):
        url = await material_link(
            row=await _own_row(number),
            upload_id=upload_id,
            reader=reader,
            audit=audit,
            settings=settings,
        )
    return MaterialLink(url=url, expires_in=settings.signed_url_ttl_s)


async def rate_own_case(
    *, number: str, citizen_id: str, body: EvaluationIn, doorbell: Doorbell
) -> CaseForCitizen:
    """The applicant rates their closed case; answers the case afterwards."""
    async with unit_of_work(doorbell):
        await evaluate(
            row=await _own_row(number),
            citizen_id=citizen_id,
            score=body.score,
            comment=body.comment or "",
        )
    return await case_for_citizen(number=number)
