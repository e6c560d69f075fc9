"""Writing the audit log: one ``record`` per read of personal data, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from backend import db
from backend.audit import store
from backend.audit.chain import GENESIS, Entry, entry_hash, key_bytes
from backend.audit.store import AccessRecord

ActorKind = Literal["citizen", "staff", "system"]

#: ``pg_advisory_xact_lock`` key that serialises appends, so the chain stays one line.
CHAIN_LOCK: Final = 0x6A6A_6261_7564_6974  # "jjbaudit"

READ_ID_NUMBER: Final = "read_id_number"
READ_MATERIAL: Final = "read_material"
EXPORT_PERSONAL_DATA: Final = "export_personal_data"
READ_FORM_FIELD: Final = "read_form_field"
"""A full number typed into a case form (another person's ID number, a phone, an account)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who reads: a citizen, a staff member or the system; ``on_behalf_of`` the citizen they
    act for (an agent under a mandate, a window clerk serving a walk-in), if any."""

    kind: ActorKind
    id: str
    on_behalf_of: str | None = None


class AuditLog:
    """The only writer of ``audit_event``; holds the chain key, which never reaches the database."""

    def __init__(self, key: str | bytes) -> None:
        self._key = key_bytes(key)

    def __repr__(self) -> str:
        return "AuditLog(<key hidden>)"

    async def record(
        self,
        *,
        actor: Actor,
        action: str,
        subject_kind: str,
        subject_id: str,
        reason: str,
    ) -> int:
        """Append one row to the chain; returns its id. Must run inside a transaction.

        The advisory lock is held until the caller's transaction ends, so appends are strictly
        one after another; keep audited transactions short. The unique ``prev_hash`` would
        refuse a fork even if a caller ran at REPEATABLE READ and read a stale head.
        """
        if not reason.strip():
            raise ValueError("an audit entry needs a reason")
        if not db.engine().transaction_exists():
            raise RuntimeError("audit records are written inside the caller's transaction")
        head = await store.lock_chain(CHAIN_LOCK)
        prev_hash = GENESIS if head is None else head
        entry = Entry(
            id=await store.next_id(),
            at=datetime.now(UTC),
            actor_kind=actor.kind,
            actor_id=actor.id,
            on_behalf_of=actor.on_behalf_of,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            reason=reason.strip(),
        )
        await store.append(
            store.ChainRow(
                id=entry.id,
                at=entry.at,
                actor_kind=entry.actor_kind,
                actor_id=entry.actor_id,
                on_behalf_of=entry.on_behalf_of,
                action=entry.action,
                subject_kind=entry.subject_kind,
                subject_id=entry.subject_id,
                reason=entry.reason,
                prev_hash=prev_hash,
                hash=entry_hash(self._key, prev_hash, entry),
            )
        )
        return entry.id


async def events_about(*, subject_kind: str, subject_id: str) -> list[AccessRecord]:
    """Every recorded read of one subject's data, oldest first."""
    return await store.events_about(subject_kind=subject_kind, subject_id=subject_id)
