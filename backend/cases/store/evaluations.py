"""``evaluation``: the citizen's ratings of a closed case (好差评)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import asyncpg

from backend import db
from backend.cases.tables import Evaluation

_SCORES: Final = 'SELECT score FROM evaluation WHERE "case" = $1 ORDER BY round'
_INSERT: Final = (
    'INSERT INTO evaluation ("case", citizen, round, score, comment, created_at)'
    " VALUES ($1, $2::uuid, $3, $4, $5, now())"
    ' ON CONFLICT ("case", round) DO NOTHING RETURNING id'
)


async def scores(conn: asyncpg.Connection, case_id: int) -> list[int]:
    return [int(r["score"]) for r in await conn.fetch(_SCORES, case_id)]


@dataclass(frozen=True, slots=True)
class Rated:
    round: int
    score: int


async def rounds(case_id: int) -> list[Rated]:
    rows = (
        await Evaluation.select(Evaluation.round, Evaluation.score)
        .where(Evaluation.case == case_id)
        .order_by(Evaluation.round)
        .run()
    )
    return [Rated(int(r["round"]), int(r["score"])) for r in rows]


async def insert(*, case_id: int, citizen_id: str, round_: int, score: int, comment: str) -> bool:
    """Record the rating; False when that round was rated at the same moment already."""
    inserted = await db.fetchval(_INSERT, case_id, citizen_id, round_, score, comment)
    return inserted is not None
