"""The notifications context's part of a deletion (``identity.erasure``): the person's consent
ledger and every message to them go (a message about a kept case is not part of its file)."""

from __future__ import annotations

from backend.identity.erasure import Person
from notifications.tables import Message, Subscription


async def erase_person(person: Person) -> None:
    await Subscription.delete().where(Subscription.citizen == person.citizen_id).run()
    await (
        Message.delete()
        .where((Message.recipient_kind == "citizen") & (Message.recipient_id == person.citizen_id))
        .run()
    )
