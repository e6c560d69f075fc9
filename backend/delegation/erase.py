"""The delegation context's part of a deletion (``identity.erasure``): the agent's registration
record and any referral go; mandates go unless a kept case was filed under them (the mandate is
then part of that case file and stays with it)."""

from __future__ import annotations

from backend.delegation.tables import Mandate, Referral, Registration
from backend.identity.erasure import Person


async def erase_person(person: Person) -> None:
    await Registration.delete().where(Registration.citizen == person.citizen_id).run()
    await Referral.delete().where(Referral.holder == person.citizen_id).run()
    await Mandate.raw(
        "DELETE FROM mandate WHERE citizen = {}::uuid AND NOT (id::text = ANY({}::text[]))",
        person.citizen_id,
        list(person.kept_mandates),
    ).run()
