"""The uploads context's part of a deletion (``identity.erasure``): the person's uploads that
no kept case file needs are cut off from them at once (in the erasure's transaction) and then,
after commit, deleted with their stored objects (``purge_erased``)."""

from __future__ import annotations

import structlog

from backend import db
from backend.identity.erasure import Person
from backend.uploads.files import _drop_object_if_unreferenced
from backend.uploads.ports import FileStore
from backend.uploads.tables import Upload

log = structlog.get_logger(__name__)

ERASED: str = "erased"
"""``owner_id`` of an upload cut off from its person, until ``purge_erased`` deletes it."""


async def erase_person(person: Person) -> None:
    """The person's own uploads outside kept case files, and the evidence of the mandates that
    go with them (paper mandates carry photos of the person's ID card)."""
    await Upload.raw(
        "UPDATE upload SET owner_id = {}, original_name = '',"
        " attached_kind = NULL, attached_id = NULL, attached_at = NULL, deleted_at = now()"
        " WHERE attached_kind = 'mandate' AND attached_id IN (SELECT id::text FROM mandate"
        "  WHERE citizen = {}::uuid AND NOT (id::text = ANY({}::text[])))",
        ERASED,
        person.citizen_id,
        list(person.kept_mandates),
    ).run()
    await Upload.raw(
        "UPDATE upload SET owner_id = {}, original_name = '',"
        " attached_kind = NULL, attached_id = NULL, attached_at = NULL, deleted_at = now()"
        " WHERE owner_kind = 'citizen' AND owner_id = {}"
        " AND NOT COALESCE(attached_kind = 'case' AND attached_id = ANY({}::text[]), false)",
        ERASED,
        person.citizen_id,
        list(person.kept_numbers),
    ).run()


async def purge_erased(*, store: FileStore) -> int:
    """Delete the rows cut off by ``erase_person`` and every stored object no row still uses."""
    async with db.engine().transaction():
        rows = await Upload.raw(
            "DELETE FROM upload WHERE owner_id = {} AND deleted_at IS NOT NULL"
            " RETURNING sha256, storage_key",
            ERASED,
        ).run()
    for sha256, key in sorted({(r["sha256"], r["storage_key"]) for r in rows}):
        await _drop_object_if_unreferenced(store, sha256, key)
    if rows:
        log.info("erased_uploads_purged", count=len(rows))
    return len(rows)
