"""Registrations the township settles (待乡镇核实): see ``citizens.ReferredToTownship``.

The township's window staff list their township's pending referrals (the name the agent typed,
the holder's masked record and village) and settle each after checking the person's papers:
``moved`` (the holder now lives in the agent's village: the record moves there, and the agent
may serve them) or ``refused``. Either way with a note; the agent sees the outcome in their
list of villagers (or not at all, when refused).
"""

from __future__ import annotations

from backend import clock
from backend.delegation import texts
from backend.delegation.store import villagers as store
from backend.delegation.store.villagers import ReferralRow
from backend.errors import InvalidInput, NotFound
from backend.identity import offline

OUTCOMES = ("moved", "refused")
MAX_NOTE = 500


async def list_for_township(
    *, township: str, status: str | None, page: int, page_size: int
) -> tuple[list[ReferralRow], int]:
    return await store.referrals(township=township, status=status, page=page, page_size=page_size)


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
    settled = await store.settle(
        referral_id=referral_id,
        township=township,
        staff_id=staff_id,
        outcome=outcome,
        note=note.strip()[:MAX_NOTE],
        at=clock.now_utc(),
    )
    if settled is None:
        raise NotFound(texts.REFERRAL_NOT_FOUND, code="referral_not_found")
    if outcome == "moved":
        await offline.move_village(citizen_id=settled.holder, village_code=settled.village)
