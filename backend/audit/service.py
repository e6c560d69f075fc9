"""Writing the audit log: one ``record`` per read of personal data, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from backend import db
from backend.audit.chain import GENESIS, Entry, entry_hash, key_bytes
from backend.audit.tables import AuditEvent

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
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", CHAIN_LOCK).run()
        head = await AuditEvent.raw("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").run()
        prev_hash = head[0]["hash"] if head else GENESIS
        ids = await AuditEvent.raw(
            "SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) AS id"
        ).run()
        entry = Entry(
            id=int(ids[0]["id"]),
            at=datetime.now(UTC),
            actor_kind=actor.kind,
            actor_id=actor.id,
            on_behalf_of=actor.on_behalf_of,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            reason=reason.strip(),
        )
        await AuditEvent.raw(
            "INSERT INTO audit_event (id, at, actor_kind, actor_id, on_behalf_of, action,"
            " subject_kind, subject_id, reason, prev_hash, hash)"
            " VALUES ({}, {}, {}, {}, {}::uuid, {}, {}, {}, {}, {}, {})",
            entry.id,
            entry.at,
            entry.actor_kind,
            entry.actor_id,
            entry.on_behalf_of,
            entry.action,
            entry.subject_kind,
            entry.subject_id,
            entry.reason,
            prev_hash,
            entry_hash(self._key, prev_hash, entry),
        ).run()
        return entry.id


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One audit row as its subject may see it (in the PIPL export)."""

    at: datetime
    action: str
    actor_kind: str
    on_behalf_of: str | None
    reason: str


async def events_about(*, subject_kind: str, subject_id: str) -> list[AccessRecord]:
    """Every recorded read of one subject's data, oldest first."""
    rows = (
        await AuditEvent.select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.actor_kind,
            AuditEvent.on_behalf_of,
            AuditEvent.reason,
        )
        .where((AuditEvent.subject_kind == subject_kind) & (AuditEvent.subject_id == subject_id))
        .order_by(AuditEvent.id)
        .run()
    )
    return [
        AccessRecord(
            at=r["at"],
            action=r["action"],
            actor_kind=r["actor_kind"],
            on_behalf_of=None if r["on_behalf_of"] is None else str(r["on_behalf_of"]),
            reason=r["reason"],
        )
        for r in rows
    ]
