"""Ratings (好差评) seen by supervisors: bad ones with the state of their follow-up."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.cases.service import BAD_RATING
from backend.supervision.followups import FollowUpView, view_of
from backend.supervision.scope import Scope
from backend.supervision.tables import FollowUp

_FROM = (
    ' FROM evaluation v JOIN case_record c ON c.id = v."case"'
    " JOIN citizen a ON a.id = c.applicant LEFT JOIN area vil ON vil.code = a.village"
    " LEFT JOIN follow_up f ON f.evaluation = v.id"
    " WHERE (NOT {} OR v.score <= {})"
    " AND ({}::text IS NULL OR COALESCE(f.township, c.township, vil.parent) = {}::text)"
)
_SELECT = (
    "SELECT v.id, v.round, v.score, v.comment, v.created_at AS rated_at, c.number,"
    " COALESCE(i.name, c.item_code, c.bundle_code, '') AS item,"
    " COALESCE(f.township, c.township, vil.parent) AS township, f.id AS follow_up_id,"
    " f.contact_due, f.resolve_due, f.contacted_at, f.resolved_at, f.contact_note, f.resolution"
)


async def listed(
    *, scope: Scope, bad_only: bool, today: date, page: int, page_size: int
) -> tuple[list[tuple[dict[str, Any], FollowUpView | None]], int]:
    """Ratings in the scope, newest first, each with its follow-up (None: none opened yet)."""
    args = (bad_only, BAD_RATING, scope.township, scope.township)
    total = await FollowUp.raw("SELECT count(*) AS n" + _FROM, *args).run()
    rows = await FollowUp.raw(
        _SELECT
        + _FROM.replace(" WHERE", " LEFT JOIN item_version i ON i.id = c.item_version WHERE")
        + f" ORDER BY v.id DESC LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}",
        *args,
    ).run()
    out = []
    for raw in rows:
        row = dict(raw)
        follow = view_of(row, today) if row["follow_up_id"] is not None else None
        out.append((row, follow))
    return out, int(total[0]["n"])
