"""Moving a citizen's uploads to the WeChat account that took their record over."""

from __future__ import annotations

from backend.uploads import store as upload_store


async def merge_citizen(from_id: str, into_id: str) -> None:
    await upload_store.move_owner(from_citizen=from_id, into_citizen=into_id)
