"""Filing a case, inside a caller's transaction: who files (:class:`Submitter`), checking a
submission (:func:`prepare`, before the transaction: it may call the shared-data service) and
writing it (:func:`create`, :func:`submit`).

The citizen's own submission (``service.submit_own_case``), the window's walk-in and an agent's
or a bank outlet's filing all go through these same steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend import db
from backend.audit.service import Actor as AuditActor
from backend.cases import clock, formcrypt, numbers, submission, views
from backend.cases.events import FORWARD_EVENT, forward_payload
from backend.cases.ports import SharedData
from backend.cases.schemas import CaseSubmission, MaterialIn
from backend.cases.states import Status
from backend.cases.store import cases as case_store
from backend.cases.store import later as later_store
from backend.cases.store import materials as material_store
from backend.cases.store.cases import CaseRecord, NewCase
from backend.cases.store.events import EventRecord
from backend.cases.store.materials import MaterialRecord, NewMaterial
from backend.cases.transitions import Actor, record_submission
from backend.catalogue.service import ItemView
from backend.clock import now_utc
from backend.errors import Conflict, InvalidInput, NotFound
from backend.identity import reveal
from backend.identity import service as identity
from backend.outbox.service import publish
from backend.uploads import service as uploads


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


def citizen_submitter(citizen_id: str) -> Submitter:
    """A citizen filing for themselves through the mini-program."""
    return Submitter(
        applicant_id=citizen_id,
        actor=Actor("citizen", citizen_id, "citizen", channel="miniprogram"),
        channel="miniprogram",
        filed_by_kind="self",
    )


def kiosk_submitter(citizen_id: str) -> Submitter:
    """A citizen filing for themselves at a self-service terminal (自助终端); in person."""
    return Submitter(
        applicant_id=citizen_id,
        actor=Actor("citizen", citizen_id, "citizen", channel="self_service"),
        channel="self_service",
        filed_by_kind="self",
        in_person=True,
    )


async def uploads_by_type(
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
    items, later = submission.split_channel(items, by.channel, bundle=bundle_name)
    later_keys = submission.bundle_form_keys(items, later)
    form = submission.check_form_data(
        items, {k: v for k, v in body.form.items() if k not in later_keys}
    )
    method, address = submission.check_delivery(items, body.delivery.method, body.delivery.address)
    point, point_township = await submission.check_service_point(items, body.service_point_id)
    materials = submission.required_materials(items)
    needed = {m.type for m in materials}
    paper = frozenset(body.paper_originals)
    if paper and by.channel == "miniprogram":
        raise InvalidInput("小程序申请不能登记纸质原件，请上传材料照片。", code="paper_not_allowed")
    for_later = {m.type for m in submission.required_materials(later)} - needed
    paper -= for_later  # brought where the items left for later are filed
    extra = sorted(({m.type for m in body.materials} | paper) - needed - for_later)
    if extra:
        raise InvalidInput(
            "以下材料不是该事项所需，请勿提交：" + "、".join(extra) + "。",
            code="material_not_needed",
        )
    owner_id = by.upload_owner_id or by.applicant_id
    by_type = await uploads_by_type(
        [m for m in body.materials if m.type not in for_later],
        owner_kind=by.upload_owner_kind,
        owner_id=owner_id,
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
        later=later,
    )


def later_item(view: ItemView) -> later_store.LaterItem:
    """A bundle's item left for later: where it can be filed and the materials it asks for."""
    return later_store.LaterItem(
        item_code=view.spec.code,
        item_name=view.spec.name,
        channels=list(view.spec.channels),
        materials=[m.name for m in view.spec.materials if m.required],
    )


@dataclass(frozen=True, slots=True)
class _Filed:
    cases: list[CaseRecord]  # the case first, then a bundle's children
    materials: list[MaterialRecord]
    events: dict[int, list[EventRecord]]
    later: list[later_store.LaterItem]


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
                    parent=parent.id,
                    item_code=item.spec.code,
                    item_version=item.version_id,
                    department=item.spec.department_code,
                    committed_days=item.spec.committed_days,
                ),
                at=now,
            )
            cases.append(child)
    materials = await material_store.insert_filed(
        case_id=parent.id,
        materials=[
            NewMaterial(t, "upload", upload_id=u) for t, ids in plan.uploads.items() for u in ids
        ]
        + [NewMaterial(t, "shared", shared_ref=r.reference) for t, r in plan.shared.items()]
        + [NewMaterial(t, "paper") for t in plan.paper],
        at=now,
    )
    left = [later_item(v) for v in plan.later]
    await later_store.insert(parent.id, left, at=now)
    all_uploads = [u for ids in plan.uploads.values() for u in ids]
    if all_uploads:  # the claim: atomic, so two submissions never attach the same upload
        await uploads.attach(upload_ids=all_uploads, kind="case", target_id=number)
    visit = {"in_person": True} if by.in_person else None
    events = {
        case.id: [
            await record_submission(case.id, by.actor, data=visit if case.id == parent.id else None)
        ]
        for case in cases
    }
    await publish(
        kind=FORWARD_EVENT, payload=forward_payload(parent.id), dedup_key=f"forward:{number}"
    )
    return _Filed(cases, materials, events, left)


async def create(*, plan: submission.Plan, by: Submitter) -> str:
    """Write the case (and a bundle's children) planned by :func:`prepare`; returns its number.

    Runs inside the caller's ``unit_of_work``; the uploads are claimed there, atomically.
    """
    return str((await _file(plan, by)).cases[0].number)


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
            views.clock_of(filed.events[kid.id], kid.committed_days, calendar),
        )
        for kid in kids
    ]
    events = filed.events[parent.id]
    own_clock = views.latest_deadline(
        views.clock_of(events, parent.committed_days, calendar), children
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
        filed.later,
    )
