"""The encrypted columns (``backend.identity.sealed.ENCRYPTED_COLUMNS``) as key rotation reads
and writes them: values not under a key id, batch by batch, locked.

Identifiers come from ``ENCRYPTED_COLUMNS`` (code, not input); values are bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backend import db
from backend.identity.sealed import EncryptedColumn


@dataclass(frozen=True, slots=True)
class SealedValue:
    """One encrypted value and the key of its row (as text)."""

    key: str
    value: str


_FIRST_BATCH: Final = (
    "SELECT {k}::text AS k, {c} AS v FROM {t}"
    " WHERE {c} IS NOT NULL AND split_part({c}, ':', 1) <> $1"
    " ORDER BY {k} LIMIT $2 FOR UPDATE"
)
_NEXT_BATCH: Final = (
    "SELECT {k}::text AS k, {c} AS v FROM {t}"
    " WHERE {c} IS NOT NULL AND split_part({c}, ':', 1) <> $1 AND {k} > $3::{kt}"
    " ORDER BY {k} LIMIT $2 FOR UPDATE"
)
_PENDING: Final = (
    "SELECT count(*) AS n FROM {t} WHERE {c} IS NOT NULL AND split_part({c}, ':', 1) <> $1"
)
_USAGE: Final = (
    "SELECT split_part({c}, ':', 1) AS key_id, count(*) AS n FROM {t}"
    " WHERE {c} IS NOT NULL GROUP BY 1 ORDER BY 1"
)
_WRITE: Final = (
    "UPDATE {t} AS t SET {c} = u.v FROM unnest($1::text[], $2::text[]) AS u(k, v)"
    " WHERE t.{k} = u.k::{kt}"
)


def _sql(spec: EncryptedColumn, text: str) -> str:
    return text.format(t=spec.table, k=spec.key_column, c=spec.column, kt=spec.key_type)


async def pending(spec: EncryptedColumn, *, key_id: str) -> int:
    """How many values of the column are not under ``key_id``."""
    row = await db.fetchrow(_sql(spec, _PENDING), key_id)
    return 0 if row is None else int(row["n"])


async def usage(spec: EncryptedColumn) -> dict[str, int]:
    """How many values of the column each key id holds."""
    rows = await db.fetch(_sql(spec, _USAGE))
    return {r["key_id"]: int(r["n"]) for r in rows}


async def lock_batch(
    spec: EncryptedColumn, *, not_key_id: str, after: str | None, limit: int
) -> list[SealedValue]:
    """The next ``limit`` values not under ``not_key_id`` by row key (after ``after``), locked."""
    if after is None:
        rows = await db.fetch(_sql(spec, _FIRST_BATCH), not_key_id, limit)
    else:
        rows = await db.fetch(_sql(spec, _NEXT_BATCH), not_key_id, limit, after)
    return [SealedValue(r["k"], r["v"]) for r in rows]


async def write_batch(spec: EncryptedColumn, *, keys: list[str], values: list[str]) -> None:
    """Write ``values`` into the rows of ``keys`` (one statement)."""
    await db.fetch(_sql(spec, _WRITE), keys, values)
