"""Moving a citizen's cases to the WeChat account that took their record over."""

from __future__ import annotations

from backend.cases.store.cases import move_to_applicant


async def merge_citizen(from_id: str, into_id: str) -> None:
    """The cases (and ratings) of a registered record now belong to the account; the timeline
    keeps who acted for whom at the time."""
    await move_to_applicant(from_id, into_id)
