"""The uploads context's part of a deletion (``identity.erasure``): the person's uploads that
no kept case file needs are cut off from them at once (in the erasure's transaction) and then,
after commit, deleted with their stored objects (``purge_erased``)."""

from __future__ import annotations

import structlog

from backend import db
from backend.erasure import Person
from backend.uploads import store as upload_store
from backend.uploads.files import _drop_object_if_unreferenced
from backend.uploads.ports import FileStore

log = structlog.get_logger(__name__)

ERASED: str = "erased"
"""``owner_id`` of an upload cut off from its person, until ``purge_erased`` deletes it."""


async def erase_person(person: Person) -> None:
    """The person's own uploads outside kept case files, and the evidence of the mandates that
    go with them (paper mandates carry photos of the person's ID card)."""
    await upload_store.cut_off_mandate_evidence(
        citizen_id=person.citizen_id,
        kept_mandates=list(person.kept_mandates),
        erased_owner=ERASED,
    )
    await upload_store.cut_off_own(
        citizen_id=person.citizen_id, kept_cases=list(person.kept_numbers), erased_owner=ERASED
    )


async def purge_erased(*, store: FileStore) -> int:
    """Delete the rows cut off by ``erase_person`` and every stored object no row still uses."""
    async with db.engine().transaction():
        rows = await upload_store.delete_cut_off(erased_owner=ERASED)
    for sha256, key in sorted({(r.sha256, r.storage_key) for r in rows}):
        await _drop_object_if_unreferenced(store, sha256, key)
    if rows:
        log.info("erased_uploads_purged", count=len(rows))
    return len(rows)
