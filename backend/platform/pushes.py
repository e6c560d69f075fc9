"""Pushes of cases to external platforms: which township goes where, and what happened.

Functions here run in the caller's transaction unless their docstring says otherwise. The
HTTP call itself happens outside any transaction (``backend.platform.forward``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend import db
from backend.cases import formreveal
from backend.cases.tables import Case, CaseMaterial
from backend.clock import now_utc
from backend.identity.tables import Citizen
from backend.platform.ports import PushedCase, PushedChild, PushedMaterial
from backend.platform.tables import PlatformPush, TownshipPlatform

UNFINISHED = "the last attempt did not finish (handler timeout or worker stopped)"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a township's cases go."""

    township_code: str
    base_url: str
    app_id: str


async def active_platform(township_code: str) -> Target | None:
    row = (
        await TownshipPlatform.select(TownshipPlatform.base_url, TownshipPlatform.app_id)
        .where(
            (TownshipPlatform.township_code == township_code) & (TownshipPlatform.active == True)  # noqa: E712
        )
        .first()
        .run()
    )
    if row is None:
        return None
    return Target(township_code, row["base_url"], row["app_id"])


async def begin(*, case_id: int, target: Target, last_attempt: bool) -> None:
    """Count one more attempt. On the outbox's last attempt ``failed_at`` is written ahead: a
    success clears it, and if the attempt never finishes the row is dead and says so."""
    now = now_utc()
    await PlatformPush.raw(
        'INSERT INTO platform_push ("case", township_code, app_id, attempts, last_status,'
        " last_error, failed_at, created_at, updated_at)"
        " VALUES ({}, {}, {}, 1, 'pushing', {}, {}, {}, {})"
        ' ON CONFLICT ("case") DO UPDATE SET attempts = platform_push.attempts + 1,'
        " last_status = 'pushing', township_code = EXCLUDED.township_code,"
        " app_id = EXCLUDED.app_id, failed_at = EXCLUDED.failed_at,"
        " last_error = CASE WHEN EXCLUDED.failed_at IS NULL THEN platform_push.last_error"
        " ELSE EXCLUDED.last_error END, updated_at = EXCLUDED.updated_at",
        case_id,
        target.township_code,
        target.app_id,
        UNFINISHED if last_attempt else "",
        now if last_attempt else None,
        now,
        now,
    ).run()


async def record_success(*, case_id: int, external_id: str) -> None:
    """The platform took the case (a repeated success changes nothing)."""
    now = now_utc()
    await (
        PlatformPush.update(
            {
                PlatformPush.pushed_at: now,
                PlatformPush.external_id: external_id,
                PlatformPush.last_status: "pushed",
                PlatformPush.last_error: "",
                PlatformPush.failed_at: None,
                PlatformPush.updated_at: now,
            }
        )
        .where((PlatformPush.case == case_id) & PlatformPush.pushed_at.is_null())
        .run()
    )


async def record_failure(*, case_id: int, reason: str, terminal: bool) -> None:
    """Note a failed attempt, in its own transaction (the handler is about to raise)."""
    now = now_utc()
    values: dict[Any, Any] = {
        PlatformPush.last_status: "failed" if terminal else "retrying",
        PlatformPush.last_error: reason[:2000],
        PlatformPush.updated_at: now,
    }
    if terminal:
        values[PlatformPush.failed_at] = now
    async with db.engine().transaction():
        await PlatformPush.update(values).where(PlatformPush.case == case_id).run()


async def pushed_case(row: dict[str, Any], township_code: str) -> PushedCase:
    """What the platform receives for the case ``row`` (a bundle carries its children)."""
    applicant = (
        await Citizen.select(Citizen.name, Citizen.id_number_masked)
        .where(Citizen.id == row["applicant"])
        .first()
        .run()
    ) or {}
    children = (
        await Case.select(Case.number, Case.item_code, Case.department)
        .where(Case.parent == row["id"])
        .order_by(Case.number)
        .run()
    )
    materials = (
        await CaseMaterial.select(
            CaseMaterial.material_type,
            CaseMaterial.source,
            CaseMaterial.upload_id,
            CaseMaterial.shared_ref,
        )
        .where(CaseMaterial.case == row["id"])
        .order_by(CaseMaterial.id)
        .run()
    )
    return PushedCase(
        number=row["number"],
        township_code=township_code,
        item_code=row["item_code"],
        bundle_code=row["bundle_code"],
        channel=row["channel"],
        filed_by_kind=row["filed_by_kind"],
        applicant_name=applicant.get("name") or "",
        applicant_id_number_masked=applicant.get("id_number_masked") or "",
        submitted_at=row["created_at"],
        delivery_method=row["delivery_method"],
        delivery_address=row["delivery_address"] or "",
        form=(await formreveal.staff_form(row)).values,  # masked: never a full number
        materials=tuple(
            PushedMaterial(m["material_type"], m["source"], m["upload_id"] or m["shared_ref"])
            for m in materials
        ),
        children=tuple(
            PushedChild(c["number"], c["item_code"] or "", c["department"]) for c in children
        ),
    )
