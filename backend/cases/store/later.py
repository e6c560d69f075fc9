"""``case_later_item``: the items of a 一件事 its channel could not file, left for a window or
a village agent (a to-do the applicant sees, not a case)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend import db


@dataclass(frozen=True, slots=True)
class LaterItem:
    """An item still to be done elsewhere: where it can be filed and what to bring."""

    item_code: str
    item_name: str
    channels: list[str]
    materials: list[str]

    @classmethod
    def of(cls, row: asyncpg.Record) -> LaterItem:
        return cls(
            item_code=row["item_code"],
            item_name=row["item_name"],
            channels=list(row["channels"]),
            materials=list(row["materials"]),
        )


async def insert(case_id: int, items: Sequence[LaterItem], *, at: datetime) -> None:
    """Record ``items`` for the bundle case ``case_id``, in order (in the caller's transaction)."""
    if not items:
        return
    async with db.connection() as conn:
        await conn.executemany(
            'INSERT INTO case_later_item ("case", position, item_code, item_name, channels,'
            " materials, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (case_id, n, i.item_code, i.item_name, i.channels, i.materials, at)
                for n, i in enumerate(items, start=1)
            ],
        )


async def of_case(conn: asyncpg.Connection, case_id: int) -> list[LaterItem]:
    rows = await conn.fetch(
        "SELECT item_code, item_name, channels, materials FROM case_later_item"
        ' WHERE "case" = $1 ORDER BY position',
        case_id,
    )
    return [LaterItem.of(r) for r in rows]
