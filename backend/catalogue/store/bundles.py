"""Bundles (``bundle``, 一件事): several items applied for together."""

from __future__ import annotations

from backend import db
from backend.catalogue.model import BundleSpec
from backend.catalogue.tables import Bundle


async def all_bundles() -> list[BundleSpec]:
    """Every bundle, by code."""
    rows = await Bundle.select().order_by(Bundle.code).run()
    return [
        BundleSpec(r["code"], r["name"], tuple(r["item_codes"]), tuple(r["keywords"])) for r in rows
    ]


async def upsert(*, spec: BundleSpec) -> bool:
    """Create or change the bundle; False when nothing changed."""
    row = await db.fetchrow(
        "INSERT INTO bundle (code, name, item_codes, keywords, note, updated_at)"
        " VALUES ($1, $2, $3, $4, '', now())"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, item_codes = EXCLUDED.item_codes,"
        " keywords = EXCLUDED.keywords, updated_at = now()"
        " WHERE (bundle.name, bundle.item_codes, bundle.keywords)"
        " IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.item_codes, EXCLUDED.keywords)"
        " RETURNING code",
        spec.code,
        spec.name,
        list(spec.item_codes),
        list(spec.keywords),
    )
    return row is not None


async def codes() -> set[str]:
    return {r["code"] for r in await Bundle.select(Bundle.code).run()}
