"""Registrations the township settles (待乡镇核实): see ``citizens.ReferredToTownship``.

The township's window staff list their township's pending referrals (the name the agent typed,
the holder's masked record and village) and settle each after checking the person's papers:
``moved`` (the holder now lives in the agent's village: the record moves there, and the agent
may serve them) or ``refused``. Either way with a note; the agent sees the outcome in their
list of villagers (or not at all, when refused).
"""

from __future__ import annotations

from typing import Any

from backend import clock
from backend.delegation import texts
from backend.delegation.tables import Referral
from backend.errors import InvalidInput, NotFound
from backend.identity import offline

OUTCOMES = ("moved", "refused")
MAX_NOTE = 500


async def list_for_township(
    *, township: str, status: str | None, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    rows = await Referral.raw(
        "SELECT r.id::text AS id, r.status, r.village, r.name AS registered_name,"
        " s.display_name AS agent, c.name AS holder_name, c.id_number_masked AS holder_id_masked,"
        " c.village AS holder_village, r.created_at, r.resolved_at, r.note,"
        " count(*) OVER () AS total"
        " FROM registration_referral r JOIN staff_user s ON s.id = r.agent"
        " JOIN citizen c ON c.id = r.holder"
        " WHERE r.township = {} AND ({}::text IS NULL OR r.status = {})"
        " ORDER BY r.created_at DESC, r.id LIMIT {} OFFSET {}",
        township,
        status,
        status,
        page_size,
        (page - 1) * page_size,
    ).run()
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total


def check_resolution(*, outcome: str, note: str) -> None:
    """The outcome is one of :data:`OUTCOMES` and a note says what was checked."""
    if outcome not in OUTCOMES:
        raise InvalidInput(texts.REFERRAL_OUTCOME, code="referral_outcome_invalid")
    if not note.strip()[:MAX_NOTE]:
        raise InvalidInput(texts.REFERRAL_NOTE_REQUIRED, code="reason_required")


async def resolve(
    *, referral_id: str, township: str, staff_id: str, outcome: str, note: str
) -> None:
    """Settle a pending referral of this township (404 ``referral_not_found`` otherwise); in the
    caller's transaction."""
    check_resolution(outcome=outcome, note=note)
    rows = await Referral.raw(
        "UPDATE registration_referral SET status = {}, resolved_at = {},"
        " resolved_by = {}::uuid, note = {} WHERE id::text = {} AND township = {}"
        " AND status = 'pending'"
        " RETURNING holder::text AS holder, village",
        outcome,
        clock.now_utc(),
        staff_id,
        note.strip()[:MAX_NOTE],
        referral_id,
        township,
    ).run()
    if not rows:
        raise NotFound(texts.REFERRAL_NOT_FOUND, code="referral_not_found")
    if outcome == "moved":
        await offline.move_village(citizen_id=rows[0]["holder"], village_code=rows[0]["village"])
