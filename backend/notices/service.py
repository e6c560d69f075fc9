"""Use cases of the formal notices: issue one when a step calls for it, list a case's notices,
render one to PDF, and verify one by its token.

A notice is issued by the ``case.notice`` handler (``jobs.py``) in its own unit of work: the
number comes from the department's counter in the same transaction as the row, so numbers have
no gaps, and a second run of the handler for the same step finds the notice and stops.
The PDF is rendered on demand from the notice row and the case, so the applicant's name and the
step's reasons are not copied into another table.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime

import structlog

from backend.audit.service import Actor, AuditLog
from backend.cases.states import CLOSED, Status
from backend.cases.store import cases as case_store
from backend.cases.store import custody as case_reads
from backend.cases.store import notices as case_steps
from backend.cases.store.cases import CaseRecord
from backend.catalogue import service as catalogue
from backend.clock import SHANGHAI
from backend.errors import NotFound
from backend.notices import facts, model, render, store, texts
from backend.notices.store import NewNotice, NoticeRow
from backend.outbox.service import Doorbell, unit_of_work

log = structlog.get_logger(__name__)

PRINT = "notice.print"
"""The audit action of a notice's PDF read."""

TOKEN_BYTES = 24
"""192 random bits: a verification link cannot be guessed, and says nothing of the case."""


async def issue_for_step(
    *, event_id: int, case_id: int, action: str, actor_role: str, doorbell: Doorbell | None
) -> list[NoticeRow]:
    """Issue the notice(s) the step ``event_id`` calls for (idempotent: once per step and case).

    A bundle's item is decided by its own department and gets its own notice. Acceptance and
    rejection of a bundle at the window are steps of each item too, so the parent's own step
    issues nothing. A 补正 is asked of the bundle as a whole (the parent's step only): it
    issues one notice per open item, in the name of that item's department, each listing every
    missing material (docs/notices.md). Returns the notices issued now."""
    kind = model.KIND_OF_ACTION.get(action)
    if kind is None:
        return []
    row = await case_reads.case_by_id(case_id)
    if row is None:
        return []
    step = await case_steps.step(event_id)
    if step is None:
        return []
    if row.item_version is not None:
        targets = [row]
    elif row.bundle_code and row.parent is None and kind in model.ISSUED_PER_ITEM:
        targets = [
            c
            for c in await case_store.children(row.id)
            if c.item_version is not None and Status(c.status) not in CLOSED
        ]
    else:
        return []
    issued = []
    async with unit_of_work(doorbell):
        for target in targets:
            notice = await _issue_one(
                target, kind=kind, at=step.at, event_id=event_id, by=actor_role
            )
            if notice is not None:
                issued.append(notice)
    for notice in issued:
        log.info("notice_issued", notice_id=notice.id, kind=kind, case_id=notice.case)
    return issued


async def _issue_one(
    row: CaseRecord, *, kind: str, at: datetime, event_id: int, by: str
) -> NoticeRow | None:
    """The notice of step ``event_id`` for the item case ``row``, in the caller's transaction;
    None when it was issued already."""
    if await store.issued_for(event_id, case_id=row.id):
        return None
    assert row.item_version is not None
    item = await catalogue.get_item_version(version_id=row.item_version)
    township, district = await facts.district_of(row.township)
    year = at.astimezone(SHANGHAI).year
    sequence = await store.next_sequence(department=item.spec.department_code, year=year)
    return await store.insert(
        NewNotice(
            case=row.id,
            root_case=row.parent or row.id,
            event=event_id,
            kind=kind,
            token=secrets.token_urlsafe(TOKEN_BYTES),
            department=item.spec.department_code,
            department_name=model.full_department_name(item.department_name, district),
            acting_for=model.acting_for(township) if by in model.WINDOW_ROLES else "",
            year=year,
            item_code=item.spec.code,
            item_name=item.spec.name,
            item_kind=item.spec.kind,
            issued_at=at,
        ),
        sequence=sequence,
        number=model.notice_number(
            district=district or "区",
            department_name=item.department_name,
            kind_mark=texts.KIND_MARKS[kind],
            year=year,
            seq=sequence,
        ),
    )


