"""The one codec of sensitive values typed into case forms (``case_record.form``).

A field's sensitivity kind comes from the catalogue (``FormField.sensitivity``), never from its
datatype. A value of any kind but ``none`` is stored *sealed*::

    {"kind": "id_number", "enc": "<key id>:<SM4-GCM>", "masked": "330***********0076",
     "hash": "<HMAC-SM3 lookup hash>"}

``enc`` is bound to the case number and the field (a copy moved to another case or field does
not decrypt); ``masked`` is what staff see (an ID number: first 3 and last 4; a phone or a bank
account: the last 4); ``hash`` (ID numbers, and numbers that contain one) uses the same lookup
context as citizens' ID numbers, so the person the number belongs to can be found. The plain
value and the birth date inside an ID number are never stored.

Every reader of a case form goes through :func:`masked_form` (what staff and the external
platform see) or :func:`unseal` (the audited reveal, ``backend.cases.formreveal``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from backend.cases.forms import id_number_ok
from backend.catalogue.model import ID_SENSITIVITIES, SENSITIVITIES, FormField
from backend.identity.sealed import ID_NUMBER_LOOKUP
from backend.security.fieldcrypt import FieldCipher

NONE: Final = "none"
ID_LENGTH: Final = 18


def form_context(number: str, field: str) -> str:
    """What a sealed value is bound to: the case and the field."""
    return f"case_record.form:{number}:{field}"


def kinds_of(fields: Iterable[FormField]) -> dict[str, str]:
    """Field name → sensitivity kind, for the fields whose values are sealed."""
    return {f.name: f.sensitivity for f in fields if f.sensitivity != NONE}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("enc"), str)


def mask(kind: str, value: str) -> str:
    """ID numbers (and numbers containing one): first 3 and last 4; phones and accounts: last 4."""
    text = value.strip()
    if kind in ID_SENSITIVITIES:
        if len(text) <= 7:
            return "*" * len(text)
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def id_number_in(kind: str, value: str) -> str | None:
    """The whole ID number a value is or contains (残疾人证号: the number + 2 digits), if any."""
    text = value.strip().upper()
    if kind == "id_number":
        return text if id_number_ok(text) else None
    if kind == "id_derived" and len(text) >= ID_LENGTH and id_number_ok(text[:ID_LENGTH]):
        return text[:ID_LENGTH]
    return None


def seal(value: Any, *, kind: str, number: str, field: str, cipher: FieldCipher) -> dict[str, str]:
    if kind not in SENSITIVITIES or kind == NONE:
        raise ValueError(f"not a sealed kind: {kind!r}")
    text = str(value).strip()
    sealed = {
        "kind": kind,
        "enc": cipher.encrypt(text, context=form_context(number, field)),
        "masked": mask(kind, text),
    }
    owner = id_number_in(kind, text)
    if owner is not None:
        sealed["hash"] = cipher.lookup_hash(owner, context=ID_NUMBER_LOOKUP)
    return sealed


def seal_form(
    form: Mapping[str, Any], *, kinds: Mapping[str, str], number: str, cipher: FieldCipher
) -> dict[str, Any]:
    """``form`` as stored: every value of a sensitive field sealed (already sealed ones kept)."""
    out: dict[str, Any] = {}
    for name, value in form.items():
        kind = kinds.get(name, NONE)
        if kind == NONE or is_sealed(value) or value is None:
            out[name] = value
        else:
            out[name] = seal(value, kind=kind, number=number, field=name, cipher=cipher)
    return out


def needs_sealing(form: Mapping[str, Any], kinds: Mapping[str, str]) -> bool:
    return any(
        kinds.get(name, NONE) != NONE and value is not None and not is_sealed(value)
        for name, value in form.items()
    )


def masked_form(form: Mapping[str, Any], kinds: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What staff see: sealed values masked; a plain value of a sensitive field (a row written
    before its migration) masked too, so no reader ever shows one in full."""
    kinds = kinds or {}
    out: dict[str, Any] = {}
    for name, value in form.items():
        if is_sealed(value):
            out[name] = value.get("masked", "")
        elif kinds.get(name, NONE) != NONE and value is not None:
            out[name] = mask(kinds[name], str(value))
        else:
            out[name] = value
    return out


def sensitive_fields(form: Mapping[str, Any], kinds: Mapping[str, str] | None = None) -> list[str]:
    """The fields of ``form`` that are shown masked (and may be revealed)."""
    kinds = kinds or {}
    return [
        name
        for name, value in form.items()
        if is_sealed(value) or (kinds.get(name, NONE) != NONE and value is not None)
    ]


def unseal(value: Any, *, number: str, field: str, cipher: FieldCipher) -> str:
    """The plain value of one sealed field (callers write the audit entry with it)."""
    if not is_sealed(value):
        return str(value)
    plain: str = cipher.decrypt(value["enc"], context=form_context(number, field))
    return plain


def owner_hash(value: Any, *, kind: str, cipher: FieldCipher) -> str | None:
    """The lookup hash of the ID number in a value (sealed or, before migration, plain)."""
    if is_sealed(value):
        found = value.get("hash")
        return found if isinstance(found, str) else None
    owner = id_number_in(kind, str(value))
    return cipher.lookup_hash(owner, context=ID_NUMBER_LOOKUP) if owner else None
