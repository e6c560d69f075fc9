"""Case forms as staff see them (masked), and the one audited way to a full number (查看完整号码).

Object-level authorization happens before these calls (the window's and the back office's case
guards); a reveal then writes, in the caller's transaction, one audit entry about the case's
field (who, which case and field, on whose behalf, why) and, when the number is an ID number
held by a citizen here (found by its lookup hash), one about that citizen, which they see in
their personal-data export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from backend import db
from backend.audit.service import READ_FORM_FIELD, AuditLog
from backend.audit.service import Actor as AuditActor
from backend.cases import formcrypt
from backend.cases.store import cases as case_store
from backend.cases.store.cases import CaseForm, CaseItems
from backend.catalogue import service as catalogue
from backend.catalogue.model import ID_SENSITIVITIES, FormField
from backend.errors import InvalidInput, NotFound
from backend.identity import reveal
from backend.security.fieldcrypt import FieldCipher
from backend.textrules import has_hidden_chars

REASON_MAX: Final = 200
SUBJECT_KIND: Final = "case_form"
REASON_REQUIRED: Final = "查看完整号码须说明理由。"
REASON_TOO_LONG: Final = f"理由不能超过 {REASON_MAX} 个字。"
REASON_HIDDEN: Final = (
    "理由含有不能使用的字符（控制字符、零宽字符或文字方向控制符），请删去后重试。"
)
FIELD_NOT_SEALED: Final = "该办件的表单中没有这一项需查看的号码。"


@dataclass(frozen=True, slots=True)
class StaffForm:
    values: dict[str, Any]
    """Field name → the value as staff see it (sensitive ones masked)."""
    sensitive: list[str]
    """The masked fields, each of which may be revealed with a reason."""


async def case_fields(row: CaseItems) -> list[FormField]:
    """The form fields of the item version(s) the case (or each bundle item) was filed under."""
    if row.item_version is not None:
        views = [await catalogue.get_item_version(version_id=row.item_version)]
    else:
        views = [
            await catalogue.get_item_version(version_id=version)
            for version in await case_store.child_item_versions(row.id)
        ]
    return [f for v in views for f in v.spec.form]


def in_field_order(form: Mapping[str, Any], fields: Iterable[FormField]) -> dict[str, Any]:
    """The form's answers in the order of the item's form (a bundle: the merged order, each
    name where it first appears); answers to no field of it last, as stored.

    A JSONB object comes back from PostgreSQL in its own key order (shorter keys first), not
    the order the answers were given in, so every reader that shows a form orders it here."""
    order: dict[str, int] = {}
    for form_field in fields:
        order.setdefault(form_field.name, len(order))
    return dict(sorted(form.items(), key=lambda answer: order.get(answer[0], len(order))))


async def staff_form(row: CaseForm) -> StaffForm:
    fields = await case_fields(row)
    form = in_field_order(row.form, fields)
    kinds = formcrypt.kinds_of(fields)
    return StaffForm(formcrypt.masked_form(form, kinds), formcrypt.sensitive_fields(form, kinds))


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput(REASON_REQUIRED, code="audit_reason_required")
    if len(text) > REASON_MAX:
        raise InvalidInput(REASON_TOO_LONG, code="field_too_long")
    if has_hidden_chars(text, multiline=True):
        raise InvalidInput(REASON_HIDDEN, code="validation_failed")
    return text


async def reveal_value(
    *,
    row: CaseForm,
    field: str,
    reader: AuditActor,
    reason: str,
    cipher: FieldCipher | None = None,
    audit: AuditLog | None = None,
) -> str:
    """The full value of one masked field of the case ``row``, audited; runs in (or opens) a
    transaction so the value is never handed out unless its audit entries commit."""
    why = _reason(reason)
    cipher = cipher or reveal.configured_cipher()
    audit = audit or reveal.configured_audit()
    fields = await case_fields(row)
    kinds = formcrypt.kinds_of(fields)
    form = row.form
    if field not in formcrypt.sensitive_fields(form, kinds):
        raise NotFound(FIELD_NOT_SEALED, code="form_field_not_found")
    value = form[field]
    kind = value.get("kind", kinds.get(field, "")) if formcrypt.is_sealed(value) else kinds[field]
    plain = formcrypt.unseal(value, number=row.number, field=field, cipher=cipher)
    owner = None
    if kind in ID_SENSITIVITIES:
        lookup = formcrypt.owner_hash(value, kind=kind, cipher=cipher)
        owner = await reveal.citizen_with_id_number_hash(lookup) if lookup else None
    label = next((f.label for f in fields if f.name == field), field)
    async with db.engine().transaction():
        await audit.record(
            actor=reader,
            action=READ_FORM_FIELD,
            subject_kind=SUBJECT_KIND,
            subject_id=f"{row.number}:{field}",
            reason=why,
        )
        if owner is not None:
            await audit.record(
                actor=AuditActor(reader.kind, reader.id),
                action=READ_FORM_FIELD,
                subject_kind="citizen",
                subject_id=owner,
                reason=f"{why}（办件表单“{label}”）",
            )
    return plain
