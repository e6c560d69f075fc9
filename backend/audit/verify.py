"""Walking the audit chain: every row's hash recomputed, every link checked, in id order.

Rows are read in keyset batches (``id > last ORDER BY id LIMIT n``) outside any transaction,
so millions of rows stream through in constant memory without holding a snapshot open.
What the chain cannot see by itself: rows cut off at the end (or the whole table emptied). Keep
the ``head`` the report names somewhere else (a ticket, a signed e-mail) to catch that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from backend.audit import store
from backend.audit.chain import GENESIS, Entry, entry_hash, key_bytes

DEFAULT_BATCH: Final = 5000
ALTERED: Final = "content altered: the row's hash does not match its content"
UNLINKED: Final = (
    "chain broken: prev_hash is not the hash of the row before"
    " (a row was deleted, inserted or moved)"
)

Progress = Callable[[int, int], None]
"""Called with (rows checked, rows expected) after each batch."""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    head_id: int | None = None
    """The last row checked, and its hash: record them outside the database."""
    head_hash: str | None = None


def _entry(row: store.ChainRow) -> Entry:
    return Entry(
        id=row.id,
        at=row.at,
        actor_kind=row.actor_kind,
        actor_id=row.actor_id,
        on_behalf_of=row.on_behalf_of,
        action=row.action,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        reason=row.reason,
    )


async def verify_chain(
    *,
    key: str | bytes,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> VerifyReport:
    """Check the chain up to the row that was last when the walk began; stop at the first break."""
    secret = key_bytes(key)
    expected, upto = await store.chain_extent()
    if upto is None:
        return VerifyReport(ok=True, checked=0)
    prev_hash, after, checked = GENESIS, 0, 0
    head_id: int | None = None
    while True:
        rows = await store.chain_rows(after=after, upto=upto, limit=batch_size)
        if not rows:
            break
        for row in rows:
            entry = _entry(row)
            if row.prev_hash != prev_hash:
                return VerifyReport(False, checked, entry.id, UNLINKED, head_id, prev_hash)
            if entry_hash(secret, prev_hash, entry) != row.hash:
                return VerifyReport(False, checked, entry.id, ALTERED, head_id, prev_hash)
            prev_hash, head_id = row.hash, entry.id
            checked += 1
        after = rows[-1].id
        if progress is not None:
            progress(checked, max(expected, checked))
    return VerifyReport(True, checked, head_id=head_id, head_hash=prev_hash)
