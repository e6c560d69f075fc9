"""Departments (``department``): the back-office departments items are approved by."""

from __future__ import annotations

from backend import db
from backend.catalogue.tables import Department


async def exists(*, code: str) -> bool:
    return bool(await Department.exists().where(Department.code == code).run())


async def names() -> dict[str, str]:
    """Every department's name, by code."""
    return {r["code"]: r["name"] for r in await Department.select().run()}


async def codes() -> set[str]:
    return {r["code"] for r in await Department.select(Department.code).run()}


async def upsert(*, code: str, name: str) -> bool:
    """Create or rename the department; False when nothing changed."""
    row = await db.fetchrow(
        "INSERT INTO department (code, name, created_at) VALUES ($1, $2, now())"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name"
        " WHERE department.name IS DISTINCT FROM EXCLUDED.name RETURNING code",
        code,
        name,
    )
    return row is not None
