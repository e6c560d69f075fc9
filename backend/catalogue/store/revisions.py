"""The catalogue revision (``catalogue_revision``): one row that moves with every change."""

from __future__ import annotations

from backend import db
from backend.catalogue.tables import CatalogueRevision


async def current() -> str | None:
    """``<revision>@<changed at>``, or None before the first change."""
    row = await (
        CatalogueRevision.select(CatalogueRevision.revision, CatalogueRevision.changed_at)
        .first()
        .run()
    )
    return f"{row['revision']}@{row['changed_at'].isoformat()}" if row else None


async def bump() -> None:
    await db.fetch(
        "INSERT INTO catalogue_revision (id, revision, changed_at) VALUES (1, 1, clock_timestamp())"
        " ON CONFLICT (id) DO UPDATE SET revision = catalogue_revision.revision + 1,"
        " changed_at = clock_timestamp()"
    )
