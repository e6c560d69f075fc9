"""Mandates (委托): recorded, read with their agent's and citizen's names, decided, spot-checked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from backend import db
from backend.delegation.tables import Mandate


@dataclass(frozen=True, slots=True)
class MandateRow:
    """One mandate, with the agent's name and the citizen's name and masked ID number."""

    id: str
    agent_id: str
    agent_name: str
    citizen_id: str
    citizen_name: str | None
    citizen_id_masked: str | None
    item_codes: list[str]
    bundle_code: str | None
    expires_on: date
    status: str  # pending | active | refused | revoked (see mandates.effective_status)
    consent: str  # paper | miniprogram
    evidence_upload_ids: list[str]
    spot_check: bool
    spot_check_ok: bool | None
    spot_check_note: str | None
    created_at: datetime
    decided_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Term:
    """A mandate's stored status and expiry: what decides whether it is live now."""

    id: str
    status: str
    expires_on: date
    agent_id: str


_SELECT = (
    "SELECT m.id::text AS id, m.agent::text AS agent_id, s.display_name AS agent_name,"
    " m.citizen::text AS citizen_id, c.name AS citizen_name,"
    " c.id_number_masked AS citizen_id_masked, m.item_codes, m.bundle_code, m.expires_on,"
    " m.status, m.consent, m.evidence_upload_ids, m.spot_check, m.spot_check_ok,"
    " m.spot_check_note, m.created_at, m.decided_at, m.revoked_at, count(*) OVER () AS total"
    " FROM mandate m JOIN staff_user s ON s.id = m.agent JOIN citizen c ON c.id = m.citizen"
)
_ORDER = " ORDER BY m.created_at DESC, m.id"
_IN_AREA = (
    " EXISTS (SELECT 1 FROM staff_user s2 JOIN area a ON a.code = s2.area"
    " LEFT JOIN area t ON t.code = a.parent"
    " WHERE s2.id = m.agent AND {area} IN (a.code, a.parent, t.parent))"
)
_FILTERS = {
    "citizen": "m.citizen = $1::uuid",
    "agent": "m.agent = $1::uuid",
    "agent_citizen": "m.agent = $1::uuid AND m.citizen::text = $2",
    "sampled": "m.spot_check AND (NOT $1 OR m.spot_check_ok IS NULL) AND"
    + _IN_AREA.format(area="$2"),
    "sampled_one": "m.id::text = $1 AND m.spot_check AND" + _IN_AREA.format(area="$2"),
}


def _row(record: object) -> MandateRow:
    values = {k: v for k, v in dict(record).items() if k != "total"}  # type: ignore[call-overload]
    values["item_codes"] = list(values["item_codes"])
    values["evidence_upload_ids"] = list(values["evidence_upload_ids"])
    return MandateRow(**values)


def is_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def get(mandate_id: str) -> MandateRow | None:
    if not is_id(mandate_id):
        return None
    row = await db.fetchrow(_SELECT + " WHERE m.id = $1::uuid", mandate_id)
    return _row(row) if row else None


async def page(
    which: str, *args: object, page: int, page_size: int
) -> tuple[list[MandateRow], int]:
    """One page of the mandates a fixed filter (:data:`_FILTERS`) selects, newest first."""
    where = _FILTERS[which]
    n = len(args)
    rows = await db.fetch(
        _SELECT + " WHERE " + where + _ORDER + f" LIMIT ${n + 1} OFFSET ${n + 2}",
        *args,
        page_size,
        (page - 1) * page_size,
    )
    if rows:
        return [_row(r) for r in rows], int(rows[0]["total"])
    if page == 1:
        return [], 0
    counted = await db.fetchrow(
        "SELECT count(*) AS n FROM mandate m WHERE " + where,  # noqa: S608 - fixed fragments
        *args,
    )
    return [], int(counted["n"]) if counted else 0


async def insert(
    *,
    mandate_id: str,
    agent_id: str,
    citizen_id: str,
    item_codes: list[str],
    bundle_code: str | None,
    expires_on: date,
    status: str,
    consent: str,
    evidence_upload_ids: list[str],
    spot_check: bool,
    created_at: datetime,
    decided_at: datetime | None,
) -> None:
    await Mandate.insert(
        Mandate(
            id=mandate_id,
            agent=agent_id,
            citizen=citizen_id,
            item_codes=item_codes,
            bundle_code=bundle_code,
            expires_on=expires_on,
            status=status,
            consent=consent,
            evidence_upload_ids=evidence_upload_ids,
            spot_check=spot_check,
            created_at=created_at,
            decided_at=decided_at,
        )
    ).run()


async def lock_for_citizen(mandate_id: str, citizen_id: str) -> Term | None:
    """The citizen's mandate, locked for a decision."""
    row = (
        await Mandate.select(Mandate.id, Mandate.status, Mandate.expires_on, Mandate.agent)
        .where((Mandate.id == mandate_id) & (Mandate.citizen == citizen_id))
        .lock_rows()
        .first()
        .run()
    )
    if row is None:
        return None
    return Term(str(row["id"]), row["status"], row["expires_on"], str(row["agent"]))


async def set_status(
    *,
    mandate_id: str,
    status: str,
    decided_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> None:
    values: dict[object, object] = {Mandate.status: status}
    if decided_at is not None:
        values[Mandate.decided_at] = decided_at
    if revoked_at is not None:
        values[Mandate.revoked_at] = revoked_at
    await Mandate.update(values).where(Mandate.id == mandate_id).run()  # type: ignore[arg-type]


async def share_lock(mandate_id: str) -> Term | None:
    """The mandate, share-locked for the rest of the transaction."""
    row = (
        await Mandate.select(Mandate.id, Mandate.status, Mandate.expires_on, Mandate.agent)
        .where(Mandate.id == mandate_id)
        .lock_rows(lock_strength="SHARE")
        .first()
        .run()
    )
    if row is None:
        return None
    return Term(str(row["id"]), row["status"], row["expires_on"], str(row["agent"]))


async def terms(mandate_ids: list[str]) -> list[Term]:
    """The status and expiry of these mandates, in one query."""
    if not mandate_ids:
        return []
    rows = await db.fetch(
        "SELECT id::text AS id, status, expires_on, agent::text AS agent_id FROM mandate"
        " WHERE id::text = ANY($1::text[])",
        mandate_ids,
    )
    return [Term(**dict(r)) for r in rows]


async def lock(mandate_id: str) -> None:
    await Mandate.select(Mandate.id).where(Mandate.id == mandate_id).lock_rows().run()


async def record_spot_check(*, mandate_id: str, ok: bool, note: str, by: str, at: datetime) -> None:
    await (
        Mandate.update(
            {
                Mandate.spot_check_ok: ok,
                Mandate.spot_check_note: note,
                Mandate.spot_checked_by: by,
                Mandate.spot_checked_at: at,
            }
        )
        .where(Mandate.id == mandate_id)
        .run()
    )


async def move_to(*, from_citizen: str, into_citizen: str) -> None:
    """A WeChat account took a registered record over: its mandates follow it."""
    await (
        Mandate.update({Mandate.citizen: into_citizen}).where(Mandate.citizen == from_citizen).run()
    )


async def erase_for(*, citizen_id: str, kept: list[str]) -> None:
    """A deleted person's mandates, except those a kept case was filed under."""
    await db.fetch(
        "DELETE FROM mandate WHERE citizen = $1::uuid AND NOT (id::text = ANY($2::text[]))",
        citizen_id,
        kept,
    )
