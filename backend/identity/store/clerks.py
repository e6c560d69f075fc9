"""What the staff desks read of people: staff members' names, an applicant's shown identity."""

from __future__ import annotations

from dataclasses import dataclass

from backend.identity.tables import Citizen, StaffUser


@dataclass(frozen=True, slots=True)
class ShownApplicant:
    """An applicant as staff see them: the name and the masked ID number only."""

    name: str | None
    id_number_masked: str | None


async def staff_names(ids: set[str]) -> dict[str, str]:
    """Display names of staff members by id (unknown ids left out)."""
    if not ids:
        return {}
    rows = (
        await StaffUser.select(StaffUser.id, StaffUser.display_name)
        .where(StaffUser.id.is_in(sorted(ids)))
        .run()
    )
    return {str(r["id"]): r["display_name"] for r in rows}


async def shown_applicant(citizen_id: str) -> ShownApplicant:
    row = (
        await Citizen.select(Citizen.name, Citizen.id_number_masked)
        .where(Citizen.id == citizen_id)
        .first()
        .run()
    )
    if row is None:
        return ShownApplicant(None, None)
    return ShownApplicant(row["name"], row["id_number_masked"])
