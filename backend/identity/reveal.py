"""The only way to a full ID number: decrypt it and write the audit entry, in one transaction.

The composition roots call ``configure(cipher=…, audit=…)`` once at start-up, so callers in
other packages need only say who reads, for whom and why::

    number = await identity.read_full_id_number(
        citizen_id=…, actor=Actor("staff", clerk_id, on_behalf_of=citizen_id), reason="…"
    )
"""

from __future__ import annotations

from dataclasses import dataclass

from backend import db
from backend.audit.service import READ_ID_NUMBER, Actor, AuditLog
from backend.errors import InvalidInput, NotFound
from backend.identity import texts
from backend.identity.ids import is_uuid
from backend.identity.sealed import id_number_context
from backend.identity.store import identities
from backend.security.fieldcrypt import FieldCipher
from backend.textrules import has_hidden_chars


@dataclass(frozen=True, slots=True)
class _Keys:
    cipher: FieldCipher
    audit: AuditLog


_configured: list[_Keys] = []


def configure(*, cipher: FieldCipher, audit: AuditLog) -> None:
    """Set the cipher and audit log used when a caller passes none (composition roots only)."""
    _configured[:] = [_Keys(cipher, audit)]


def _keys(cipher: FieldCipher | None, audit: AuditLog | None) -> _Keys:
    if cipher is not None and audit is not None:
        return _Keys(cipher, audit)
    if not _configured:
        raise RuntimeError("call backend.identity.reveal.configure(cipher=…, audit=…) at start-up")
    return _Keys(cipher or _configured[0].cipher, audit or _configured[0].audit)


def configured_cipher() -> FieldCipher:
    """The field cipher the composition root configured (for packages that seal values)."""
    return _keys(None, None).cipher


def configured_audit() -> AuditLog:
    return _keys(None, None).audit


async def read_full_id_number(
    *,
    citizen_id: str,
    actor: Actor,
    reason: str,
    cipher: FieldCipher | None = None,
    audit: AuditLog | None = None,
    action: str = READ_ID_NUMBER,
) -> str:
    """The citizen's full ID number, with an audit entry naming ``actor`` and ``reason``.

    Runs in the caller's transaction when there is one, else in its own: the number is never
    handed out unless the audit row commits with it. Whether ``actor`` may see it at all is the
    caller's decision (object-level authorization happens before this call).
    """
    keys = _keys(cipher, audit)
    if not reason.strip():
        raise InvalidInput(texts.REASON_REQUIRED, code="audit_reason_required")
    if has_hidden_chars(reason, multiline=True):
        raise InvalidInput(texts.REASON_HIDDEN, code="validation_failed")
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    async with db.engine().transaction():
        sealed = await identities.sealed_id_number(citizen_id=citizen_id)
        if sealed is None:
            raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
        if sealed.value is None:
            raise NotFound(texts.ID_NUMBER_NOT_BOUND, code="id_number_not_bound")
        value = keys.cipher.decrypt(sealed.value, context=id_number_context(citizen_id))
        await keys.audit.record(
            actor=actor,
            action=action,
            subject_kind="citizen",
            subject_id=citizen_id,
            reason=reason,
        )
    return value


async def citizen_with_id_number_hash(lookup: str) -> str | None:
    """The citizen whose ID number has the lookup hash ``lookup`` (None when nobody here has it)."""
    return await identities.id_by_lookup(lookup=lookup)