async def notices_of(*, row: CaseRecord) -> list[NoticeRow]:
    """The notices of the case ``row`` (whose access the caller checked) and, for a bundle's
    parent, of its items; for an item of a bundle, its own only — exactly those
    :func:`notice_of` serves under its number."""
    if row.parent is not None:
        return await store.of_case(row.id)
    return await store.of_root_case(row.id)


_PER_ITEM_ACTIONS = tuple(
    action for action, kind in model.KIND_OF_ACTION.items() if kind in model.ISSUED_PER_ITEM
)
"""A bundle's own steps that issue its items' notices (a 补正): while one waits for the
worker, each item's card says 文书生成中 too."""


@dataclass(frozen=True, slots=True)
class Card:
    """A case page's 文书 card: the notices issued, and whether one is still being issued."""

    notices: list[NoticeRow]
    pending: bool


async def card(*, row: CaseRecord) -> Card:
    """The notices of the case ``row`` (access checked by the caller) for a staff case page."""
    pending = await store.pending_for(row.id, parent=row.parent, parent_actions=_PER_ITEM_ACTIONS)
    return Card(notices=await notices_of(row=row), pending=pending)


async def notice_of(*, row: CaseRecord, notice_id: int) -> NoticeRow:
    """One notice of the case ``row`` or of its items; 404 ``notice_not_found`` otherwise."""
    found = await store.by_id(notice_id)
    if found is None or found.root_case != (row.parent or row.id):
        raise NotFound(texts.NOTICE_NOT_FOUND, code="notice_not_found")
    if row.parent is not None and found.case != row.id:
        raise NotFound(texts.NOTICE_NOT_FOUND, code="notice_not_found")
    return found


async def notice_pdf(
    *, row: CaseRecord, notice_id: int, base_url: str, reader: Actor, audit: AuditLog
) -> tuple[NoticeRow, bytes]:
    """The notice rendered to PDF, the read written to the audit log (a notice names its
    applicant and may state reasons about them)."""
    notice = await notice_of(row=row, notice_id=notice_id)
    case = await case_reads.case_by_id(notice.case)
    if case is None:
        raise NotFound(texts.NOTICE_NOT_FOUND, code="notice_not_found")
    stated = await facts.of_notice(notice, case)
    html = render.notice_html(stated, verify_url=f"{base_url.rstrip('/')}/verify/{notice.token}")
    pdf = await asyncio.to_thread(render.pdf, html)
    async with unit_of_work(None):
        await audit.record(
            actor=reader,
            action=PRINT,
            subject_kind="case",
            subject_id=case.number,
            reason=f"打印{texts.KIND_NAMES[notice.kind]} {notice.number}",
        )
    return notice, pdf


@dataclass(frozen=True, slots=True)
class Verified:
    """What the public verification page shows: nothing personal, nothing of the case."""

    kind: str
    number: str
    department: str
    issued_on: str
    item: str
    valid: bool


async def verify(*, token: str) -> Verified:
    """The notice's public facts by its token; 404 (no hint) for an unknown token."""
    found = await store.by_token(token) if 16 <= len(token) <= 64 else None
    if found is None:
        raise NotFound(texts.NOT_FOUND_BODY, code="notice_not_found")
    return Verified(
        kind=texts.TITLES[(found.kind, _kind(found.item_kind))],
        number=found.number,
        department=found.department_name,
        issued_on=render.chinese_date(found.issued_at.astimezone(SHANGHAI).date()),
        item=found.item_name,
        valid=found.valid,
    )


def _kind(item_kind: str) -> str:
    return texts.LICENSING if item_kind == texts.LICENSING else "public_service"
