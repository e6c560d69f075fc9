"""Sealing the case forms written before the codec (``jiujinban privacy encrypt-forms``).

Batched by primary key, each batch its own transaction with its rows locked: the step can stop
at any point and be run again, and a second run changes nothing. A row is rewritten only when a
sensitive value is still plain or sealed under a key that is no longer the current one (so the
same step finishes a key rotation for form values). Stored idempotent answers that carry a case
form (a window walk-in answers the staff view) get the masked form. Afterwards ``VACUUM FULL``
rewrites both tables, so no dead row version keeps a plain value (docs/personal-data.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import structlog

from backend import db
from backend.cases import formcrypt, formreveal
from backend.cases.store import forms as form_store
from backend.idempotency import service as idempotency
from backend.security.fieldcrypt import DecryptionFailed, FieldCipher

log = structlog.get_logger(__name__)

DEFAULT_BATCH: Final = 500
VACUUMED: Final = ("case_record", idempotency.ANSWERS_TABLE)

Progress = Callable[[int, int, int], None]
"""Called after each batch with (rows checked, rows to check, rows rewritten)."""


@dataclass
class SealReport:
    checked: int = 0
    sealed: int = 0
    """Case rows rewritten (a value sealed, or re-sealed under the current key)."""
    failed: int = 0
    """Rows with a sealed value that did not decrypt (key not in the ring): left as they are."""
    answers_masked: int = 0
    """Stored idempotent answers whose case form was replaced by the masked one."""
    last_id: int = 0


def _reseal(
    form: dict[str, Any], kinds: dict[str, str], number: str, cipher: FieldCipher
) -> dict[str, Any]:
    out = formcrypt.seal_form(form, kinds=kinds, number=number, cipher=cipher)
    for name, value in out.items():
        if formcrypt.is_sealed(value) and cipher.needs_rotation(value["enc"]):
            context = formcrypt.form_context(number, name)
            out[name] = {**value, "enc": cipher.reencrypt(value["enc"], context=context)}
    return out


async def _seal_batch(cipher: FieldCipher, after: int, size: int, report: SealReport) -> int:
    """One transaction; returns how many rows it looked at (0: nothing left)."""
    async with db.engine().transaction():
        rows = await form_store.lock_batch(after, size)
        changed: dict[int, dict[str, Any]] = {}
        for row in rows:
            kinds = formcrypt.kinds_of(await formreveal.case_fields(row))
            try:
                sealed = _reseal(row.form, kinds, row.number, cipher)
            except DecryptionFailed as exc:
                report.failed += 1
                log.error("forms.undecryptable", case=row.number, error=str(exc))
                continue
            if sealed != row.form:
                changed[row.id] = sealed
        await form_store.write(changed)
    report.checked += len(rows)
    report.sealed += len(changed)
    if rows:
        report.last_id = rows[-1].id
    return len(rows)


async def _mask_stored_answer(body: dict[str, Any]) -> dict[str, Any] | None:
    """A stored walk-in answer with its case form masked as staff see it (None: unchanged)."""
    if "number" not in body:
        return None
    row = await form_store.by_number(str(body["number"]))
    masked = (await formreveal.staff_form(row)).values if row else {}
    return None if body.get("form") == masked else {**body, "form": masked}


async def seal_stored_forms(
    *,
    cipher: FieldCipher,
    batch_size: int = DEFAULT_BATCH,
    after: int = 0,
    progress: Progress | None = None,
) -> SealReport:
    """Seal every plain sensitive value of ``case_record.form`` (rows with id above ``after``)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = SealReport(last_id=after)
    total = await form_store.count_after(after)
    if progress is not None:
        progress(0, total, 0)
    while await _seal_batch(cipher, report.last_id, batch_size, report):
        if progress is not None:
            progress(report.checked, max(total, report.checked), report.sealed)
    report.answers_masked = await idempotency.rewrite_stored_answers(
        having="form", rewrite=_mask_stored_answer, batch_size=batch_size
    )
    log.info(
        "forms.sealed",
        checked=report.checked,
        sealed=report.sealed,
        failed=report.failed,
        answers_masked=report.answers_masked,
    )
    return report


async def vacuum_full() -> None:
    """Rewrite the tables so no dead row version keeps a plain value (takes an exclusive lock)."""
    await form_store.vacuum_full(VACUUMED)
