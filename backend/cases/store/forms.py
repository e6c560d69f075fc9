"""``case_record.form`` in bulk: the batches the form-sealing step rewrites."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from backend import db
from backend.cases.store.cases import decode_json

_COUNT: Final = "SELECT count(*) FROM case_record WHERE form <> '{}'::jsonb AND id > $1"
_BATCH: Final = (
    "SELECT id, number, parent, item_version, form FROM case_record"
    " WHERE form <> '{}'::jsonb AND id > $1 ORDER BY id LIMIT $2 FOR UPDATE"
)
_BY_NUMBER: Final = (
    "SELECT id, number, parent, item_version, form FROM case_record WHERE number = $1"
)
_UPDATE: Final = (
    "UPDATE case_record AS c SET form = u.form::jsonb"
    " FROM unnest($1::bigint[], $2::text[]) AS u(id, form) WHERE c.id = u.id"
)


@dataclass(frozen=True, slots=True)
class FormRow:
    """A case's form with what is needed to find its fields (``formreveal.case_fields``)."""

    id: int
    number: str
    parent: int | None
    item_version: int | None
    form: dict[str, Any]


def _row(found: Any) -> FormRow:
    return FormRow(
        found["id"],
        found["number"],
        found["parent"],
        found["item_version"],
        decode_json(found["form"]),
    )


async def count_after(after: int) -> int:
    """How many cases with a form have an id above ``after``."""
    return int(await db.fetchval(_COUNT, after) or 0)


async def lock_batch(after: int, size: int) -> list[FormRow]:
    """The next ``size`` cases with a form, by id, locked (in the caller's transaction)."""
    return [_row(r) for r in await db.fetch(_BATCH, after, size)]


async def by_number(number: str) -> FormRow | None:
    found = await db.fetchrow(_BY_NUMBER, number)
    return _row(found) if found is not None else None


async def write(forms: dict[int, dict[str, Any]]) -> None:
    """Rewrite the forms of these cases (by id), in one statement."""
    if forms:
        await db.execute(
            _UPDATE,
            list(forms),
            [json.dumps(form, ensure_ascii=False) for form in forms.values()],
        )


def vacuum_full_label(tables: tuple[str, ...]) -> str:
    """How the command line names the rewrite it is about to run."""
    return "VACUUM FULL " + ", ".join(tables)


async def vacuum_full(tables: tuple[str, ...]) -> None:
    """Rewrite the tables so no dead row version is left (takes an exclusive lock; never in a
    transaction)."""
    for table in tables:
        await db.execute(f"VACUUM (FULL, ANALYZE) {table}")
