"""The PIPL export (个人信息副本, art. 45): everything held about one citizen.

Identity writes the parts it owns; other packages add theirs through exporters, each an
``async (citizen_id) -> (key, data)`` registered once by the composition root::

    register_exporter(cases.export_for_citizen)     # -> ("cases", [...])

``cases``, ``uploads`` and ``mandates`` are empty lists until their packages register; each
section's rows must convert to its Struct in ``schemas.PersonalDataExport`` (an exporter whose
rows do not fails loudly). The export contains the full ID number, so producing it writes an
``export_personal_data`` audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any, Final

import msgspec

from backend import clock, db
from backend.audit.service import EXPORT_PERSONAL_DATA, Actor, AuditLog, events_about
from backend.errors import NotFound
from backend.identity import texts
from backend.identity.ids import is_uuid
from backend.identity.schemas import (
    AccessRecordOut,
    ExportedCase,
    ExportedConsent,
    ExportedDeletionRequest,
    ExportedMandate,
    ExportedPhone,
    ExportedProfile,
    ExportedUpload,
    ExportedWeChat,
    ExportedWeChatAccount,
    PersonalDataExport,
)
from backend.identity.sealed import id_number_context, phone_context
from backend.identity.store import accounts, citizens, deletion_requests
from backend.security.fieldcrypt import FieldCipher

Exporter = Callable[[str], Awaitable[tuple[str, Any]]]

SECTIONS: Final[dict[str, type]] = {
    "cases": list[ExportedCase],
    "uploads": list[ExportedUpload],
    "mandates": list[ExportedMandate],
}
"""The sections other packages fill, and the shape of each."""
RESERVED: Final = frozenset(
    {"generated_at", "profile", "phone", "consent", "wechat", "access_records"}
    | {"deletion_requests"}
)
EXPORT_REASON: Final = "本人申请导出个人信息副本"

_EXPORTERS: list[Exporter] = []


def register_exporter(exporter: Exporter) -> None:
    """Add a package's part of the export (registering the same function again is a no-op)."""
    if exporter not in _EXPORTERS:
        _EXPORTERS.append(exporter)


def registered_exporters() -> tuple[Exporter, ...]:
    return tuple(_EXPORTERS)


async def export_personal_data(
    *,
    citizen_id: str,
    cipher: FieldCipher,
    audit: AuditLog,
    exporters: tuple[Exporter, ...] | None = None,
) -> PersonalDataExport:
    """Everything held about ``citizen_id``, full numbers included."""
    if not is_uuid(citizen_id):
        raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
    async with db.engine().transaction():
        found = await citizens.record(citizen_id=citizen_id)
        if found is None:
            raise NotFound(texts.CITIZEN_NOT_FOUND, code="citizen_not_found")
        row: citizens.Record = found
        has_session = await citizens.has_session(citizen_id=citizen_id)
        held = await accounts.of(citizen_id=citizen_id)
        requests = await deletion_requests.of_citizen(citizen_id=citizen_id)
        access = await events_about(subject_kind="citizen", subject_id=citizen_id)
        sections: dict[str, Any] = {key: [] for key in SECTIONS}
        for exporter in exporters if exporters is not None else registered_exporters():
            key, data = await exporter(citizen_id)
            if key in RESERVED or key not in SECTIONS:
                raise ValueError(f"exporter {exporter!r} may not fill {key!r}")
            sections[key] = msgspec.convert(data, SECTIONS[key])
        id_number = (
            cipher.decrypt(row.id_number_enc, context=id_number_context(citizen_id))
            if row.id_number_enc
            else None
        )
        phone = (
            cipher.decrypt(row.phone_enc, context=phone_context(citizen_id))
            if row.phone_enc
            else None
        )
        # Last, so the chain's advisory lock is held only until the commit right after.
        await audit.record(
            actor=Actor("citizen", citizen_id),
            action=EXPORT_PERSONAL_DATA,
            subject_kind="citizen",
            subject_id=citizen_id,
            reason=EXPORT_REASON,
        )
    return PersonalDataExport(
        generated_at=clock.now_utc(),
        profile=ExportedProfile(
            id=row.id,
            name=row.name,
            id_number=id_number,
            id_number_masked=row.id_number_masked,
            birth_year=row.birth_year,
            sex=row.sex,
            village_code=row.village,
            identity_bound=row.identity_bound,
            identity_verified=row.identity_verified,
            verified_at=row.verified_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_login_at=row.last_login_at,
        ),
        phone=ExportedPhone(number=phone, masked=row.phone_masked) if phone else None,
        consent=ExportedConsent(version=row.consent_version, consented_at=row.consented_at),
        wechat=ExportedWeChat(
            openid=row.openid,
            unionid=row.unionid,
            session_key_held=has_session,
            accounts=[ExportedWeChatAccount(**asdict(account)) for account in held],
        ),
        access_records=[AccessRecordOut(**asdict(record)) for record in access],
        deletion_requests=[
            ExportedDeletionRequest(
                id=r.id, status=r.status, requested_at=r.requested_at, handled_at=r.handled_at
            )
            for r in requests
        ],
        cases=sections["cases"],
        uploads=sections["uploads"],
        mandates=sections["mandates"],
    )
