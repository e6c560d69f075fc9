"""Items and their versions (``item``, ``item_version``); JSONB decoded here, once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Final

import asyncpg

from backend import db
from backend.catalogue.model import FormField, ItemSpec, MaterialSpec
from backend.catalogue.tables import Item, ItemVersion


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version of an item, with its department's name (``department_name`` empty when the
    version was read without it)."""

    id: int
    version: int
    effective_from: date
    spec: ItemSpec
    department_name: str


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _spec(row: asyncpg.Record) -> ItemSpec:
    materials = _decoded(row["materials"])
    form = _decoded(row["form"])
    return ItemSpec(
        code=row["item"],
        name=row["name"],
        department_code=row["department"],
        lowest_level=row["lowest_level"],
        channels=tuple(row["channels"]),
        delegable=row["delegable"],
        district_wide=row["district_wide"],
        legal_days=row["legal_days"],
        committed_days=row["committed_days"],
        fee=row["fee"],
        delivery_methods=tuple(row["delivery_methods"]),
        keywords=tuple(row["keywords"]),
        personal=row["personal"],
        materials=tuple(MaterialSpec(**m) for m in materials),
        form=tuple(FormField(**{**f, "values": tuple(f.get("values", ()))}) for f in form),
        kind=row["kind"],
    )


def _row(row: asyncpg.Record) -> VersionRow:
    return VersionRow(
        row["id"],
        row["version"],
        row["effective_from"],
        _spec(row),
        row.get("department_name", ""),
    )


def version_row(row: asyncpg.Record) -> VersionRow:
    """A row of ``item_version`` (with ``department_name`` if selected) as a typed version."""
    return _row(row)


_IN_FORCE: Final = """
SELECT DISTINCT ON (v.item) v.*, d.name AS department_name
FROM item_version v
JOIN item i ON i.code = v.item AND NOT i.retired
JOIN department d ON d.code = v.department
WHERE v.effective_from <= $1
ORDER BY v.item, v.effective_from DESC, v.version DESC
"""


async def in_force(*, day: date) -> list[VersionRow]:
    """The version of each (not retired) item in force on ``day``."""
    return [_row(r) for r in await db.fetch(_IN_FORCE, day)]


async def version(*, version_id: int) -> VersionRow | None:
    """A version by id, whatever is in force today."""
    row = await db.fetchrow(
        "SELECT v.*, d.name AS department_name FROM item_version v"
        " JOIN department d ON d.code = v.department WHERE v.id = $1",
        version_id,
    )
    return None if row is None else _row(row)


async def ensure_item(*, code: str) -> None:
    """The item exists and is not retired."""
    await db.fetch(
        "INSERT INTO item (code, retired, created_at) VALUES ($1, false, now())"
        " ON CONFLICT (code) DO UPDATE SET retired = false",
        code,
    )


async def lock_latest(*, code: str) -> VersionRow | None:
    """The item's latest version, locked (None: no version yet)."""
    row = await db.fetchrow(
        "SELECT * FROM item_version WHERE item = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE",
        code,
    )
    return None if row is None else _row(row)


async def add_version(*, spec: ItemSpec, version: int, effective_from: date) -> None:
    """A new version of the item (versions are never edited)."""
    await ItemVersion.insert(
        ItemVersion(
            item=spec.code,
            version=version,
            effective_from=effective_from,
            name=spec.name,
            department=spec.department_code,
            lowest_level=spec.lowest_level,
            channels=list(spec.channels),
            delegable=spec.delegable,
            district_wide=spec.district_wide,
            personal=spec.personal,
            legal_days=spec.legal_days,
            committed_days=spec.committed_days,
            fee=spec.fee,
            delivery_methods=list(spec.delivery_methods),
            keywords=list(spec.keywords),
            materials=[asdict(m) for m in spec.materials],
            form=[{**asdict(f), "values": list(f.values)} for f in spec.form],
            kind=spec.kind,
        )
    ).run()


async def codes() -> set[str]:
    return {r["code"] for r in await Item.select(Item.code).run()}


async def latest_specs(*, codes: list[str]) -> dict[str, ItemSpec]:
    """The latest version of each of the items ``codes`` (whatever its date), by code."""
    rows = await db.fetch(
        "SELECT DISTINCT ON (item) * FROM item_version WHERE item = ANY($1::text[])"
        " ORDER BY item, version DESC",
        codes,
    )
    return {r["item"]: _spec(r) for r in rows}


async def latest_effective(*, codes: list[str]) -> dict[str, date]:
    """The latest date a version of each of the items ``codes`` takes effect, by code."""
    rows = await db.fetch(
        "SELECT item, max(effective_from) AS day FROM item_version"
        " WHERE item = ANY($1::text[]) GROUP BY item",
        codes,
    )
    return {r["item"]: r["day"] for r in rows}


async def exists(*, code: str) -> bool:
    """Whether the item ``code`` exists (retired or not)."""
    return bool(await Item.exists().where(Item.code == code).run())
