"""Test data with domain defaults. Each factory creates what it needs that is missing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from backend import db
from backend.cases.store.cases import CaseRecord
from backend.catalogue.tables import Department
from backend.geo.tables import Area
from backend.identity import service as identity
from backend.identity.service import StaffAccount

DISTRICT = "330109"
TOWNSHIP = "330109110"
VILLAGE = "330109110001"
DEFAULT_PASSWORD = "pw-test-123456"


async def make_area(code: str, *, name: str | None = None) -> str:
    """An area by code; its parents are created too (6 digits district, 9 township, 12 village)."""
    level = {6: "district", 9: "township", 12: "village"}[len(code)]
    parent = {6: None, 9: code[:6], 12: code[:9]}[len(code)]
    if parent:
        await make_area(parent)
    await Area.raw(
        "INSERT INTO area (code, name, level, parent, lat, lng, note, created_at)"
        " VALUES ({}, {}, {}, {}, 30.2, 120.6, 'test', now()) ON CONFLICT (code) DO NOTHING",
        code,
        name
        or {"district": "测试区", "township": "测试镇", "village": "测试村"}[level] + code[-3:],
        level,
        parent,
    ).run()
    return code


async def make_department(code: str = "GA", name: str = "区公安分局") -> str:
    await Department.raw(
        "INSERT INTO department (code, name, created_at) VALUES ({}, {}, now())"
        " ON CONFLICT DO NOTHING",
        code,
        name,
    ).run()
    return code


async def make_staff(
    *,
    role: str = "window",
    area_code: str | None = None,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    department_code: str | None = None,
    display_name: str | None = None,
) -> StaffAccount:
    default_area = {"agent": VILLAGE, "window": TOWNSHIP}.get(role, DISTRICT)
    area = await make_area(area_code or default_area)
    if role == "approver":
        department_code = await make_department(department_code or "GA")
    async with db.engine().transaction():
        return await identity.create_staff(
            username=username or f"{role}-{area}-{department_code or ''}".rstrip("-").lower(),
            password=password,
            role=role,
            area_code=area,
            department_code=department_code,
            display_name=display_name or f"测试{role}",
        )


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id_number(
    *, region: str = "330109", birth: str = "19800101", seq: int = 1, male: bool = True
) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit)."""
    order = seq * 2 + (1 if male else 0)
    body = f"{region}{birth}{order % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def case_record(**changes: Any) -> CaseRecord:
    """A case row as the cases store reads it, for pure rules that take one."""
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    base = CaseRecord(
        id=1,
        number="XS2026000001",
        parent=None,
        bundle_code=None,
        item_code="ITEM",
        item_version=1,
        applicant=UUID(int=1),
        filed_by_kind="self",
        filed_by_staff=None,
        mandate_id=None,
        channel="miniprogram",
        status="submitted",
        resume_status=None,
        township=None,
        service_point=None,
        department=None,
        form={},
        delivery_method="window",
        delivery_address="",
        committed_days=0,
        deadline=None,
        accepted_at=None,
        closed_at=None,
        created_at=at,
        updated_at=at,
    )
    return dataclasses.replace(base, **changes)
