"""The delegation context's part of a deletion (``identity.erasure``): the agent's registration
record and any referral go; mandates go unless a kept case was filed under them (the mandate is
then part of that case file and stays with it)."""

from __future__ import annotations

from backend.delegation.store import mandates, villagers
from backend.erasure import Person


async def erase_person(person: Person) -> None:
    await villagers.erase_for(person.citizen_id)
    await mandates.erase_for(citizen_id=person.citizen_id, kept=list(person.kept_mandates))
