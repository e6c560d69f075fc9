"""Moving a citizen's uploads to the WeChat account that took their record over."""

from __future__ import annotations

from backend.uploads.tables import Upload


async def merge_citizen(from_id: str, into_id: str) -> None:
    await (
        Upload.update({Upload.owner_id: into_id})
        .where((Upload.owner_kind == "citizen") & (Upload.owner_id == from_id))
        .run()
    )
