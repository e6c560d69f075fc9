"""The notifications context's part of a deletion (``identity.erasure``): the person's consent
ledger, every message to them and the staff's 请当面告知 tasks naming them go (a message about a
kept case is not part of its file)."""

from __future__ import annotations

from backend.identity.erasure import Person
from notifications.store import inbox, outgoing, subscriptions


async def erase_person(person: Person) -> None:
    await subscriptions.erase_citizen(person.citizen_id)
    await outgoing.erase_citizen(person.citizen_id)
    await inbox.erase_tasks_about(person.kept_numbers)
