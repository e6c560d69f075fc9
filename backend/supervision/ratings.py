"""Ratings (好差评) seen by supervisors: bad ones with the state of their follow-up."""

from __future__ import annotations

from datetime import date

from backend.cases.actions import BAD_RATING
from backend.cases.store import oversight
from backend.cases.store.oversight import RatingRow
from backend.supervision.followups import FollowUpView, view_of
from backend.supervision.scope import Scope


async def listed(
    *, scope: Scope, bad_only: bool, today: date, page: int, page_size: int
) -> tuple[list[tuple[RatingRow, FollowUpView[RatingRow] | None]], int]:
    """Ratings in the scope, newest first, each with its follow-up (None: none opened yet)."""
    rows, total = await oversight.ratings_page(
        bad_at_most=BAD_RATING if bad_only else None,
        township=scope.township,
        page=page,
        page_size=page_size,
    )
    return [(r, view_of(r, today) if r.follow_up_id is not None else None) for r in rows], total
