"""The outbox's part of a deletion (``identity.erasure``): finished rows keep no trace of the
person (their payloads name citizens by id); pending rows are left to run, and find no one."""

from __future__ import annotations

from backend.identity.erasure import Person
from backend.outbox.tables import OutboxEvent


async def erase_person(person: Person) -> None:
    await OutboxEvent.raw(
        "UPDATE outbox_event SET payload = {}::jsonb, last_error = ''"
        " WHERE status <> 'pending' AND strpos(payload::text, {}) > 0",
        "{}",
        person.citizen_id,
    ).run()
