"""Tables of the audit context."""

from __future__ import annotations

from piccolo.columns import UUID, BigSerial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """审计日志 — one read of personal data: who, for whom, what and why.

    Append-only (a trigger refuses UPDATE and DELETE) and hash-chained: ``hash`` is
    HMAC-SM3(AUDIT_KEY, ``prev_hash`` ‖ canonical JSON of the row), ``prev_hash`` is the hash of
    the row before (unique, so the chain cannot fork). Rows are written only through
    ``backend.audit.service.AuditLog.record``.
    """

    id = BigSerial(primary_key=True)
    at = Timestamptz()
    actor_kind = Varchar(length=16)
    actor_id = Varchar(length=64)
    on_behalf_of = UUID(null=True, default=None, index=True)
    action = Varchar(length=64, index=True)
    subject_kind = Varchar(length=32)
    subject_id = Varchar(length=64)
    reason = Text()
    prev_hash = Varchar(length=64, unique=True)
    hash = Varchar(length=64)
