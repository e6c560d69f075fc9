"""Field-key rotation: re-encrypt every value not under the current key, batch by batch.

Each batch is its own transaction (rows locked with ``FOR UPDATE``, re-read, re-encrypted,
written back with one ``UPDATE … FROM unnest``), so the job can stop at any point and simply be
run again: what is already under the current key is never selected. Lookup hashes do not depend
on the encryption keys (see ``backend.security.fieldcrypt``), so they stay valid throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from backend import db
from backend.identity.sealed import ENCRYPTED_COLUMNS, EncryptedColumn
from backend.identity.tables import Citizen
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


_FIRST_BATCH = (
    "SELECT {k}::text AS k, {c} AS v FROM {t}"
    " WHERE {c} IS NOT NULL AND split_part({c}, ':', 1) <> {{}}"
    " ORDER BY {k} LIMIT {{}} FOR UPDATE"
)
_NEXT_BATCH = (
    "SELECT {k}::text AS k, {c} AS v FROM {t}"
    " WHERE {c} IS NOT NULL AND split_part({c}, ':', 1) <> {{}} AND {k} > {{}}::{kt}"
    " ORDER BY {k} LIMIT {{}} FOR UPDATE"
)


def _sql(spec: EncryptedColumn, text: str) -> str:
    # Identifiers come from ENCRYPTED_COLUMNS (code, not input); values are bound parameters.
    return text.format(t=spec.table, k=spec.key_column, c=spec.column, kt=spec.key_type)


async def _raw(spec: EncryptedColumn, text: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Citizen.raw(_sql(spec, text), *args).run()
    return rows


async def pending_count(spec: EncryptedColumn, current_key_id: str) -> int:
    rows = await _raw(
        spec,
        "SELECT count(*) AS n FROM {t} WHERE {c} IS NOT NULL AND split_part({c}, ':', 1) <> {{}}",
        current_key_id,
    )
    return int(rows[0]["n"])


async def key_usage(
    columns: Sequence[EncryptedColumn] = ENCRYPTED_COLUMNS,
) -> dict[str, dict[str, int]]:
    """For each column label, how many values each key id holds."""
    usage: dict[str, dict[str, int]] = {}
    for spec in columns:
        rows = await _raw(
            spec,
            "SELECT split_part({c}, ':', 1) AS key_id, count(*) AS n FROM {t}"
            " WHERE {c} IS NOT NULL GROUP BY 1 ORDER BY 1",
        )
        usage[spec.label] = {r["key_id"]: int(r["n"]) for r in rows}
    return usage


async def _rotate_batch(
    spec: EncryptedColumn, cipher: FieldCipher, after: str | None, batch_size: int
) -> tuple[str | None, int, int]:
    """One transaction: (last key seen, rotated, failed); last key None when nothing was left."""
    async with db.engine().transaction():
        if after is None:
            rows = await _raw(spec, _FIRST_BATCH, cipher.current_key_id, batch_size)
        else:
            rows = await _raw(spec, _NEXT_BATCH, cipher.current_key_id, after, batch_size)
        if not rows:
            return None, 0, 0
        keys: list[str] = []
        values: list[str] = []
        failed = 0
        for row in rows:
            try:
                values.append(cipher.reencrypt(row["v"], context=spec.context(row["k"])))
            except DecryptionFailed as exc:
                failed += 1
                log.error("keys.undecryptable", column=spec.label, row=row["k"], error=str(exc))
                continue
            keys.append(row["k"])
        if keys:
            await _raw(
                spec,
                "UPDATE {t} AS t SET {c} = u.v FROM unnest({{}}::text[], {{}}::text[]) AS u(k, v)"
                " WHERE t.{k} = u.k::{kt}",
                keys,
                values,
            )
    return str(rows[-1]["k"]), len(keys), failed


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
