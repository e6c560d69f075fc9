"""What the administrator's catalogue pages read: items paged and filtered, an item's versions,
bundles paged (the SQL of ``service.admin_*``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import asyncpg

from backend import db
from backend.catalogue.model import BundleSpec
from backend.catalogue.store.items import VersionRow, version_row


@dataclass(frozen=True, slots=True)
class ListedItem:
    """An item as the list shows it: the version in force (or, before any is, the first one),
    how many versions it has and when the next one takes effect, if one is waiting."""

    current: VersionRow
    versions: int
    next_from: date | None


def like(q: str) -> str:
    """``q`` as a case-insensitive substring pattern, its wildcards taken literally."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_ITEMS: Final = """
WITH current AS (
    SELECT DISTINCT ON (v.item) v.*, d.name AS department_name
    FROM item_version v
    JOIN item i ON i.code = v.item AND NOT i.retired
    JOIN department d ON d.code = v.department
    ORDER BY v.item, (v.effective_from <= $1) DESC,
        CASE WHEN v.effective_from <= $1 THEN v.effective_from END DESC NULLS LAST,
        v.effective_from, v.version DESC
)
SELECT c.*,
    (SELECT count(*) FROM item_version w WHERE w.item = c.item) AS versions,
    (SELECT min(w.effective_from) FROM item_version w
        WHERE w.item = c.item AND w.effective_from > $1) AS next_from,
    count(*) OVER () AS total
FROM current c
WHERE ($2::text IS NULL OR c.item ILIKE $2 OR c.name ILIKE $2)
  AND ($3::text IS NULL OR c.department = $3)
  AND ($4::text IS NULL OR c.kind = $4)
ORDER BY c.item
LIMIT $5 OFFSET $6
"""


async def items_page(
    *,
    day: date,
    q: str | None,
    department: str | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[list[ListedItem], int]:
    """A page of the items (not retired), by code; the total of the filtered list."""
    rows = await db.fetch(_ITEMS, day, like(q) if q else None, department, kind, limit, offset)
    total = int(rows[0]["total"]) if rows else 0
    return [ListedItem(version_row(r), int(r["versions"]), r["next_from"]) for r in rows], total


async def history(*, code: str) -> list[VersionRow]:
    """Every version of the item, newest first, with its department's name."""
    rows = await db.fetch(
        "SELECT v.*, d.name AS department_name FROM item_version v"
        " JOIN department d ON d.code = v.department WHERE v.item = $1"
        " ORDER BY v.version DESC",
        code,
    )
    return [version_row(r) for r in rows]


async def bundles_page(*, q: str | None, limit: int, offset: int) -> tuple[list[BundleSpec], int]:
    """A page of the bundles, by code, filtered by code or name; the total of the filtered list."""
    rows = await db.fetch(
        "SELECT code, name, item_codes, keywords, count(*) OVER () AS total FROM bundle"
        " WHERE $1::text IS NULL OR code ILIKE $1 OR name ILIKE $1"
        " ORDER BY code LIMIT $2 OFFSET $3",
        like(q) if q else None,
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [_bundle(r) for r in rows], total


def _bundle(r: asyncpg.Record) -> BundleSpec:
    return BundleSpec(r["code"], r["name"], tuple(r["item_codes"]), tuple(r["keywords"]))


_BUNDLE: Final = "SELECT code, name, item_codes, keywords FROM bundle WHERE code = $1"
_BUNDLE_LOCKED: Final = _BUNDLE + " FOR UPDATE"


async def bundle(*, code: str, lock: bool = False) -> BundleSpec | None:
    """One bundle (locked for the transaction when ``lock``)."""
    row = await db.fetchrow(_BUNDLE_LOCKED if lock else _BUNDLE, code)
    return None if row is None else _bundle(row)
