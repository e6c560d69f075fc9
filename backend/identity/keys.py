"""Field-key rotation: re-encrypt every value not under the current key, batch by batch.

Each batch is its own transaction (rows locked with ``FOR UPDATE``, re-read, re-encrypted,
written back with one ``UPDATE … FROM unnest``), so the job can stop at any point and simply be
run again: what is already under the current key is never selected. Lookup hashes do not depend
on the encryption keys (see ``backend.security.fieldcrypt``), so they stay valid throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog

from backend import db
from backend.identity.sealed import ENCRYPTED_COLUMNS, EncryptedColumn
from backend.identity.store import sealed_columns
from backend.security.fieldcrypt import DecryptionFailed, FieldCipher

log = structlog.get_logger(__name__)

DEFAULT_BATCH = 500

Progress = Callable[[str, int, int], None]
"""Called with (column label, values handled, values to handle) after each batch."""


@dataclass
class ColumnRotation:
    label: str
    pending: int
    rotated: int = 0
    failed: int = 0
    """Values that did not decrypt (key missing from the ring, or tampered): left as they are."""


@dataclass
class RotationReport:
    current_key_id: str
    columns: list[ColumnRotation] = field(default_factory=list)

    @property
    def rotated(self) -> int:
        return sum(c.rotated for c in self.columns)

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.columns)


async def pending_count(spec: EncryptedColumn, current_key_id: str) -> int:
    return await sealed_columns.pending(spec, key_id=current_key_id)


async def key_usage(
    columns: Sequence[EncryptedColumn] = ENCRYPTED_COLUMNS,
) -> dict[str, dict[str, int]]:
    """For each column label, how many values each key id holds."""
    return {spec.label: await sealed_columns.usage(spec) for spec in columns}


async def _rotate_batch(
    spec: EncryptedColumn, cipher: FieldCipher, after: str | None, batch_size: int
) -> tuple[str | None, int, int]:
    """One transaction: (last key seen, rotated, failed); last key None when nothing was left."""
    async with db.engine().transaction():
        rows = await sealed_columns.lock_batch(
            spec, not_key_id=cipher.current_key_id, after=after, limit=batch_size
        )
        if not rows:
            return None, 0, 0
        keys: list[str] = []
        values: list[str] = []
        failed = 0
        for row in rows:
            try:
                values.append(cipher.reencrypt(row.value, context=spec.context(row.key)))
            except DecryptionFailed as exc:
                failed += 1
                log.error("keys.undecryptable", column=spec.label, row=row.key, error=str(exc))
                continue
            keys.append(row.key)
        if keys:
            await sealed_columns.write_batch(spec, keys=keys, values=values)
    return rows[-1].key, len(keys), failed


async def rotate_keys(
    *,
    cipher: FieldCipher,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    columns: Sequence[EncryptedColumn] = ENCRYPTED_COLUMNS,
) -> RotationReport:
    """Re-encrypt every value of ``columns`` that is not under ``cipher.current_key_id``.

    Idempotent and resumable; values written meanwhile by servers already on the new ring are
    under the current key and are not touched. Run it after every server runs with the new
    ``FIELD_KEYS`` (new key first), and again if a straggler wrote with the old key meanwhile.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RotationReport(cipher.current_key_id)
    for spec in columns:
        column = ColumnRotation(spec.label, await pending_count(spec, cipher.current_key_id))
        report.columns.append(column)
        if progress is not None:
            progress(spec.label, 0, column.pending)
        after: str | None = None
        while True:
            after, rotated, failed = await _rotate_batch(spec, cipher, after, batch_size)
            if after is None:
                break
            column.rotated += rotated
            column.failed += failed
            if progress is not None:
                done = column.rotated + column.failed
                progress(spec.label, done, max(column.pending, done))
        log.info(
            "keys.rotated",
            column=spec.label,
            rotated=column.rotated,
            failed=column.failed,
            key_id=cipher.current_key_id,
        )
    return report
