"""What the uploads package hands out about an upload, and the helpers its modules share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.uploads.tables import Upload


@dataclass(frozen=True, slots=True)
class UploadView:
    id: str
    sha256: str
    size: int
    content_type: str
    material_type: str
    original_name: str
    created_at: datetime
    attached_kind: str | None
    attached_id: str | None


COLUMNS = (
    Upload.id,
    Upload.sha256,
    Upload.size,
    Upload.content_type,
    Upload.material_type,
    Upload.original_name,
    Upload.created_at,
    Upload.attached_kind,
    Upload.attached_id,
)


def to_view(row: dict[str, Any]) -> UploadView:
    return UploadView(**{column._meta.name: row[column._meta.name] for column in COLUMNS})


async def lock(name: str) -> None:
    """A transaction-scoped advisory lock on ``name``."""
    await Upload.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", name).run()
