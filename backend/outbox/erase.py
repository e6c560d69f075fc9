"""The outbox's part of a deletion (``identity.erasure``): finished rows keep no trace of the
person (their payloads name citizens by id); pending rows are left to run, and find no one."""

from __future__ import annotations

from backend.erasure import Person
from backend.outbox import store


async def erase_person(person: Person) -> None:
    await store.forget_payloads_naming(person.citizen_id)
