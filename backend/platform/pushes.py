"""Pushes of cases to external platforms: which township goes where, and what happened.

Functions here run in the caller's transaction unless their docstring says otherwise. The
HTTP call itself happens outside any transaction (``backend.platform.forward``).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend import db
from backend.cases import formreveal
from backend.cases.store import oversight
from backend.cases.store.cases import CaseRecord
from backend.clock import now_utc
from backend.identity.store.oversight import citizen_name_masked
from backend.platform import store
from backend.platform.ports import PushedCase, PushedChild, PushedMaterial

UNFINISHED = "the last attempt did not finish (handler timeout or worker stopped)"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a township's cases go."""

    township_code: str
    base_url: str
    app_id: str


async def active_platform(township_code: str) -> Target | None:
    found = await store.active_platform(township_code)
    return None if found is None else Target(township_code, *found)


async def begin(*, case_id: int, target: Target, last_attempt: bool) -> None:
    """Count one more attempt. On the outbox's last attempt ``failed_at`` is written ahead: a
    success clears it, and if the attempt never finishes the row is dead and says so."""
    now = now_utc()
    await store.begin_push(
        case_id=case_id,
        township_code=target.township_code,
        app_id=target.app_id,
        last_error=UNFINISHED if last_attempt else "",
        failed_at=now if last_attempt else None,
        now=now,
    )


async def record_success(*, case_id: int, external_id: str) -> None:
    """The platform took the case (a repeated success changes nothing)."""
    await store.mark_pushed(case_id=case_id, external_id=external_id, now=now_utc())


async def record_failure(*, case_id: int, reason: str, terminal: bool) -> None:
    """Note a failed attempt, in its own transaction (the handler is about to raise)."""
    async with db.engine().transaction():
        await store.mark_failed(
            case_id=case_id, reason=reason[:2000], terminal=terminal, now=now_utc()
        )


async def pushed_case(row: CaseRecord, township_code: str) -> PushedCase:
    """What the platform receives for the case ``row`` (a bundle carries its children)."""
    applicant_name, id_number_masked = await citizen_name_masked(row.applicant)
    children = await oversight.children_of(row.id)
    materials = await oversight.materials_of(row.id)
    return PushedCase(
        number=row.number,
        township_code=township_code,
        item_code=row.item_code,
        bundle_code=row.bundle_code,
        channel=row.channel,
        filed_by_kind=row.filed_by_kind,
        applicant_name=applicant_name,
        applicant_id_number_masked=id_number_masked,
        submitted_at=row.created_at,
        delivery_method=row.delivery_method,
        delivery_address=row.delivery_address or "",
        form=(await formreveal.staff_form(row)).values,  # masked: never a full number
        materials=tuple(
            PushedMaterial(m.material_type, m.source, m.upload_id or m.shared_ref)
            for m in materials
        ),
        children=tuple(PushedChild(c.number, c.item_code or "", c.department) for c in children),
    )
