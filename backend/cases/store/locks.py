"""The one locking order of a case family: parent first, then the case, then children by number.

A bundle action locks the parent before any child, and a child's action locks its parent before
itself, so two actions on one family never wait on each other in opposite orders. Every lock of
a case row in the cases context goes through :func:`lock_family`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from backend import db
from backend.cases.store.cases import COLUMNS, CaseRecord, record

# One statement: PostgreSQL locks the rows in the order the sort returns them (the parent,
# whose own parent is NULL, first; then by number), so the order holds within the statement.
_FAMILY: Final = (
    f"SELECT {COLUMNS} FROM case_record"  # noqa: S608 - a constant column list
    " WHERE id = $1 OR id = (SELECT parent FROM case_record WHERE id = $1)"
    " ORDER BY parent IS NOT NULL, number FOR UPDATE"
)
_FAMILY_WITH_CHILDREN: Final = (
    f"SELECT {COLUMNS} FROM case_record"  # noqa: S608 - a constant column list
    " WHERE id = $1 OR parent = $1 OR id = (SELECT parent FROM case_record WHERE id = $1)"
    " ORDER BY parent IS NOT NULL, number FOR UPDATE"
)


@dataclass(frozen=True, slots=True)
class Family:
    """A locked case with its locked parent (a bundle child) and, when asked, its children."""

    case: CaseRecord
    parent: CaseRecord | None = None
    children: list[CaseRecord] = field(default_factory=list)


async def lock_family(case_id: int, *, children: bool = False) -> Family | None:
    """Lock the case and its parent (parent first) and, with ``children``, the case's children
    by number; in the caller's transaction. None when there is no such case."""
    rows = [
        record(r) for r in await db.fetch(_FAMILY_WITH_CHILDREN if children else _FAMILY, case_id)
    ]
    case = next((r for r in rows if r.id == case_id), None)
    if case is None:
        return None
    parent = next((r for r in rows if r.id == case.parent), None)
    kids = [r for r in rows if r.parent == case_id]
    return Family(case, parent, kids)
