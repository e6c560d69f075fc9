"""The phone lookup hash of citizens who bound a phone before it was kept (``citizen.phone_hash``,
the window's search by phone): each phone decrypted once, hashed, the hash written.

Batch by batch, each its own transaction (rows locked ``FOR UPDATE``); a row with a hash is never
selected again, so the job can stop at any point and be run again (``jiujinban keys
index-phones``). Phones bound since are hashed when they are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from backend import db
from backend.identity.sealed import PHONE_LOOKUP, phone_context
from backend.identity.store import citizens
from backend.security.fieldcrypt import DecryptionFailed, FieldCipher

log = structlog.get_logger(__name__)

DEFAULT_BATCH = 500


@dataclass
class PhoneIndexReport:
    indexed: int = 0
    failed: int = 0
    """Phones that did not decrypt (key missing from the ring, or tampered): left unhashed."""


async def index_phones(*, cipher: FieldCipher, batch_size: int = DEFAULT_BATCH) -> PhoneIndexReport:
    """Hash every phone that has no lookup hash yet; idempotent and resumable."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = PhoneIndexReport()
    after: str | None = None
    while True:
        async with db.engine().transaction():
            rows = await citizens.phones_without_hash(after=after, limit=batch_size)
            if not rows:
                break
            ids: list[str] = []
            hashes: list[str] = []
            for citizen_id, sealed in rows:
                try:
                    phone = cipher.decrypt(sealed, context=phone_context(citizen_id))
                except DecryptionFailed as exc:
                    report.failed += 1
                    log.error("phones.undecryptable", citizen_id=citizen_id, error=str(exc))
                    continue
                ids.append(citizen_id)
                hashes.append(cipher.lookup_hash(phone, context=PHONE_LOOKUP))
            if ids:
                await citizens.set_phone_hashes(ids=ids, hashes=hashes)
            report.indexed += len(ids)
            after = rows[-1][0]
    log.info("phones.indexed", indexed=report.indexed, failed=report.failed)
    return report
