"""What the routing table and the front desk check against the catalogue: codes that exist."""

from __future__ import annotations

from backend.catalogue.tables import Department, Item


async def department_exists(code: str) -> bool:
    return bool(await Department.exists().where(Department.code == code).run())


async def item_exists(code: str) -> bool:
    return bool(await Item.exists().where(Item.code == code).run())
